namespace Taifa.Domain.Ids;

/// <summary>
/// Time-ordered 64-bit message ids made on each node without coordination:
/// 41 bits of milliseconds since 2026-01-01T00:00Z, 10 bits of node id, 12 bits of per-millisecond sequence.
/// Ids are unique as long as no two generators share a node id at once and a node's next holder starts above every
/// timestamp its earlier holders reached: the host leases node ids for that, giving each generator the point to start
/// after and the timestamp it may not pass (<see cref="ReserveUntil"/>) until the lease is renewed.
/// </summary>
public sealed class MessageIdGenerator
{
    public const int MaxNodeId = (1 << NodeBits) - 1;

    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private const int NodeBits = 10;
    private const int SequenceBits = 12;
    private const long MaxTimestamp = (1L << 41) - 1;

    private readonly long nodeBits;
    private readonly TimeProvider timeProvider;
    private long reservedUntil = long.MaxValue;

    // (milliseconds << 12) | sequence of the last id issued. Incrementing it carries a full sequence into the next
    // millisecond, which is how a burst beyond 4096 ids per millisecond borrows from the future instead of waiting.
    // It starts at (0, 0) taken, so no id is ever 0.
    private long lastState;

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nodeId"/> is outside 0..1023.</exception>
    public MessageIdGenerator(int nodeId, TimeProvider timeProvider)
        : this(nodeId, timeProvider, startAfter: -1)
    {
    }

    /// <param name="startAfter">
    /// Milliseconds since <see cref="Epoch"/> (see <see cref="ToMilliseconds"/>) that every id of this node issued
    /// before is at or below; this generator's ids are all later, even with a clock that is behind. -1: none.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nodeId"/> is outside 0..1023, or <paramref name="startAfter"/> below -1.</exception>
    public MessageIdGenerator(int nodeId, TimeProvider timeProvider, long startAfter)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nodeId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nodeId, MaxNodeId);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThan(startAfter, -1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(startAfter, MaxTimestamp);
        nodeBits = (long)nodeId << SequenceBits;
        this.timeProvider = timeProvider;
        lastState = startAfter < 0 ? 0 : ((startAfter + 1) << SequenceBits) - 1;
    }

    public static long ToMilliseconds(DateTimeOffset time) => (time - Epoch).Ticks / TimeSpan.TicksPerMillisecond;

    /// <summary>
    /// From now on no id carries a timestamp past <paramref name="milliseconds"/> (since <see cref="Epoch"/>): the
    /// host has recorded that far in the database, and the next holder of this node starts after it. Unlimited until
    /// first called.
    /// </summary>
    public void ReserveUntil(long milliseconds) => Volatile.Write(ref reservedUntil, milliseconds);

    /// <summary>A positive id greater than every id this instance issued before. Lock-free.</summary>
    /// <exception cref="InvalidOperationException">
    /// The 41-bit timestamp is exhausted (after 2095), or the reservation (<see cref="ReserveUntil"/>) is used up
    /// because the host could not renew it.
    /// </exception>
    public long Next()
    {
        var now = ToMilliseconds(timeProvider.GetUtcNow());
        while (true)
        {
            var last = Volatile.Read(ref lastState);
            // A clock behind the last id (stepped back, or before the epoch) keeps the last timestamp.
            var next = now > last >> SequenceBits ? now << SequenceBits : last + 1;
            var reserved = Volatile.Read(ref reservedUntil);
            if (next >> SequenceBits > reserved)
            {
                throw new InvalidOperationException($"Message ids of node {GetNodeId(nodeBits)} are reserved only up to {Epoch.AddMilliseconds(reserved):O}; the database has not confirmed more.");
            }

            if (Interlocked.CompareExchange(ref lastState, next, last) == last)
            {
                return Compose(next);
            }
        }
    }

    public static DateTimeOffset GetTimestamp(long id) => Epoch.AddMilliseconds(id >> (NodeBits + SequenceBits));

    public static int GetNodeId(long id) => (int)((id >> SequenceBits) & MaxNodeId);

    public static int GetSequence(long id) => (int)(id & ((1 << SequenceBits) - 1));

    private long Compose(long state)
    {
        var milliseconds = state >> SequenceBits;
        if (milliseconds > MaxTimestamp)
        {
            throw new InvalidOperationException($"Message id timestamps are exhausted: {Epoch.AddMilliseconds(milliseconds):O} is past the 41-bit range.");
        }

        var sequence = state & ((1 << SequenceBits) - 1);
        return (milliseconds << (NodeBits + SequenceBits)) | nodeBits | sequence;
    }
}
