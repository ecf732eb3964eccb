using Taifa.Domain.Text;

namespace Taifa.Abstractions.Messages;

public enum MessageChannel
{
    Rest = 0,
    Smpp = 1,
}

/// <summary>Lifecycle of one recipient's message; the wire form is the lower-case name.</summary>
public enum MessageStatus
{
    Queued = 0,
    Submitted = 1,
    Delivered = 2,
    Undelivered = 3,
    Expired = 4,
    Rejected = 5,
    Failed = 6,

    /// <summary>Cancelled by its customer before it was handed to an operator; refunded whole.</summary>
    Cancelled = 7,

    /// <summary>Accepted and charged, held until its <see cref="MessageRecord.SendAt"/>; then queued.</summary>
    Scheduled = 8,
}

/// <summary>Concatenation position of one segment submitted over SMPP with a UDH or sar_* TLVs.</summary>
[GenerateSerializer, Immutable, Alias("taifa.segment.v1")]
public sealed record SegmentInfo(
    [property: Id(0)] int Reference,
    [property: Id(1)] int Total,
    [property: Id(2)] int SequenceNumber);

/// <summary>One accepted recipient of a send: what was charged and what must reach the operator.</summary>
[GenerateSerializer, Immutable, Alias("taifa.message-record.v1")]
public sealed record MessageRecord
{
    [Id(0)] public required long MessageId { get; init; }
    [Id(1)] public required long RecipientId { get; init; }
    [Id(2)] public required long AccountId { get; init; }
    [Id(3)] public required string MobileNumber { get; init; }
    [Id(4)] public required int NetworkId { get; init; }
    [Id(5)] public required string SenderId { get; init; }
    [Id(6)] public required string Text { get; init; }
    [Id(7)] public required SmsEncoding Encoding { get; init; }
    [Id(8)] public required int Parts { get; init; }
    [Id(9)] public required decimal Cost { get; init; }
    [Id(10)] public string? ServiceId { get; init; }
    [Id(11)] public required MessageChannel Channel { get; init; }
    [Id(12)] public MessageStatus Status { get; init; } = MessageStatus.Queued;
    [Id(13)] public required DateTimeOffset AcceptedAt { get; init; }
    [Id(14)] public DateTimeOffset UpdatedAt { get; init; }
    [Id(15)] public bool RegisteredDelivery { get; init; }
    [Id(16)] public string? DlrUrl { get; init; }
    [Id(17)] public SegmentInfo? Segment { get; init; }
    [Id(18)] public string? OperatorMessageId { get; init; }
    [Id(19)] public string? OperatorErrorCode { get; init; }
    [Id(20)] public DateTimeOffset? SubmittedAt { get; init; }
    [Id(21)] public DateTimeOffset? DoneAt { get; init; }

    /// <summary>The operator's ids of the parts it accepted, in part order.</summary>
    [Id(22)] public IReadOnlyList<string> OperatorPartIds { get; init; } = [];

    [Id(23)] public string? OperatorName { get; init; }

    /// <summary>The wallet right after this message was charged: what a repeated send answers again.</summary>
    [Id(24)] public decimal BalanceAfter { get; init; }

    /// <summary>When the customer asked for it to be handed to its operator; null: at once.</summary>
    [Id(25)] public DateTimeOffset? SendAt { get; init; }

    /// <summary>Not taken by an operator by then, it expires (refunded); passed on as the submit_sm's validity_period.
    /// Null only in records written before validity was kept: no limit.</summary>
    [Id(26)] public DateTimeOffset? ExpiresAt { get; init; }
}

public static class MessageStatuses
{
    public static bool IsFinal(this MessageStatus status) => status is MessageStatus.Delivered or MessageStatus.Undelivered
        or MessageStatus.Expired or MessageStatus.Rejected or MessageStatus.Failed or MessageStatus.Cancelled;
}
