using Taifa.Domain.Text;
using Taifa.Smpp.Pdus;

namespace Taifa.Smpp.Text;

/// <summary>
/// Splits a long text into concatenated parts with a UDH, for sending to an operator. A part holds 153 GSM septets,
/// 67 UCS-2 code units or 134 octets; a GSM escape pair or a UTF-16 surrogate pair is never cut in two. A text that
/// fits one message (160, 70, 140) is sent whole without a UDH.
/// </summary>
public static class MessageSplitter
{
    public const int MaxParts = 255;

    /// <returns>The user data of each part, UDH included when there is more than one.</returns>
    /// <exception cref="ArgumentException">The alphabet cannot hold the text, or it needs more than 255 parts.</exception>
    public static IReadOnlyList<byte[]> Split(string text, SmsAlphabet alphabet, byte reference)
    {
        if (!SmsText.CanEncode(alphabet, text))
        {
            throw new ArgumentException($"The text cannot be written in {alphabet}.", nameof(text));
        }

        var (single, perPart) = Capacity(alphabet);
        var ranges = Cut(text, alphabet, single, perPart);
        if (ranges.Count > MaxParts)
        {
            throw new ArgumentException($"The text needs {ranges.Count} parts; a concatenated message has at most {MaxParts}.", nameof(text));
        }

        if (ranges.Count == 1)
        {
            return [SmsText.Encode(alphabet, text)];
        }

        var parts = new byte[ranges.Count][];
        for (var i = 0; i < ranges.Count; i++)
        {
            var body = SmsText.Encode(alphabet, text[ranges[i]]);
            var part = new byte[UserDataHeader.ConcatenationHeaderLength + body.Length];
            UserDataHeader.WriteConcatenation(part, reference, (byte)ranges.Count, (byte)(i + 1));
            body.CopyTo(part, UserDataHeader.ConcatenationHeaderLength);
            parts[i] = part;
        }

        return parts;
    }

    /// <summary>
    /// One submit_sm per part, copied from <paramref name="template"/> (addresses, registered_delivery, TLVs) with
    /// data_coding, UDHI and short_message set. Sequence numbers are left for the session to assign.
    /// </summary>
    /// <param name="alphabet">Null to choose GSM 7-bit when possible, otherwise UCS-2.</param>
    public static IReadOnlyList<SubmitSm> CreateSubmitSms(SubmitSm template, string text, byte reference, SmsAlphabet? alphabet = null)
    {
        var chosen = alphabet ?? SmsText.ChooseAlphabet(text);
        var parts = Split(text, chosen, reference);
        return parts.Select(part =>
        {
            var submit = template.Clone();
            submit.DataCoding = SmsText.GetDataCoding(chosen);
            submit.EsmClass = parts.Count > 1 ? (byte)(template.EsmClass | EsmClass.UdhIndicator) : template.EsmClass;
            submit.ShortMessage = part;
            return submit;
        }).ToList();
    }

    private static (int Single, int PerPart) Capacity(SmsAlphabet alphabet) => alphabet switch
    {
        SmsAlphabet.Gsm7 => (160, 153),
        SmsAlphabet.Ucs2 => (70, 67),
        _ => (140, 134),
    };

    /// <summary>Greedy cut by units: septets for GSM, code units for UCS-2, octets otherwise.</summary>
    private static List<Range> Cut(string text, SmsAlphabet alphabet, int single, int perPart)
    {
        var atoms = new List<(int Start, int Length, int Units)>();
        var total = 0;
        for (var i = 0; i < text.Length;)
        {
            var length = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            var units = alphabet == SmsAlphabet.Gsm7 ? Gsm7.GetSeptetCount(text.AsSpan(i, length)) : length;
            atoms.Add((i, length, units));
            total += units;
            i += length;
        }

        if (total <= single)
        {
            return [Range.All];
        }

        var ranges = new List<Range>();
        var (start, used) = (0, 0);
        foreach (var atom in atoms)
        {
            if (used + atom.Units > perPart)
            {
                ranges.Add(start..atom.Start);
                (start, used) = (atom.Start, 0);
            }

            used += atom.Units;
        }

        ranges.Add(start..text.Length);
        return ranges;
    }
}
