using Taifa.Abstractions.Messages;

namespace Taifa.Grains.Ledger;

/// <summary>
/// Durable messages and money, shaped for batches: every call covers many messages in one statement (and a commit
/// in one transaction), so the cost per message falls as load rises. The account grain stays the single owner of its
/// wallet: it decides and debits in memory and writes through <see cref="Commit"/>, guarded by the wallet's version so
/// a stale activation cannot overwrite a newer one. Messages are rows keyed by message id (which also gives their
/// acceptance day); a message is queued until its operator answer is recorded.
/// </summary>
public interface IMessageLedger
{
    /// <summary>The wallet as last committed, or null when the account has none yet.</summary>
    Task<Wallet?> ReadWallet(long accountId, CancellationToken cancellationToken = default);

    /// <summary>
    /// In one transaction: the wallet goes from <see cref="WalletCommit.ExpectedVersion"/> to the next version, every
    /// message row is inserted, every entry appended with its balance after, and every refund not applied before is
    /// credited (once per message, ever). Repeating a commit that already succeeded (same commit id, after a lost
    /// answer) changes nothing and answers as the first time did.
    /// </summary>
    /// <exception cref="WalletConflictException">The wallet is at another version: another activation wrote it.</exception>
    /// <exception cref="LedgerNotWrittenException">The commit failed before it could have committed: nothing was written.
    /// Any other failure may have committed; repeating the commit (same commit id) tells.</exception>
    Task<CommitOutcome> Commit(WalletCommit commit, CancellationToken cancellationToken = default);

    /// <summary>The append-only entries of one account after <paramref name="afterEntryId"/>, oldest first.</summary>
    Task<IReadOnlyList<LedgerEntry>> ReadEntries(long accountId, long afterEntryId, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// The entries of one account made at or after <paramref name="from"/> and before <paramref name="to"/>, after
    /// <paramref name="afterEntryId"/>, oldest first (a statement pages through them by entry id).
    /// </summary>
    Task<IReadOnlyList<LedgerEntry>> ReadEntries(long accountId, DateTimeOffset from, DateTimeOffset to, long afterEntryId, int limit, CancellationToken cancellationToken = default);

    /// <summary>The balance after the account's last entry made before <paramref name="at"/>; 0 when there is none (a
    /// wallet opens with a credit entry of its opening balance).</summary>
    Task<decimal> ReadBalanceBefore(long accountId, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>The stored messages among <paramref name="messageIds"/> (by primary key); unknown ids are left out.</summary>
    Task<IReadOnlyList<MessageRecord>> FindMessages(IReadOnlyList<long> messageIds, CancellationToken cancellationToken = default);

    /// <summary>
    /// One page of an account's messages that match <paramref name="filter"/>, newest first (by message id): at most
    /// <paramref name="limit"/>, all below <see cref="MessageHistoryFilter.BeforeMessageId"/>. Keyset-paged, so a page
    /// costs the same however many messages the account has.
    /// </summary>
    Task<IReadOnlyList<MessageRecord>> ReadHistory(long accountId, MessageHistoryFilter filter, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// How many of an account's messages were accepted on each Nairobi day (<see cref="LedgerDays.NairobiDayOf"/>)
    /// at or after <paramref name="from"/> and before <paramref name="until"/>, by status as the ledger holds it, day
    /// then status ascending. One aggregate over the account's messages in the range (read by account and message id),
    /// so its cost is bounded by those messages, whatever else is stored.
    /// </summary>
    Task<IReadOnlyList<DailyStatusCount>> CountByDay(long accountId, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken = default);

    /// <summary>
    /// How many messages are queued, cluster-wide: the durable queue's depth, exact whichever silo accepted them and
    /// whichever died since. Cheap enough to read every second, however many messages are stored.
    /// </summary>
    Task<long> CountQueued(CancellationToken cancellationToken = default);

    /// <summary>A shard's queued messages above <paramref name="afterMessageId"/>, oldest first: what a dispatcher reads on start or takeover.</summary>
    Task<IReadOnlyList<MessageRecord>> ReadQueued(string shard, long afterMessageId, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Operator answers and final states, in one statement (at most one outcome per message per call). A message moves only forward (queued → submitted → final,
    /// or queued → final); an outcome for a message already there is a no-op. Submitted outcomes map their operator
    /// part ids; a refund due is set with a final state and applied later, once, by the account's commit.
    /// </summary>
    /// <returns>The ids of the messages this call changed.</returns>
    Task<IReadOnlyList<long>> RecordOutcomes(IReadOnlyList<MessageOutcome> outcomes, CancellationToken cancellationToken = default);

    /// <summary>
    /// Part receipts, in one statement: each sets its part's final status once (a repeat is a no-op).
    /// </summary>
    /// <remarks>An operator that recycles its ids may give one to several messages: a receipt for it goes to the earliest
    /// message still waiting for a receipt of that id (all its parts with that id), never to a later one first.</remarks>
    /// <returns>The parts this receipt set, or, for a repeat (no part with that id waits any more), every part with that
    /// id, each with its status (the first receipt's), among messages accepted since <paramref name="acceptedSince"/>; a
    /// receipt for an unknown operator id matches nothing, and the operator should redeliver it.</returns>
    Task<IReadOnlyList<OperatorPart>> RecordReceipts(IReadOnlyList<PartReceipt> receipts, DateTimeOffset acceptedSince, CancellationToken cancellationToken = default);

    /// <summary>The parts with these operator ids, among messages accepted since <paramref name="acceptedSince"/> (which bounds the search to recent days).</summary>
    Task<IReadOnlyList<OperatorPart>> FindByOperatorIds(string operatorName, IReadOnlyList<string> operatorIds, DateTimeOffset acceptedSince, CancellationToken cancellationToken = default);

    /// <summary>
    /// An account's messages to <paramref name="mobileNumber"/> accepted at or after <paramref name="acceptedSince"/>
    /// and before <paramref name="acceptedBefore"/> (by message id, so only those days are read), newest first, at most
    /// <paramref name="limit"/>: what a receipt for an operator id no part has is matched against when its id was lost
    /// with a silo (by sender, handset, submit date and text). Each comes with its shard and the lost ids mapped to it
    /// so far. Read as a history page filtered by number is, so it costs nothing on the way in.
    /// </summary>
    Task<IReadOnlyList<RecipientMessage>> FindByRecipient(long accountId, string mobileNumber, DateTimeOffset acceptedSince, DateTimeOffset acceptedBefore, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Maps an operator id the ledger never recorded (the operator took a submit whose answer was lost) to part
    /// <paramref name="part"/> (0-based) of the message, so its receipts, and their repeats, find the message by id
    /// (<see cref="RecordReceipts"/>, <see cref="FindByOperatorIds"/>) as a <see cref="LostPart"/>. The message's own
    /// part ids (<see cref="MessageRecord.OperatorPartIds"/>) stay as recorded.
    /// </summary>
    /// <returns>True when mapped now; false when the id was mapped to the message before, or there is no such message.</returns>
    Task<bool> MapLostPart(long messageId, int part, string operatorName, string operatorId, CancellationToken cancellationToken = default);

    /// <summary>Refunds set on final messages of this account that its wallet has not applied yet.</summary>
    Task<IReadOnlyList<RefundDue>> ReadRefundsDue(long accountId, int limit, CancellationToken cancellationToken = default);

    /// <summary>Pending follow-ups (dlr_url callbacks, SMPP receipts, refunds not applied) due at or before <paramref name="now"/>, earliest first.</summary>
    Task<IReadOnlyList<FollowUp>> ReadFollowUpsDue(DateTimeOffset now, int limit, CancellationToken cancellationToken = default);

    /// <summary>Replaces the pending follow-ups of these messages (nothing left pending: none is due any more).</summary>
    Task RecordFollowUps(IReadOnlyList<FollowUp> followUps, CancellationToken cancellationToken = default);

    /// <summary>Committed messages of this account not yet handed to their records and dispatchers, oldest first
    /// (scheduled ones are not: <see cref="ReadScheduledDue"/> gives them back at their time).</summary>
    Task<IReadOnlyList<LedgerMessage>> ReadNotHandedOff(long accountId, int limit, CancellationToken cancellationToken = default);

    /// <summary>These messages reached their records and dispatchers: no activation hands them off again, and a
    /// scheduled one among them is queued now.</summary>
    Task MarkHandedOff(IReadOnlyList<long> messageIds, CancellationToken cancellationToken = default);

    /// <summary>
    /// Scheduled messages whose send time is at or before <paramref name="now"/>, in (send time, message id) order,
    /// after <paramref name="after"/> (null: from the first): each stays scheduled until it is handed off.
    /// </summary>
    Task<IReadOnlyList<MessageRecord>> ReadScheduledDue(DateTimeOffset now, ScheduledPosition? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>These scheduled messages were cancelled: they no longer wait for their time, nor for a hand-off (a message no longer scheduled is left as it is).</summary>
    Task CancelScheduled(IReadOnlyList<long> messageIds, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Queued messages whose validity ended at or before <paramref name="now"/>, earliest first.</summary>
    Task<IReadOnlyList<long>> ReadExpiredQueued(DateTimeOffset now, int limit, CancellationToken cancellationToken = default);

    /// <summary>Makes sure the days around <paramref name="now"/> can take messages, and drops days past the retention.</summary>
    Task Maintain(DateTimeOffset now, CancellationToken cancellationToken = default);
}

public enum LedgerEntryKind
{
    Debit = 1,
    Refund = 2,
    Credit = 3,
    TopUp = 4,
}

/// <summary>The names of the entry kinds, as the ledger table and the statement spell them.</summary>
public static class LedgerEntryKinds
{
    public static string Name(this LedgerEntryKind kind) => kind switch
    {
        LedgerEntryKind.Debit => "debit",
        LedgerEntryKind.Refund => "refund",
        LedgerEntryKind.Credit => "credit",
        LedgerEntryKind.TopUp => "topup",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static LedgerEntryKind Parse(string name) => name switch
    {
        "debit" => LedgerEntryKind.Debit,
        "refund" => LedgerEntryKind.Refund,
        "credit" => LedgerEntryKind.Credit,
        "topup" => LedgerEntryKind.TopUp,
        _ => throw new InvalidOperationException($"unknown ledger entry kind '{name}'"),
    };
}

/// <summary>
/// Which of an account's messages a history page holds. Times bound <see cref="MessageRecord.AcceptedAt"/> (from
/// inclusive, until exclusive); null leaves that side open, as a null number, sender ID (both normalised) or status
/// matches all.
/// </summary>
public sealed record MessageHistoryFilter(
    long? BeforeMessageId = null,
    DateTimeOffset? From = null,
    DateTimeOffset? Until = null,
    string? MobileNumber = null,
    string? SenderId = null,
    MessageStatus? Status = null)
{
    /// <summary>
    /// How long after its id was given a message can be accepted: within the send deadline, or, repeated with its
    /// Idempotency-Key, within the key's retention (24 h by default). Message ids carry their intake time, so a message
    /// accepted at or after <see cref="From"/> has an id at or above <see cref="LowestId"/>, and one accepted before
    /// <see cref="Until"/> an id below <see cref="HighestIdExclusive"/>: the bounds that let a page read only the days it needs.
    /// </summary>
    public static readonly TimeSpan AcceptanceLag = TimeSpan.FromDays(2);

    public long LowestId => From is { } from ? LedgerDays.FirstIdAt(from - AcceptanceLag) : 0;

    public long HighestIdExclusive => Math.Min(BeforeMessageId ?? long.MaxValue, Until is { } until ? LedgerDays.FirstIdAt(until) : long.MaxValue);

    public bool Matches(MessageRecord message) =>
        message.MessageId >= LowestId && message.MessageId < HighestIdExclusive
        && (From is not { } from || message.AcceptedAt >= from)
        && (Until is not { } until || message.AcceptedAt < until)
        && (MobileNumber is null || message.MobileNumber == MobileNumber)
        && (SenderId is null || message.SenderId == SenderId)
        && (Status is null || message.Status == Status);
}

/// <summary>One cell of <see cref="IMessageLedger.CountByDay"/>: the messages of one Nairobi day in one status.</summary>
public sealed record DailyStatusCount(DateOnly Day, MessageStatus Status, long Count);

public sealed record Wallet(long AccountId, decimal Balance, long Version);

/// <summary>Where a walk through the scheduled messages is: the last one read.</summary>
public readonly record struct ScheduledPosition(DateTimeOffset SendAt, long MessageId) : IComparable<ScheduledPosition>
{
    public int CompareTo(ScheduledPosition other) =>
        SendAt != other.SendAt ? SendAt.CompareTo(other.SendAt) : MessageId.CompareTo(other.MessageId);

    public static bool operator <(ScheduledPosition left, ScheduledPosition right) => left.CompareTo(right) < 0;

    public static bool operator <=(ScheduledPosition left, ScheduledPosition right) => left.CompareTo(right) <= 0;

    public static bool operator >(ScheduledPosition left, ScheduledPosition right) => left.CompareTo(right) > 0;

    public static bool operator >=(ScheduledPosition left, ScheduledPosition right) => left.CompareTo(right) >= 0;

    public static ScheduledPosition Of(MessageRecord message) => new(message.SendAt!.Value, message.MessageId);
}

/// <summary>A message accepted into a commit, with the dispatch shard it goes to (null: no route).</summary>
public sealed record LedgerMessage(MessageRecord Record, string? Shard);

/// <summary>A credit or top-up, unique per account, kind and reference (a repeat with the same reference is a no-op).</summary>
public sealed record WalletCredit(LedgerEntryKind Kind, decimal Amount, string Reference);

/// <summary>A refund the account applies for one message.</summary>
public sealed record RefundDue(long MessageId, decimal Amount);

/// <summary>
/// What one group commit of an account makes durable. Entries are applied in this order: each message's debit (its
/// cost), then the credits, then the refunds; <see cref="MessageRecord.BalanceAfter"/> of the messages is the balance
/// the ledger computes too, since both start from the committed balance.
/// </summary>
public sealed record WalletCommit(
    long AccountId,
    Guid CommitId,
    long ExpectedVersion,
    DateTimeOffset At,
    IReadOnlyList<LedgerMessage> Messages,
    IReadOnlyList<WalletCredit> Credits,
    IReadOnlyList<RefundDue> Refunds)
{
    /// <summary>The wallet's first commit (expected version 0) opens it with this balance, as a credit entry.</summary>
    public decimal OpeningBalance { get; init; }

    /// <summary>Messages refunded before the ledger kept the money (an account upgraded from its old state): recorded as
    /// refunds of nothing, so a repeated refund request for them stays a no-op.</summary>
    public IReadOnlyList<long> RefundedBefore { get; init; } = [];
}

/// <param name="Wallet">The wallet after the commit.</param>
/// <param name="AppliedRefunds">The refunds this commit credited; the others had been applied before.</param>
/// <param name="Repeated">The commit had already succeeded; nothing was written now.</param>
public sealed record CommitOutcome(Wallet Wallet, IReadOnlyList<long> AppliedRefunds, bool Repeated)
{
    /// <summary>The credits and top-ups this commit applied; the others the ledger held before (same kind and reference).
    /// Empty on a repeat, which the account never sends: after a failed commit it reloads its balance instead.</summary>
    public IReadOnlyList<WalletCredit> AppliedCredits { get; init; } = [];
}

public sealed record LedgerEntry(
    long EntryId,
    long AccountId,
    LedgerEntryKind Kind,
    decimal Amount,
    decimal BalanceAfter,
    long? MessageId,
    string? Reference,
    DateTimeOffset At);

/// <summary>One message's operator answer or final state.</summary>
public sealed record MessageOutcome(long MessageId, MessageStatus Status, DateTimeOffset At)
{
    public string? OperatorName { get; init; }

    /// <summary>For <see cref="MessageStatus.Submitted"/> (and the parts accepted before a rejection): the operator's ids, in part order.</summary>
    public IReadOnlyList<string> OperatorPartIds { get; init; } = [];

    public string? ErrorCode { get; init; }

    /// <summary>With a final state: what the account gives back (0: nothing).</summary>
    public decimal Refund { get; init; }
}

public sealed record PartReceipt(string OperatorName, string OperatorMessageId, MessageStatus Status, string? ErrorCode, DateTimeOffset ReceivedAt);

/// <summary>
/// One part the operator took: its id, and its receipt's status once one came. <paramref name="Part"/> is the part's
/// index, or, for an id whose submit answer was lost (<see cref="IMessageLedger.MapLostPart"/>), below zero
/// (<see cref="LostPart"/>).
/// </summary>
public sealed record OperatorPart(string OperatorName, string OperatorMessageId, long MessageId, int Part, MessageStatus? Status)
{
    /// <summary>The index of the part a lost id stands for; null for a part of the message's recorded ids.</summary>
    public int? LostFor => LostPart.Index(Part);
}

/// <summary>
/// How a lost id is numbered among a message's parts: below zero, so the recorded parts keep 0…n−1, and apart by the
/// part it stands for (the <c>k</c>-th lost id of part <c>i</c> is −1 − i − 256·k; a message has at most 255 parts).
/// </summary>
public static class LostPart
{
    public const int Stride = 256;

    public static int Number(int part, int earlierLostOfPart) => -1 - part - Stride * earlierLostOfPart;

    public static int? Index(int number) => number < 0 ? (-1 - number) % Stride : null;
}

/// <summary>A message to one number (<see cref="IMessageLedger.FindByRecipient"/>): its row, its dispatch shard, and
/// the operator ids mapped to it for submits whose answer was lost.</summary>
public sealed record RecipientMessage(MessageRecord Record, string? Shard, IReadOnlyList<string> LostPartIds);

/// <summary>
/// What a final message still owes: its customer's dlr_url callback and SMPP receipt, its refund (not yet applied by
/// the account), and when the next attempt is due. Kept on the message's row so that work left behind by a silo that
/// died is found and resumed (<see cref="IMessageLedger.ReadFollowUpsDue"/>).
/// </summary>
public sealed record FollowUp(long MessageId, bool StatusCallback, bool SmppReceipt, int Attempts, DateTimeOffset NextAttemptAt)
{
    /// <summary>The refund still to apply (zero: none, or applied).</summary>
    public decimal RefundDue { get; init; }

    public bool Pending => StatusCallback || SmppReceipt || RefundDue > 0m;
}

/// <summary>The wallet was written by another activation since this one read it: this one must reload.</summary>
public sealed class WalletConflictException(long accountId, long expectedVersion)
    : Exception($"wallet of account {accountId} is no longer at version {expectedVersion}: another activation wrote it");

/// <summary>A commit that failed before it could have been committed (the database was not reached, or refused it).</summary>
public sealed class LedgerNotWrittenException(long accountId, Exception cause)
    : Exception($"account {accountId}: the ledger commit was not written ({cause.GetType().Name}: {cause.Message})", cause);
