using Taifa.Smpp.Codec;

namespace Taifa.Smpp.Pdus;

/// <summary>
/// An SMPP v3.4 protocol data unit: the header fields, the typed mandatory fields of the concrete class, and its
/// optional parameters. The set of PDU classes is closed: the codec reads and writes each through internal members.
/// </summary>
public abstract class Pdu
{
    private protected Pdu()
    {
    }

    public abstract CommandId CommandId { get; }

    public CommandStatus CommandStatus { get; set; }

    /// <summary>Assigned by the sending session (see <c>SequenceNumberAllocator</c>); a response copies its request's.</summary>
    public uint SequenceNumber { get; set; }

    private TlvList? _optionalParameters;

    /// <summary>Created on first use: most PDUs carry none, and the codec reads and writes them without it.</summary>
    public TlvList OptionalParameters => _optionalParameters ??= new();

    /// <summary>
    /// Decoded only: octets at the end of the body, too few to be a TLV (1 to 3), that the decoder skipped instead of
    /// refusing the PDU, as Kannel does. A peer sending them is worth a note in its session's log; the writer never
    /// sends them.
    /// </summary>
    public int IgnoredTrailingOctets { get; internal set; }

    /// <summary>The optional parameters, or null when none were ever read or set.</summary>
    internal TlvList? OptionalParametersIfAny => _optionalParameters;

    /// <summary>A header-only PDU leaves both of these empty.</summary>
    internal virtual void ReadBody(ref PduReader reader)
    {
    }

    internal virtual void WriteBody(ref PduWriter writer)
    {
    }

    /// <summary>Whether the writer sends only the header (an error response whose body the spec leaves out).</summary>
    internal virtual bool OmitsBody => false;

    public override string ToString() => $"{CommandId} seq={SequenceNumber} status={CommandStatus}";
}

/// <summary>A PDU the peer must answer; it knows the type of its answer.</summary>
public abstract class SmppRequest : Pdu
{
    private protected SmppRequest()
    {
    }

    public CommandId ResponseCommandId => CommandId.ToResponse();

    /// <summary>A new response of the matching type, with this request's sequence number and ESME_ROK.</summary>
    public abstract SmppResponse CreateResponse();

    /// <summary>A response of the matching type that reports <paramref name="status"/>.</summary>
    public SmppResponse CreateResponse(CommandStatus status)
    {
        var response = CreateResponse();
        response.CommandStatus = status;
        return response;
    }

    private protected T Answer<T>(T response)
        where T : SmppResponse
    {
        response.SequenceNumber = SequenceNumber;
        return response;
    }
}

/// <summary>
/// An answer to a request. Peers often send error responses without a body, so the decoder accepts an empty body for
/// every response and leaves its fields at their defaults.
/// </summary>
public abstract class SmppResponse : Pdu
{
    private protected SmppResponse()
    {
    }
}
