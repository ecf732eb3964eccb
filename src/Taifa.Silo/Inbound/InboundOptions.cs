using System.ComponentModel.DataAnnotations;

namespace Taifa.Silo.Inbound;

/// <summary>Inbound (mobile-originated) messages: <c>Taifa:Inbound</c>.</summary>
public sealed class InboundOptions
{
    public const string Section = "Taifa:Inbound";

    /// <summary>
    /// A deliver_sm with the same operator, sender, number, coding and bytes as one received this recently is taken for
    /// the operator delivering it again (its deliver_sm_resp was lost) and stored once. SMSCs give MO messages no id of
    /// their own, and sequence numbers restart with each session, so the content is the only key.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RedeliveryWindow { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long a message is offered to a webhook that does not answer 2xx (with back-off) before giving up.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan WebhookRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often each silo looks for delivery work that is due (new messages wake it at once).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
