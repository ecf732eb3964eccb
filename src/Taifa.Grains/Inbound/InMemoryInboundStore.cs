using Taifa.Abstractions.Inbound;

namespace Taifa.Grains.Inbound;

/// <summary>The embedded default: everything in this process, gone at restart, with the PostgreSQL store's semantics.</summary>
public sealed class InMemoryInboundStore : IInboundStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Number, string Keyword), (long AccountId, DateTimeOffset At)> _numbers = [];
    private readonly SortedDictionary<long, InboundMessage> _messages = [];
    private readonly List<StoredPdu> _pdus = [];
    private readonly Dictionary<long, string> _webhooks = [];
    private readonly Dictionary<long, WorkItem> _work = [];
    private readonly Dictionary<(long AccountId, string Mobile), OptOutEntry> _optOuts = [];
    private long _nextWorkId;

    public Task<InboundNumberClaim> AddNumber(InboundNumber number, DateTimeOffset now)
    {
        lock (_lock)
        {
            var key = (number.Number, number.Keyword ?? "");
            if (_numbers.TryGetValue(key, out var holder))
            {
                return Task.FromResult(holder.AccountId == number.AccountId ? InboundNumberClaim.AlreadyHeld : InboundNumberClaim.Conflict);
            }

            _numbers[key] = (number.AccountId, now);
            return Task.FromResult(InboundNumberClaim.Added);
        }
    }

    public Task<bool> RemoveNumber(InboundNumber number)
    {
        lock (_lock)
        {
            var key = (number.Number, number.Keyword ?? "");
            return Task.FromResult(_numbers.TryGetValue(key, out var holder) && holder.AccountId == number.AccountId && _numbers.Remove(key));
        }
    }

    public Task<InboundAcceptance> Accept(InboundPdu pdu, TimeSpan redeliveryWindow)
    {
        lock (_lock)
        {
            var cutoff = pdu.ReceivedAt - redeliveryWindow;
            if (_pdus.Any(p => p.DedupeKey == pdu.DedupeKey && p.ReceivedAt > cutoff)) return Task.FromResult(new InboundAcceptance(InboundAcceptOutcome.Duplicate));

            var stored = new StoredPdu(pdu.DedupeKey, pdu.GroupKey, pdu.Segment?.Part ?? 0, pdu.Text, pdu.ReceivedAt);
            _pdus.Add(stored);
            var text = pdu.Text;
            if (pdu.GroupKey is { } group)
            {
                var waiting = _pdus.Where(p => p.GroupKey == group && p.InboundId is null).DistinctBy(p => p.Part).ToList();
                if (waiting.Count < pdu.Segment!.Total) return Task.FromResult(new InboundAcceptance(InboundAcceptOutcome.PartStored));
                text = InboundRouting.Join(waiting.Select(p => (p.Part, p.Text)));
                foreach (var part in _pdus.Where(p => p.GroupKey == group && p.InboundId is null)) part.InboundId = pdu.InboundId;
            }
            else
            {
                stored.InboundId = pdu.InboundId;
            }

            var holders = _numbers.Where(n => n.Key.Number == pdu.To)
                .Select(n => new InboundNumber(n.Value.AccountId, n.Key.Number, n.Key.Keyword.Length == 0 ? null : n.Key.Keyword)).ToList();
            var route = InboundRouting.Route(text, holders);
            var message = new InboundMessage(pdu.InboundId, route.AccountId, pdu.Operator, pdu.From, pdu.To, route.Keyword, text, pdu.NetworkId, route.OptOut, pdu.ReceivedAt);
            _messages[message.InboundId] = message;
            foreach (var (kind, accountId) in route.Work())
            {
                var id = ++_nextWorkId;
                _work[id] = new WorkItem(id, kind, accountId, message.InboundId) { NextAttempt = pdu.ReceivedAt };
            }

            return Task.FromResult(new InboundAcceptance(InboundAcceptOutcome.Stored, message));
        }
    }

    public Task<IReadOnlyList<InboundMessage>> List(long accountId, int limit, long? before)
    {
        lock (_lock)
        {
            IReadOnlyList<InboundMessage> page = [.. _messages.Values.Reverse()
                .Where(m => m.AccountId == accountId && (before is null || m.InboundId < before)).Take(limit)];
            return Task.FromResult(page);
        }
    }

    public Task SetWebhook(long accountId, string? url)
    {
        lock (_lock)
        {
            if (url is null) _webhooks.Remove(accountId);
            else _webhooks[accountId] = url;
        }

        return Task.CompletedTask;
    }

    public Task<string?> Webhook(long accountId)
    {
        lock (_lock) return Task.FromResult(_webhooks.GetValueOrDefault(accountId));
    }

    public Task<IReadOnlyList<InboundWork>> ClaimDue(DateTimeOffset now, TimeSpan lease, int max)
    {
        lock (_lock)
        {
            var due = _work.Values.Where(w => w.NextAttempt <= now).OrderBy(w => w.NextAttempt).ThenBy(w => w.WorkId).Take(max).ToList();
            foreach (var item in due) item.NextAttempt = now + lease;
            IReadOnlyList<InboundWork> claimed = [.. due.Select(w => new InboundWork(w.WorkId, w.Kind, w.AccountId, _messages[w.InboundId], w.Attempts))];
            return Task.FromResult(claimed);
        }
    }

    public Task Complete(long workId)
    {
        lock (_lock) _work.Remove(workId);
        return Task.CompletedTask;
    }

    public Task Retry(long workId, DateTimeOffset nextAttempt)
    {
        lock (_lock)
        {
            if (_work.TryGetValue(workId, out var item))
            {
                item.Attempts++;
                item.NextAttempt = nextAttempt;
            }
        }

        return Task.CompletedTask;
    }

    public Task<int> Prune(DateTimeOffset pdusBefore)
    {
        lock (_lock) return Task.FromResult(_pdus.RemoveAll(p => p.ReceivedAt < pdusBefore));
    }

    public Task<bool> AddOptOut(long accountId, string mobileNumber, OptOutSource source, DateTimeOffset now)
    {
        lock (_lock) return Task.FromResult(_optOuts.TryAdd((accountId, mobileNumber), new OptOutEntry(mobileNumber, source, now)));
    }

    public Task<bool> RemoveOptOut(long accountId, string mobileNumber)
    {
        lock (_lock) return Task.FromResult(_optOuts.Remove((accountId, mobileNumber)));
    }

    public Task<IReadOnlyList<OptOutEntry>> OptOuts(long accountId)
    {
        lock (_lock)
        {
            IReadOnlyList<OptOutEntry> list = [.. _optOuts.Where(e => e.Key.AccountId == accountId).Select(e => e.Value)
                .OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.MobileNumber, StringComparer.Ordinal)];
            return Task.FromResult(list);
        }
    }

    private sealed class StoredPdu(string dedupeKey, string? groupKey, int part, string text, DateTimeOffset receivedAt)
    {
        public string DedupeKey { get; } = dedupeKey;

        public string? GroupKey { get; } = groupKey;

        public int Part { get; } = part;

        public string Text { get; } = text;

        public DateTimeOffset ReceivedAt { get; } = receivedAt;

        /// <summary>The message this PDU became part of; null for a part still waiting for the others.</summary>
        public long? InboundId { get; set; }
    }

    private sealed record WorkItem(long WorkId, InboundWorkKind Kind, long AccountId, long InboundId)
    {
        public int Attempts { get; set; }

        public DateTimeOffset NextAttempt { get; set; }
    }
}
