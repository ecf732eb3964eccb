using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;

namespace Taifa.Smpp.Session;

/// <summary>
/// The role a <see cref="SmppChannel"/> plays: what it does with the requests its peer sends, and what it tells the log.
/// The channel itself answers undecodable frames and routes responses to its request window; everything else is here.
/// The notifications are called on the channel's read or write loop and must not block.
/// </summary>
public interface ISmppChannelHandler
{
    /// <summary>
    /// A request from the peer, or a PDU that is neither request nor response (outbind, alert_notification), in the
    /// order received. Reading waits while it runs, so a handler that should not hold up the session must not await long.
    /// </summary>
    /// <returns>True to stop reading: the session is over once what is queued has been written.</returns>
    ValueTask<bool> OnIncomingAsync(Pdu pdu);

    /// <summary>A frame that could not become a PDU; the channel answers it (or fails the request it answered) next.</summary>
    void OnDecodeError(SmppDecodeError error)
    {
    }

    /// <summary>A PDU that ended in a few octets too short to be a TLV, which the codec ignored.</summary>
    void OnIgnoredTrailingOctets(Pdu pdu)
    {
    }

    /// <summary>A response no request of this session waits for (late, or never sent).</summary>
    void OnUnexpectedResponse(SmppResponse response)
    {
    }

    /// <summary>A PDU that breaks a field limit and was not written; a request among them fails with <paramref name="error"/>.</summary>
    void OnUnwritable(Pdu pdu, ArgumentException error)
    {
    }

    /// <summary>
    /// <see cref="SmppChannelOptions.MaxQueuedOutbound"/> PDUs have waited unwritten for
    /// <see cref="SmppChannelOptions.WriteStallTimeout"/>: the peer is not reading, and the channel is aborted.
    /// </summary>
    void OnPeerNotReading()
    {
    }

    /// <summary>The transport failed or was closed under the session (a reset, an abort).</summary>
    void OnConnectionLost(Exception error)
    {
    }

    /// <summary>Something else ended the session: a handler that threw. The channel is closed afterwards.</summary>
    void OnFault(Exception error)
    {
    }

    /// <summary>
    /// Reading has ended and nothing more can be queued; called before the channel waits for its writer to drain
    /// (at most <see cref="SmppChannelOptions.DrainTimeout"/>).
    /// </summary>
    ValueTask OnReadingEndedAsync() => ValueTask.CompletedTask;
}
