using System.Globalization;
using System.Text;

namespace Taifa.LoadTest.Workload;

/// <summary>
/// What each send carries: message texts of the chosen mix and valid Kenyan recipients. Texts vary per
/// request (a sequence number) so nothing downstream can cache or deduplicate them.
/// </summary>
public sealed class SendWorkload(MessageMix mix, int recipients)
{
    // Safaricom and Airtel prefixes from the numbering plan, in the local 07xx/01xx form customers use.
    private static readonly string[] Prefixes = ["0702", "0712", "0722", "0110", "0100"];

    private const string GsmText = "Taifa bench: your order #{0} is ready for pick-up at the Moi Avenue branch.";
    private const string Ucs2Text = "Taifa bench #{0}: Karibu! Habari za asubuhi 👋 ጤና ይስጥልኝ";

    private static readonly string LongText = new StringBuilder()
        .Append("Taifa bench #{0}. ")
        .Append(string.Concat(Enumerable.Repeat("Dear customer, your monthly statement is now available in the app. ", 6)))
        .ToString();

    public MessageMix Mix { get; } = mix;

    public int Recipients { get; } = recipients;

    public string NextMessage(long sequence, Random random)
    {
        var kind = Mix switch
        {
            MessageMix.Mix => random.Next(10) switch
            {
                < 7 => MessageMix.Gsm,
                < 9 => MessageMix.Long,
                _ => MessageMix.Ucs2,
            },
            _ => Mix,
        };
        var template = kind switch
        {
            MessageMix.Long => LongText,
            MessageMix.Ucs2 => Ucs2Text,
            _ => GsmText,
        };
        return string.Format(CultureInfo.InvariantCulture, template, sequence);
    }

    /// <summary>The `mobile` field: one number or a comma-separated list of distinct numbers.</summary>
    public string NextMobiles(Random random)
    {
        var builder = new StringBuilder(Recipients * 11);
        for (var i = 0; i < Recipients; i++)
        {
            if (i > 0) builder.Append(',');
            builder.Append(Prefixes[random.Next(Prefixes.Length)]);
            builder.Append(random.Next(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }
}
