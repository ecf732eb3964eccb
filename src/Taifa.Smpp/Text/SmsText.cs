using System.Text;
using Taifa.Domain.Text;
using Taifa.Smpp.Pdus;

namespace Taifa.Smpp.Text;

/// <summary>How the octets of a short message are to be read.</summary>
public enum SmsAlphabet
{
    /// <summary>GSM 03.38 default alphabet with its extension table, one septet per octet (SMPP does not pack).</summary>
    Gsm7,

    /// <summary>IA5, read as 7-bit ASCII.</summary>
    Ascii,
    Latin1,

    /// <summary>UTF-16 big-endian; surrogate pairs pass through as handsets expect.</summary>
    Ucs2,

    /// <summary>8-bit data that is not text.</summary>
    Binary,
}

/// <summary>Text of short messages in the alphabets data_coding names.</summary>
public static class SmsText
{
    /// <returns>
    /// The alphabet for <paramref name="dataCoding"/>: the SMPP values 0 to 8, and the GSM 03.38 coding groups SMSCs
    /// pass through (general data coding with a message class, and 0xF0-0xFF). Null when we cannot read it.
    /// </returns>
    public static SmsAlphabet? GetAlphabet(byte dataCoding) => dataCoding switch
    {
        DataCoding.SmscDefault => SmsAlphabet.Gsm7,
        DataCoding.Ia5 => SmsAlphabet.Ascii,
        DataCoding.Latin1 => SmsAlphabet.Latin1,
        DataCoding.Ucs2 => SmsAlphabet.Ucs2,
        DataCoding.OctetUnspecified or DataCoding.OctetUnspecified2 => SmsAlphabet.Binary,
        >= 0x10 and <= 0x1F => ((dataCoding >> 2) & 0x03) switch
        {
            0 => SmsAlphabet.Gsm7,
            1 => SmsAlphabet.Binary,
            2 => SmsAlphabet.Ucs2,
            _ => null,
        },
        >= 0xF0 => (dataCoding & 0x04) == 0 ? SmsAlphabet.Gsm7 : SmsAlphabet.Binary,
        _ => null,
    };

    /// <summary>The data_coding we send for <paramref name="alphabet"/>.</summary>
    public static byte GetDataCoding(SmsAlphabet alphabet) => alphabet switch
    {
        SmsAlphabet.Gsm7 => DataCoding.SmscDefault,
        SmsAlphabet.Ascii => DataCoding.Ia5,
        SmsAlphabet.Latin1 => DataCoding.Latin1,
        SmsAlphabet.Ucs2 => DataCoding.Ucs2,
        _ => DataCoding.OctetUnspecified2,
    };

    /// <summary>GSM 7-bit when every character has a code there (fewer parts), otherwise UCS-2.</summary>
    public static SmsAlphabet ChooseAlphabet(ReadOnlySpan<char> text) => Gsm7.IsEncodable(text) ? SmsAlphabet.Gsm7 : SmsAlphabet.Ucs2;

    /// <returns>The text, or null for binary data and data codings we cannot read.</returns>
    public static string? Decode(byte dataCoding, ReadOnlySpan<byte> octets) => GetAlphabet(dataCoding) switch
    {
        SmsAlphabet.Gsm7 => Gsm7.Decode(octets),
        SmsAlphabet.Ascii => Encoding.ASCII.GetString(octets),
        SmsAlphabet.Latin1 => Encoding.Latin1.GetString(octets),
        SmsAlphabet.Ucs2 => Ucs2.Decode(octets),
        _ => null,
    };

    public static bool CanEncode(SmsAlphabet alphabet, ReadOnlySpan<char> text) => alphabet switch
    {
        SmsAlphabet.Gsm7 => Gsm7.IsEncodable(text),
        SmsAlphabet.Ascii => Ascii.IsValid(text),
        SmsAlphabet.Latin1 => !text.ContainsAnyExceptInRange('\0', '\u00FF'),
        SmsAlphabet.Ucs2 => true,
        _ => false,
    };

    /// <exception cref="ArgumentException">The text has a character the alphabet lacks, or the alphabet is binary.</exception>
    public static byte[] Encode(SmsAlphabet alphabet, string text)
    {
        if (!CanEncode(alphabet, text))
        {
            throw new ArgumentException($"The text cannot be written in {alphabet}.", nameof(text));
        }

        switch (alphabet)
        {
            case SmsAlphabet.Gsm7:
                var septets = new byte[Gsm7.GetSeptetCount(text)];
                Gsm7.Encode(text, septets);
                return septets;
            case SmsAlphabet.Ucs2:
                return Ucs2.Encode(text);
            default:
                return Encoding.Latin1.GetBytes(text);
        }
    }
}
