using System.Buffers.Binary;

namespace Taifa.Domain.Text;

/// <summary>
/// UCS-2 as SMPP carries it: UTF-16 big-endian code units, copied verbatim (surrogate pairs pass through,
/// lone surrogates are kept rather than replaced, so the byte count is always twice the string length).
/// </summary>
public static class Ucs2
{
    public static byte[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = new byte[text.Length * 2];
        for (var i = 0; i < text.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(i * 2), text[i]);
        }

        return bytes;
    }

    /// <summary>Decodes UTF-16BE code units; an odd trailing byte is ignored.</summary>
    public static string Decode(ReadOnlySpan<byte> bigEndian) =>
        string.Create(bigEndian.Length / 2, bigEndian, static (chars, source) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = (char)BinaryPrimitives.ReadUInt16BigEndian(source[(i * 2)..]);
            }
        });
}
