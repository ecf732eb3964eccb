using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Taifa.Abstractions.Messages;

namespace Taifa.Grains.Ledger;

/// <summary>
/// The ledger in memory, for the embedded default and in-process test clusters: the same rules as the PostgreSQL one
/// (the contract tests run against both), gone with the process. A test cluster runs several silos in one process;
/// <see cref="ForCluster"/> gives them one shared instance, as the in-memory grain storage is shared.
/// </summary>
public sealed class InProcessMessageLedger(IOptions<LedgerOptions> options) : IMessageLedger
{
    private static readonly ConcurrentDictionary<string, InProcessMessageLedger> Clusters = new(StringComparer.Ordinal);

    private readonly Lock _lock = new();
    private readonly Dictionary<long, WalletRow> _wallets = [];
    private readonly List<LedgerEntry> _entries = [];
    private readonly HashSet<(LedgerEntryKind Kind, long MessageId)> _messageEntries = [];
    private readonly HashSet<(long AccountId, LedgerEntryKind Kind, string Reference)> _referenceEntries = [];
    private readonly SortedDictionary<long, MessageRow> _messages = [];
    private readonly Dictionary<(string Operator, string Id), List<PartRow>> _partsByOperatorId = [];
    private readonly SortedSet<ScheduledPosition> _scheduled = [];

    public InProcessMessageLedger()
        : this(Microsoft.Extensions.Options.Options.Create(new LedgerOptions()))
    {
    }

    /// <summary>One ledger per cluster (by service id) in this process, shared by its silos.</summary>
    public static InProcessMessageLedger ForCluster(string serviceId) => Clusters.GetOrAdd(serviceId, _ => new InProcessMessageLedger());

    public Task<Wallet?> ReadWallet(long accountId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_wallets.TryGetValue(accountId, out var row) ? new Wallet(accountId, row.Balance, row.Version) : null);
        }
    }

    public async Task<CommitOutcome> Commit(WalletCommit commit, CancellationToken cancellationToken = default)
    {
        // Completes later, as a database commit does: what the caller does meanwhile (more sends) joins its next commit.
        await Task.Yield();
        return CommitNow(commit);
    }

    private CommitOutcome CommitNow(WalletCommit commit)
    {
        lock (_lock)
        {
            var row = _wallets.GetValueOrDefault(commit.AccountId);
            var plan = CommitPlan.Decide(
                commit,
                row,
                refund => _messageEntries.Contains((LedgerEntryKind.Refund, refund.MessageId)),
                credit => _referenceEntries.Contains((commit.AccountId, credit.Kind, credit.Reference)));
            if (plan is null) return CommitPlan.RepeatOutcome(commit, row!);

            // Checked before anything changes, as the database's unique keys refuse the whole transaction.
            foreach (var message in commit.Messages)
            {
                if (_messageEntries.Contains((LedgerEntryKind.Debit, message.Record.MessageId)) || _messages.ContainsKey(message.Record.MessageId))
                {
                    throw new InvalidOperationException($"message {message.Record.MessageId} is already in the ledger: it is debited once");
                }
            }

            foreach (var message in commit.Messages)
            {
                _messages[message.Record.MessageId] = new MessageRow(message.Record, message.Shard);
                if (message.Record.Status == MessageStatus.Scheduled) _scheduled.Add(ScheduledPosition.Of(message.Record));
            }
            foreach (var entry in plan.Entries)
            {
                _entries.Add(new LedgerEntry(_entries.Count + 1, commit.AccountId, entry.Kind, entry.Amount, entry.BalanceAfter, entry.MessageId, entry.Reference, commit.At));
                if (entry.MessageId is { } messageId) _messageEntries.Add((entry.Kind, messageId));
                if (entry.Reference is { } reference) _referenceEntries.Add((commit.AccountId, entry.Kind, reference));
            }

            foreach (var messageId in commit.Refunds.Select(r => r.MessageId).Concat(commit.RefundedBefore))
            {
                if (_messages.TryGetValue(messageId, out var refunded) && _messageEntries.Contains((LedgerEntryKind.Refund, messageId))) refunded.RefundApplied = true;
            }

            _wallets[commit.AccountId] = new WalletRow(plan.Balance, commit.ExpectedVersion + 1, commit.CommitId, plan.AppliedRefunds);
            return plan.Outcome(commit);
        }
    }

    public Task<IReadOnlyList<LedgerEntry>> ReadEntries(long accountId, long afterEntryId, int limit, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Result(_entries.Where(e => e.AccountId == accountId && e.EntryId > afterEntryId).Take(limit));
        }
    }

    public Task<IReadOnlyList<LedgerEntry>> ReadEntries(long accountId, DateTimeOffset from, DateTimeOffset to, long afterEntryId, int limit, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Result(_entries.Where(e => e.AccountId == accountId && e.EntryId > afterEntryId && e.At >= from && e.At < to).Take(limit));
        }
    }

    public Task<decimal> ReadBalanceBefore(long accountId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_entries.LastOrDefault(e => e.AccountId == accountId && e.At < at)?.BalanceAfter ?? 0m);
        }
    }

    public Task<IReadOnlyList<MessageRecord>> FindMessages(IReadOnlyList<long> messageIds, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Result(messageIds.Distinct().Where(_messages.ContainsKey).Select(id => _messages[id].Current));
        }
    }

    public Task<long> CountQueued(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult((long)_messages.Values.Count(m => m.Record.Status == MessageStatus.Queued));
        }
    }

    public Task<IReadOnlyList<MessageRecord>> ReadQueued(string shard, long afterMessageId, int limit, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Result(_messages.Values
                .Where(m => m.Record.MessageId > afterMessageId && m.Shard == shard && m.Record.Status == MessageStatus.Queued)
                .Take(limit)
                .Select(m => m.Current));
        }
    }

    public Task<IReadOnlyList<long>> RecordOutcomes(IReadOnlyList<MessageOutcome> outcomes, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var changed = new List<long>();
            foreach (var outcome in outcomes)
            {
                if (!_messages.TryGetValue(outcome.MessageId, out var row) || !LedgerTransitions.Allowed(row.Record.Status, outcome.Status)) continue;
                row.Apply(outcome);
                for (var part = 0; part < outcome.OperatorPartIds.Count; part++)
                {
                    var key = (outcome.OperatorName ?? "", outcome.OperatorPartIds[part]);
                    if (row.Parts.Any(p => p.Part == part)) continue;
                    var partRow = new PartRow(key.Item1, key.Item2, outcome.MessageId, part);
                    row.Parts.Add(partRow);
                    if (!_partsByOperatorId.TryGetValue(key, out var list)) _partsByOperatorId[key] = list = [];
                    list.Add(partRow);
                }

                changed.Add(outcome.MessageId);
            }

            return Task.FromResult<IReadOnlyList<long>>(changed);
        }
    }

    public Task<IReadOnlyList<OperatorPart>> RecordReceipts(IReadOnlyList<PartReceipt> receipts, DateTimeOffset acceptedSince, CancellationToken cancellationToken = default)
    {
        var firstId = LedgerDays.FirstId(LedgerDays.DayOf(acceptedSince));
        lock (_lock)
        {
            var matched = new List<OperatorPart>();
            foreach (var receipt in receipts.DistinctBy(r => (r.OperatorName, r.OperatorMessageId)))
            {
                if (!_partsByOperatorId.TryGetValue((receipt.OperatorName, receipt.OperatorMessageId), out var parts)) continue;
                var known = parts.Where(p => p.MessageId >= firstId && _messages.ContainsKey(p.MessageId)).ToList();
                var waiting = known.Where(p => p.Status is null).Select(p => p.MessageId).DefaultIfEmpty().Min();
                if (waiting == 0)
                {
                    matched.AddRange(known.Select(p => p.ToView()));
                    continue;
                }

                foreach (var part in known.Where(p => p.MessageId == waiting && p.Status is null))
                {
                    part.Status = receipt.Status;
                    part.ErrorCode = receipt.ErrorCode;
                    matched.Add(part.ToView());
                }
            }

            return Task.FromResult<IReadOnlyList<OperatorPart>>(matched);
        }
    }

    public Task<IReadOnlyList<OperatorPart>> FindByOperatorIds(string operatorName, IReadOnlyList<string> operatorIds, DateTimeOffset acceptedSince, CancellationToken cancellationToken = default)
    {
        var firstId = LedgerDays.FirstId(LedgerDays.DayOf(acceptedSince));
        lock (_lock)
        {
            return Result(operatorIds.Distinct(StringComparer.Ordinal)
                .SelectMany(id => _partsByOperatorId.GetValueOrDefault((operatorName, id)) ?? [])
                .Where(p => p.MessageId >= firstId && _messages.ContainsKey(p.MessageId))
                .Select(p => p.ToView()));
        }
    }

    public Task<IReadOnlyList<RecipientMessage>> FindByRecipient(long accountId, string mobileNumber, DateTimeOffset acceptedSince, DateTimeOffset acceptedBefore, int limit, CancellationToken cancellationToken = default)
    {
        var (low, high) = (LedgerDays.FirstIdAt(acceptedSince), LedgerDays.FirstIdAt(acceptedBefore));
        lock (_lock)
        {
            return Result(_messages.Values.Reverse()
                .Where(m => m.Record.MessageId >= low && m.Record.MessageId < high && m.Record.AccountId == accountId && m.Record.MobileNumber == mobileNumber)
                .Take(limit)
                .Select(m => new RecipientMessage(
                    m.Current, m.Shard, m.Parts.Where(p => p.Part < 0).OrderByDescending(p => p.Part).Select(p => p.OperatorMessageId).ToArray())));
        }
    }

    public Task<bool> MapLostPart(long messageId, int part, string operatorName, string operatorId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_messages.TryGetValue(messageId, out var row) || row.Parts.Any(p => p.Part < 0 && p.OperatorName == operatorName && p.OperatorMessageId == operatorId))
            {
                return Task.FromResult(false);
            }

            var number = LostPart.Number(part, row.Parts.Count(p => p.LostFor == part));
            var partRow = new PartRow(operatorName, operatorId, messageId, number);
            row.Parts.Add(partRow);
            if (!_partsByOperatorId.TryGetValue((operatorName, operatorId), out var list)) _partsByOperatorId[(operatorName, operatorId)] = list = [];
            list.Add(partRow);
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<RefundDue>> ReadRefundsDue(long accountId, int limit, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Result(_messages.Values
                .Where(m => m.Record.AccountId == accountId && m.RefundDue > 0m && !m.RefundApplied)
                .Take(limit)
                .Select(m => new RefundDue(m.Record.MessageId, m.RefundDue)));
        }
    }

    public Task<IReadOnlyList<FollowUp>> ReadFollowUpsDue(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Result(_messages.Values
                .Where(m => m.FollowUp is not null)
                .Select(m => m.FollowUp! with { RefundDue = m.RefundApplied ? 0m : m.FollowUp.RefundDue })
                .Where(f => f.NextAttemptAt <= now)
                .OrderBy(f => f.NextAttemptAt)
                .ThenBy(f => f.MessageId)
                .Take(limit));
        }
    }

    public Task RecordFollowUps(IReadOnlyList<FollowUp> followUps, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            foreach (var followUp in followUps)
            {
                if (_messages.TryGetValue(followUp.MessageId, out var row)) row.FollowUp = followUp.Pending ? followUp : null;
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<MessageRecord>> ReadHistory(long accountId, MessageHistoryFilter filter, int limit, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Result(_messages.Values.Reverse()
                .Where(m => m.Record.AccountId == accountId && filter.Matches(m.Record))
                .Take(limit)
                .Select(m => m.Current));
        }
    }

    public Task<IReadOnlyList<DailyStatusCount>> CountByDay(long accountId, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        var range = new MessageHistoryFilter(From: from, Until: until);
        lock (_lock)
        {
            return Result(_messages.Values
                .Where(m => m.Record.AccountId == accountId && range.Matches(m.Record))
                .GroupBy(m => (Day: LedgerDays.NairobiDayOf(m.Record.AcceptedAt), m.Record.Status))
                .OrderBy(g => g.Key.Day).ThenBy(g => g.Key.Status)
                .Select(g => new DailyStatusCount(g.Key.Day, g.Key.Status, g.LongCount())));
        }
    }

    public Task<IReadOnlyList<LedgerMessage>> ReadNotHandedOff(long accountId, int limit, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Result(_messages.Values
                .Where(m => m.Record.AccountId == accountId && !m.HandedOff && m.Record.Status != MessageStatus.Scheduled)
                .Take(limit)
                .Select(m => new LedgerMessage(m.Current, m.Shard)));
        }
    }

    public Task MarkHandedOff(IReadOnlyList<long> messageIds, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            foreach (var id in messageIds)
            {
                if (!_messages.TryGetValue(id, out var row)) continue;
                row.HandedOff = true;
                if (row.Record.Status == MessageStatus.Scheduled && _scheduled.Remove(ScheduledPosition.Of(row.Record))) row.SetStatus(MessageStatus.Queued, null);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<MessageRecord>> ReadScheduledDue(DateTimeOffset now, ScheduledPosition? after, int limit, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_scheduled.Count == 0) return Result<MessageRecord>([]);
            var lower = after ?? _scheduled.Min;
            var upper = new ScheduledPosition(now, long.MaxValue);
            if (lower > upper) return Result<MessageRecord>([]);
            return Result(_scheduled.GetViewBetween(lower, upper).Where(p => p != after).Take(limit).Select(p => _messages[p.MessageId].Current));
        }
    }

    public Task<IReadOnlyList<long>> ReadExpiredQueued(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Result(_messages.Values
                .Where(m => m.Record.Status == MessageStatus.Queued && m.Record.ExpiresAt <= now)
                .OrderBy(m => m.Record.ExpiresAt)
                .Take(limit)
                .Select(m => m.Record.MessageId));
        }
    }

    public Task CancelScheduled(IReadOnlyList<long> messageIds, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            foreach (var id in messageIds)
            {
                if (!_messages.TryGetValue(id, out var row) || !_scheduled.Remove(ScheduledPosition.Of(row.Record))) continue;
                row.SetStatus(MessageStatus.Cancelled, at);
                row.HandedOff = true;
            }
        }

        return Task.CompletedTask;
    }

    public Task Maintain(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var firstKept = LedgerDays.FirstId(LedgerDays.FirstKept(now, options.Value.RetentionDays));
        lock (_lock)
        {
            // As in the database, a message still waiting for its send time outlives its day.
            foreach (var old in _messages.Keys.TakeWhile(id => id < firstKept).Where(id => _messages[id].Record.Status != MessageStatus.Scheduled).ToList())
            {
                _messages.Remove(old);
            }

            foreach (var (key, parts) in _partsByOperatorId.ToList())
            {
                parts.RemoveAll(p => p.MessageId < firstKept);
                if (parts.Count == 0) _partsByOperatorId.Remove(key);
            }
        }

        return Task.CompletedTask;
    }

    private static Task<IReadOnlyList<T>> Result<T>(IEnumerable<T> items) => Task.FromResult<IReadOnlyList<T>>(items.ToList());

    private sealed class MessageRow(MessageRecord record, string? shard)
    {
        public MessageRecord Record { get; private set; } = record;
        public string? Shard { get; } = shard;
        public List<PartRow> Parts { get; } = [];
        public decimal RefundDue { get; private set; }
        public bool RefundApplied { get; set; }
        public bool HandedOff { get; set; }
        public FollowUp? FollowUp { get; set; }

        public void SetStatus(MessageStatus status, DateTimeOffset? doneAt) =>
            Record = Record with { Status = status, DoneAt = doneAt ?? Record.DoneAt, UpdatedAt = doneAt ?? Record.UpdatedAt };

        // An array, as the database gives: a record read here may be stored in grain state, whose JSON names its list's type.
        public MessageRecord Current => Record with { OperatorPartIds = Parts.Where(p => p.Part >= 0).OrderBy(p => p.Part).Select(p => p.OperatorMessageId).ToArray() };

        public void Apply(MessageOutcome outcome)
        {
            var final = outcome.Status.IsFinal();
            Record = Record with
            {
                Status = outcome.Status,
                UpdatedAt = outcome.At,
                SubmittedAt = outcome.Status == MessageStatus.Submitted ? outcome.At : Record.SubmittedAt,
                DoneAt = final ? outcome.At : Record.DoneAt,
                OperatorName = outcome.OperatorName ?? Record.OperatorName,
                OperatorErrorCode = outcome.ErrorCode ?? Record.OperatorErrorCode,
            };
            if (final && outcome.Refund > 0m) RefundDue = outcome.Refund;
            if (final && LedgerTransitions.FollowUpOnFinal(Record, outcome.Refund) is { } followUp) FollowUp = followUp;
        }
    }

    private sealed class PartRow(string operatorName, string operatorMessageId, long messageId, int part)
    {
        public string OperatorName { get; } = operatorName;
        public string OperatorMessageId { get; } = operatorMessageId;
        public int? LostFor => LostPart.Index(Part);
        public long MessageId { get; } = messageId;
        public int Part { get; } = part;
        public MessageStatus? Status { get; set; }

        // Kept as the database keeps it; the message's own error code is what status look-ups show.
        public string? ErrorCode { get; set; }

        public OperatorPart ToView() => new(OperatorName, OperatorMessageId, MessageId, Part, Status);
    }
}
