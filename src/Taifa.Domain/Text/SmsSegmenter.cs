namespace Taifa.Domain.Text;

public static class SmsSegmenter
{
    private const int Gsm7SinglePart = 160;
    private const int Ucs2SinglePart = 70;

    // A concatenated part carries a 6-octet UDH, leaving 153 septets or 67 UCS-2 code units.
    private const int Gsm7PerPart = 153;
    private const int Ucs2PerPart = 67;

    /// <summary>The segmentation in the cheaper encoding that holds the text: GSM 7-bit when it can, else UCS-2.</summary>
    public static SmsSegmentation Analyze(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var septets = Gsm7.GetSeptetCount(text);
        return septets >= 0 ? InGsm7(text, septets) : InUcs2(text);
    }

    /// <summary>
    /// The segmentation of <paramref name="text"/> sent in <paramref name="encoding"/>, for a sender that chose it
    /// (SMPP's data_coding): GSM text sent as UCS-2 takes UCS-2's parts, and is billed for them.
    /// </summary>
    /// <exception cref="ArgumentException">GSM 7-bit for a text with a character outside GSM 03.38.</exception>
    public static SmsSegmentation Analyze(string text, SmsEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (encoding == SmsEncoding.Ucs2) return InUcs2(text);
        var septets = Gsm7.GetSeptetCount(text);
        return septets >= 0 ? InGsm7(text, septets) : throw new ArgumentException("The text has a character outside GSM 03.38.", nameof(text));
    }

    /// <summary>What one part of a concatenated message holds beside its UDH, in the units of <see cref="SmsSegmentation.Length"/>.</summary>
    public static int PerPart(SmsEncoding encoding) => encoding == SmsEncoding.Ucs2 ? Ucs2PerPart : Gsm7PerPart;

    private static SmsSegmentation InGsm7(string text, int septets) =>
        new(SmsEncoding.Gsm7, septets, CountParts(text, septets, Gsm7SinglePart, Gsm7PerPart, static (t, i) => Gsm7.GetSeptetCount(t[i])));

    private static SmsSegmentation InUcs2(string text) =>
        new(SmsEncoding.Ucs2, text.Length, CountParts(text, text.Length, Ucs2SinglePart, Ucs2PerPart, Ucs2UnitsAt));

    /// <summary>
    /// Fills parts greedily, one character at a time, so that an escape pair (one character, two septets) or a
    /// surrogate pair (charged wholly to its high surrogate) never straddles two parts.
    /// </summary>
    private static int CountParts(string text, int length, int singlePart, int perPart, Func<string, int, int> unitsAt)
    {
        if (length <= singlePart)
        {
            return length == 0 ? 0 : 1;
        }

        var parts = 1;
        var used = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var units = unitsAt(text, i);
            if (used + units > perPart)
            {
                parts++;
                used = 0;
            }

            used += units;
        }

        return parts;
    }

    private static int Ucs2UnitsAt(string text, int index)
    {
        var c = text[index];
        if (char.IsHighSurrogate(c))
        {
            return index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]) ? 2 : 1;
        }

        return char.IsLowSurrogate(c) && index > 0 && char.IsHighSurrogate(text[index - 1]) ? 0 : 1;
    }
}
