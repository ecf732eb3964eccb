using Taifa.Smpp.Codec;

namespace Taifa.Smpp.Session;

/// <summary>The limits of one <see cref="SmppChannel"/>.</summary>
public sealed record SmppChannelOptions
{
    /// <summary>How many requests this end may have unanswered at once.</summary>
    public int WindowCapacity { get; init; } = 64;

    /// <summary>The largest frame accepted from the peer; a longer one is a fatal decode error.</summary>
    public uint MaxCommandLength { get; init; } = SmppFrameReader.DefaultMaxCommandLength;

    /// <summary>
    /// With this many PDUs queued and unwritten the channel reads no more from the peer until some are written
    /// (backpressure on a peer that sends requests and does not read their answers).
    /// </summary>
    public int MaxQueuedOutbound { get; init; } = int.MaxValue;

    /// <summary>How long the reading waits for room below <see cref="MaxQueuedOutbound"/> before it gives the peer up.</summary>
    public TimeSpan WriteStallTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long, once reading has ended, the writer may take to write what is queued.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
