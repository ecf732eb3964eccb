using System.Collections.Concurrent;
using Taifa.Smpp.Text;

namespace Taifa.Silo.Smpp;

/// <summary>
/// Per-account rate in message parts per second, per silo: a token bucket holding one second of parts. A message may
/// take its parts whenever the bucket holds at least as many (or is full), leaving the bucket in debt, so a
/// concatenated message longer than one second's allowance is still accepted whole, just not often.
/// </summary>
public sealed class AccountRateLimiter(TimeProvider time, int partsPerSecond)
{
    private readonly ConcurrentDictionary<long, TokenBucket> _buckets = new();
    private readonly TimeProvider _time = time;

    public int PartsPerSecond { get; } = partsPerSecond;

    public bool TryTake(long accountId, int parts) =>
        _buckets.GetOrAdd(accountId, static (_, self) => new TokenBucket(self.PartsPerSecond, self._time.GetTimestamp()), this)
            .TryTake(parts, _time);

    private sealed class TokenBucket(int capacity, long createdAt)
    {
        private readonly Lock _lock = new();
        private double _tokens = capacity;
        private long _refilledAt = createdAt;

        public bool TryTake(int parts, TimeProvider time)
        {
            lock (_lock)
            {
                var now = time.GetTimestamp();
                _tokens = Math.Min(capacity, _tokens + time.GetElapsedTime(_refilledAt, now).TotalSeconds * capacity);
                _refilledAt = now;
                if (_tokens < Math.Min(parts, capacity)) return false;
                _tokens -= parts;
                return true;
            }
        }
    }
}

/// <summary>
/// Decides, for one session, whether a submit_sm is taken or answered ESME_RTHROTTLED (window, then account rate).
/// The window counts every submit_sm awaiting its answer, each segment of a concatenated message included: that is
/// what bounds the answers a session can owe. The rate is decided once per concatenated message (keyed by
/// concatenation reference and total), by the first of its segments to pass the window: that segment takes all
/// <c>total</c> parts from the rate limiter, and every other segment of the message gets the same answer without
/// asking again, so the rate never accepts half a message. A segment the window turns away is not counted as seen:
/// resent, it joins its message's decision. A segment number seen a second time (a client resending after a
/// throttle) starts a fresh decision. Used only by the session's read loop, so it needs no locking.
/// </summary>
public sealed class SubmitAdmission(int window, AccountRateLimiter rateLimiter, long accountId, TimeProvider time)
{
    private const int MaxTrackedMessages = 1024;
    private static readonly TimeSpan Forget = TimeSpan.FromMinutes(5);
    private readonly Dictionary<(ushort Reference, byte Total), Decision> _messages = [];

    /// <param name="parts">Parts the submit_sm bills: 1 for a segment, the segmenter's count otherwise.</param>
    /// <param name="inFlight">submit_sm of this session still awaiting their response.</param>
    public bool TryAdmit(ConcatenationInfo? segment, int parts, int inFlight)
    {
        if (inFlight >= window) return false;
        if (segment is not { } s) return rateLimiter.TryTake(accountId, parts);

        var key = (s.Reference, s.Total);
        if (_messages.TryGetValue(key, out var decision) && decision.Seen.Add(s.SequenceNumber))
        {
            if (decision.Seen.Count == s.Total) _messages.Remove(key);
            return decision.Admitted;
        }

        var admitted = rateLimiter.TryTake(accountId, s.Total);
        if (s.Total > 1)
        {
            if (_messages.Count >= MaxTrackedMessages) ForgetOld();
            _messages[key] = new Decision(admitted, [s.SequenceNumber], time.GetTimestamp());
        }

        return admitted;
    }

    private void ForgetOld()
    {
        foreach (var (key, decision) in _messages)
        {
            if (time.GetElapsedTime(decision.DecidedAt) > Forget) _messages.Remove(key);
        }

        // Still full of live messages: a client juggling over a thousand half-sent messages loses the oldest decisions.
        if (_messages.Count >= MaxTrackedMessages)
        {
            foreach (var key in _messages.OrderBy(m => m.Value.DecidedAt).Take(MaxTrackedMessages / 4).Select(m => m.Key).ToList())
            {
                _messages.Remove(key);
            }
        }
    }

    private sealed record Decision(bool Admitted, HashSet<byte> Seen, long DecidedAt);
}
