namespace Taifa.Domain.Text;

public static class SmsSegmenter
{
    private const int Gsm7SinglePart = 160;
    private const int Ucs2SinglePart = 70;

    // A concatenated part carries a 6-octet UDH, leaving 153 septets or 67 UCS-2 code units.
    private const int Gsm7PerPart = 153;
    private const int Ucs2PerPart = 67;

    public static SmsSegmentation Analyze(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var septets = Gsm7.GetSeptetCount(text);
        return septets >= 0
            ? new SmsSegmentation(SmsEncoding.Gsm7, septets, CountParts(text, septets, Gsm7SinglePart, Gsm7PerPart, static (t, i) => Gsm7.GetSeptetCount(t[i])))
            : new SmsSegmentation(SmsEncoding.Ucs2, text.Length, CountParts(text, text.Length, Ucs2SinglePart, Ucs2PerPart, Ucs2UnitsAt));
    }

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
