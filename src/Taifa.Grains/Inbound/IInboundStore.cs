using Taifa.Abstractions.Inbound;

namespace Taifa.Grains.Inbound;

/// <summary>
/// Where inbound (mobile-originated) messages, the numbers that route them, the work of delivering them and the
/// accounts' opt-out lists live. In process for the embedded default (<see cref="InMemoryInboundStore"/>), PostgreSQL
/// in production; both pass the same contract tests.
/// </summary>
public interface IInboundStore
{
    /// <summary>Claims (number, keyword) for an account; <see cref="InboundNumberClaim.Conflict"/> when another account holds it.</summary>
    Task<InboundNumberClaim> AddNumber(InboundNumber number, DateTimeOffset now);

    /// <summary>False when the account does not hold that (number, keyword).</summary>
    Task<bool> RemoveNumber(InboundNumber number);

    /// <summary>
    /// Stores one received PDU durably, unless a PDU with the same <see cref="InboundPdu.DedupeKey"/> arrived within
    /// <paramref name="redeliveryWindow"/> before it (the operator delivering it again). A part of a concatenated message
    /// waits until every part is in; the last one makes the message: routed by <see cref="InboundRouting"/>, stored,
    /// and its delivery work queued, all in one transaction.
    /// </summary>
    Task<InboundAcceptance> Accept(InboundPdu pdu, TimeSpan redeliveryWindow);

    /// <summary>The account's inbound messages, newest first, those older than <paramref name="before"/> (an inbound id) when given.</summary>
    Task<IReadOnlyList<InboundMessage>> List(long accountId, int limit, long? before);

    /// <summary>Sets the account's inbound webhook; null removes it.</summary>
    Task SetWebhook(long accountId, string? url);

    Task<string?> Webhook(long accountId);

    /// <summary>
    /// Up to <paramref name="max"/> work items due at <paramref name="now"/>, each leased to the caller: no other caller
    /// gets it until <paramref name="now"/> + <paramref name="lease"/> (so a silo that dies holding it only delays it).
    /// </summary>
    Task<IReadOnlyList<InboundWork>> ClaimDue(DateTimeOffset now, TimeSpan lease, int max);

    /// <summary>The work is done (or given up): it is removed.</summary>
    Task Complete(long workId);

    /// <summary>The attempt failed: tried again at <paramref name="nextAttempt"/>, with one more attempt counted.</summary>
    Task Retry(long workId, DateTimeOffset nextAttempt);

    /// <summary>Forgets redelivery keys older than <paramref name="pdusBefore"/> and parts still waiting for their message since before it.</summary>
    Task<int> Prune(DateTimeOffset pdusBefore);

    /// <summary>False when the number was already on the list (its first entry stays).</summary>
    Task<bool> AddOptOut(long accountId, string mobileNumber, OptOutSource source, DateTimeOffset now);

    Task<bool> RemoveOptOut(long accountId, string mobileNumber);

    /// <summary>The account's opt-out list, newest first.</summary>
    Task<IReadOnlyList<OptOutEntry>> OptOuts(long accountId);
}

/// <summary>A number (short code or long number) an account receives on, optionally only for texts starting with a keyword (upper case).</summary>
public sealed record InboundNumber(long AccountId, string Number, string? Keyword);

public enum InboundNumberClaim
{
    Added,

    /// <summary>The account already held it: nothing changed.</summary>
    AlreadyHeld,

    Conflict,
}

/// <summary>Which part of a concatenated inbound this PDU is.</summary>
public sealed record InboundSegment(int Reference, int Total, int Part);

/// <summary>One deliver_sm (or data_sm) as the operator sent it, decoded.</summary>
public sealed record InboundPdu
{
    /// <summary>The id the message gets if this PDU completes one (unused otherwise).</summary>
    public required long InboundId { get; init; }

    public required string Operator { get; init; }

    /// <summary>The sender, normalised to 254… when it is a Kenyan mobile number, else as the operator gave it.</summary>
    public required string From { get; init; }

    public required string To { get; init; }

    public required string Text { get; init; }

    public required int NetworkId { get; init; }

    public InboundSegment? Segment { get; init; }

    /// <summary>What identifies a redelivery of the same PDU (see <see cref="InboundRedelivery"/>).</summary>
    public required string DedupeKey { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The key shared by every part of one concatenated message.</summary>
    public string? GroupKey => Segment is { } s ? $"{Operator}|{From}|{To}|{s.Reference}|{s.Total}" : null;
}

/// <summary>An inbound message, whole. AccountId is null when no account's number and keyword matched (kept, never delivered).</summary>
public sealed record InboundMessage(
    long InboundId,
    long? AccountId,
    string Operator,
    string From,
    string To,
    string? Keyword,
    string Text,
    int NetworkId,
    bool OptOut,
    DateTimeOffset ReceivedAt);

public enum InboundAcceptOutcome
{
    /// <summary>A redelivery of a PDU already stored: nothing changed.</summary>
    Duplicate,

    /// <summary>A part stored; the message waits for its other parts.</summary>
    PartStored,

    /// <summary>The message is whole and stored (<see cref="InboundAcceptance.Message"/>).</summary>
    Stored,
}

public sealed record InboundAcceptance(InboundAcceptOutcome Outcome, InboundMessage? Message = null);

public enum InboundWorkKind
{
    /// <summary>POST the message to the account's inbound webhook (if it has one).</summary>
    Webhook = 1,

    /// <summary>Park it in the account's SMPP outbox, for its receiver and transceiver sessions.</summary>
    Smpp = 2,

    /// <summary>Put the sender on the account's opt-out list (through the account, which holds the list in memory).</summary>
    OptOut = 3,
}

/// <summary>One delivery step of one inbound message for one account, with the attempts it has failed so far.</summary>
public sealed record InboundWork(long WorkId, InboundWorkKind Kind, long AccountId, InboundMessage Message, int Attempts);

public sealed record OptOutEntry(string MobileNumber, OptOutSource Source, DateTimeOffset CreatedAt);
