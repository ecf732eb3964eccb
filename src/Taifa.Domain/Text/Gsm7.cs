using System.Collections.Frozen;

namespace Taifa.Domain.Text;

/// <summary>
/// GSM 03.38 (3GPP TS 23.038) default 7-bit alphabet with its extension table.
/// Septets are unpacked (one per byte); an extension character is written as the escape 0x1B followed by its code.
/// </summary>
public static class Gsm7
{
    public const byte Escape = 0x1B;

    // Index = septet value. Position 0x1B is the escape, never a character of its own.
    private const string DefaultAlphabet =
        "@£$¥èéùìòÇ\nØø\rÅå" +
        "Δ_ΦΓΛΩΠΨΣΘΞ\u001BÆæßÉ" +
        " !\"#¤%&'()*+,-./" +
        "0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNO" +
        "PQRSTUVWXYZÄÖÑÜ§" +
        "¿abcdefghijklmno" +
        "pqrstuvwxyzäöñüà";

    private static readonly (byte Septet, char Char)[] ExtensionTable =
    [
        (0x0A, '\f'), (0x14, '^'), (0x28, '{'), (0x29, '}'), (0x2F, '\\'),
        (0x3C, '['), (0x3D, '~'), (0x3E, ']'), (0x40, '|'), (0x65, '€'),
    ];

    // Value below 0x80: a default-alphabet septet; ExtensionFlag set: escape plus the low seven bits.
    private const int ExtensionFlag = 0x100;

    private static readonly FrozenDictionary<char, int> SeptetsByChar = BuildSeptetsByChar();

    // The same codes for U+0000-U+00FF, where nearly all text is, as an array (-1 = no code): a lookup per
    // character is on the path of every send's part count.
    private static readonly short[] CodesByLatin1Char = BuildCodesByLatin1Char();

    private static readonly char[] ExtensionBySeptet = BuildExtensionBySeptet();

    public static bool IsEncodable(ReadOnlySpan<char> text) => GetSeptetCount(text) >= 0;

    /// <returns>Septets needed (extension characters count two), or -1 if some character has no GSM 7-bit code.</returns>
    public static int GetSeptetCount(ReadOnlySpan<char> text)
    {
        var count = 0;
        foreach (var c in text)
        {
            var septets = GetSeptetCount(c);
            if (septets < 0)
            {
                return -1;
            }

            count += septets;
        }

        return count;
    }

    /// <returns>1 for a default-alphabet character, 2 for an extension character, -1 if not encodable.</returns>
    internal static int GetSeptetCount(char c) =>
        TryGetCode(c, out var code) ? ((code & ExtensionFlag) != 0 ? 2 : 1) : -1;

    /// <returns>The number of septets written.</returns>
    /// <exception cref="ArgumentException">The text is not encodable or <paramref name="septets"/> is too small.</exception>
    public static int Encode(ReadOnlySpan<char> text, Span<byte> septets)
    {
        var needed = GetSeptetCount(text);
        if (needed < 0)
        {
            throw new ArgumentException("The text contains characters outside the GSM 7-bit alphabet.", nameof(text));
        }

        if (needed > septets.Length)
        {
            throw new ArgumentException($"The text needs {needed} septets but the destination holds {septets.Length}.", nameof(septets));
        }

        var written = 0;
        foreach (var c in text)
        {
            TryGetCode(c, out var code);
            if ((code & ExtensionFlag) != 0)
            {
                septets[written++] = Escape;
            }

            septets[written++] = (byte)(code & 0x7F);
        }

        return written;
    }

    /// <summary>
    /// Decodes unpacked septets. A value above 0x7F becomes '?'. An escape followed by a code missing from the
    /// extension table falls back to the default-alphabet character (03.38 §6.2.1.1); escape-escape is reserved and
    /// shown as a space; a trailing lone escape is dropped.
    /// </summary>
    public static string Decode(ReadOnlySpan<byte> septets)
    {
        var chars = septets.Length <= 256 ? stackalloc char[septets.Length] : new char[septets.Length];
        var length = 0;
        for (var i = 0; i < septets.Length; i++)
        {
            var septet = septets[i];
            if (septet != Escape)
            {
                chars[length++] = DefaultChar(septet);
                continue;
            }

            if (++i == septets.Length)
            {
                break;
            }

            var next = septets[i];
            chars[length++] = next switch
            {
                Escape => ' ',
                > 0x7F => '?',
                _ when ExtensionBySeptet[next] != '\0' => ExtensionBySeptet[next],
                _ => DefaultAlphabet[next],
            };
        }

        return new string(chars[..length]);
    }

    /// <summary>Packs septets into octets, least significant bit first (03.38 §6.1.2.1).</summary>
    /// <exception cref="ArgumentException">A value is above 0x7F.</exception>
    public static byte[] Pack(ReadOnlySpan<byte> septets)
    {
        var packed = new byte[PackedLength(septets.Length)];
        for (var i = 0; i < septets.Length; i++)
        {
            var septet = septets[i];
            if (septet > 0x7F)
            {
                throw new ArgumentException($"Septet {i} is 0x{septet:X2}, above 0x7F.", nameof(septets));
            }

            var bit = i * 7;
            var index = bit / 8;
            var shift = bit % 8;
            packed[index] |= (byte)(septet << shift);
            if (shift > 1)
            {
                packed[index + 1] |= (byte)(septet >> (8 - shift));
            }
        }

        return packed;
    }

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="septetCount"/> is negative or needs more octets than given.</exception>
    public static byte[] Unpack(ReadOnlySpan<byte> packed, int septetCount)
    {
        if (septetCount < 0 || PackedLength(septetCount) > packed.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(septetCount), septetCount, $"{packed.Length} packed octets cannot hold {septetCount} septets.");
        }

        var septets = new byte[septetCount];
        for (var i = 0; i < septetCount; i++)
        {
            var bit = i * 7;
            var index = bit / 8;
            var shift = bit % 8;
            var value = packed[index] >> shift;
            if (shift > 1)
            {
                value |= packed[index + 1] << (8 - shift);
            }

            septets[i] = (byte)(value & 0x7F);
        }

        return septets;
    }

    private static bool TryGetCode(char c, out int code)
    {
        if (c < CodesByLatin1Char.Length)
        {
            code = CodesByLatin1Char[c];
            return code >= 0;
        }

        return SeptetsByChar.TryGetValue(c, out code);
    }

    private static int PackedLength(int septetCount) => (int)((septetCount * 7L + 7) / 8);

    private static char DefaultChar(byte septet) => septet <= 0x7F ? DefaultAlphabet[septet] : '?';

    private static FrozenDictionary<char, int> BuildSeptetsByChar()
    {
        var map = new Dictionary<char, int>(DefaultAlphabet.Length + ExtensionTable.Length);
        for (var septet = 0; septet < DefaultAlphabet.Length; septet++)
        {
            if (septet != Escape)
            {
                map.Add(DefaultAlphabet[septet], septet);
            }
        }

        foreach (var (septet, c) in ExtensionTable)
        {
            map.Add(c, ExtensionFlag | septet);
        }

        return map.ToFrozenDictionary();
    }

    private static short[] BuildCodesByLatin1Char()
    {
        var table = new short[0x100];
        for (var c = 0; c < table.Length; c++)
        {
            table[c] = SeptetsByChar.TryGetValue((char)c, out var code) ? (short)code : (short)-1;
        }

        return table;
    }

    private static char[] BuildExtensionBySeptet()
    {
        var table = new char[0x80];
        foreach (var (septet, c) in ExtensionTable)
        {
            table[septet] = c;
        }

        return table;
    }
}
