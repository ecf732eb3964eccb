namespace Taifa.Smpp.Text;

/// <summary>
/// Which part of a concatenated message this is (3GPP TS 23.040 §9.2.3.24.1 and .8, or the sar_* TLVs).
/// </summary>
/// <param name="Reference">The same for every part of one message (8 or 16 bits on the wire).</param>
/// <param name="Total">How many parts the message has.</param>
/// <param name="SequenceNumber">This part, from 1 to <paramref name="Total"/>.</param>
public readonly record struct ConcatenationInfo(ushort Reference, byte Total, byte SequenceNumber)
{
    /// <summary>A part number outside 1..Total, or no parts at all, cannot be reassembled.</summary>
    public bool IsValid => Total > 0 && SequenceNumber > 0 && SequenceNumber <= Total;
}

/// <summary>The user data header that starts a short message when esm_class has UDHI (0x40).</summary>
public static class UserDataHeader
{
    /// <summary>IEI of concatenation with an 8-bit reference.</summary>
    public const byte Concatenation8Bit = 0x00;

    /// <summary>IEI of concatenation with a 16-bit reference.</summary>
    public const byte Concatenation16Bit = 0x08;

    /// <summary>The UDH this library writes: UDHL, IEI 0x00, IEDL 3, reference, total, part.</summary>
    public const int ConcatenationHeaderLength = 6;

    /// <returns>The header's length including its UDHL octet, or -1 when the UDHL runs past the data.</returns>
    public static int GetLength(ReadOnlySpan<byte> userData) =>
        userData.Length > 0 && userData[0] + 1 <= userData.Length ? userData[0] + 1 : -1;

    /// <returns>The concatenation element of the header at the start of <paramref name="userData"/>, or null when
    /// there is none, the header is malformed, or its numbers are not valid.</returns>
    public static ConcatenationInfo? FindConcatenation(ReadOnlySpan<byte> userData)
    {
        var length = GetLength(userData);
        if (length < 0)
        {
            return null;
        }

        var elements = userData[1..length];
        while (elements.Length >= 2)
        {
            var (iei, iedl) = (elements[0], elements[1]);
            if (iedl + 2 > elements.Length)
            {
                return null;
            }

            var data = elements.Slice(2, iedl);
            ConcatenationInfo? info = (iei, iedl) switch
            {
                (Concatenation8Bit, 3) => new ConcatenationInfo(data[0], data[1], data[2]),
                (Concatenation16Bit, 4) => new ConcatenationInfo((ushort)(data[0] << 8 | data[1]), data[2], data[3]),
                _ => null,
            };
            if (info is { } found)
            {
                return found.IsValid ? found : null;
            }

            elements = elements[(iedl + 2)..];
        }

        return null;
    }

    /// <summary>Writes the 6-octet header for one part with an 8-bit reference.</summary>
    public static void WriteConcatenation(Span<byte> destination, byte reference, byte total, byte sequenceNumber)
    {
        destination[0] = ConcatenationHeaderLength - 1;
        destination[1] = Concatenation8Bit;
        destination[2] = 3;
        destination[3] = reference;
        destination[4] = total;
        destination[5] = sequenceNumber;
    }
}
