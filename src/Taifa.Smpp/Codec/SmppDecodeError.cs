using Taifa.Smpp.Pdus;

namespace Taifa.Smpp.Codec;

/// <summary>
/// Why a frame could not become a PDU. A recoverable error has consumed its whole frame: answer with
/// <see cref="CreateReply"/> and read on. A fatal one (command_length out of range) leaves the stream unusable:
/// answer, then close the session.
/// </summary>
public sealed class SmppDecodeError
{
    internal SmppDecodeError(uint commandLength, CommandId commandId, uint sequenceNumber, CommandStatus status, bool isFatal, string reason)
    {
        CommandLength = commandLength;
        CommandId = commandId;
        SequenceNumber = sequenceNumber;
        Status = status;
        IsFatal = isFatal;
        Reason = reason;
    }

    public uint CommandLength { get; }

    /// <summary>The command_id as received; it may be a value <see cref="Pdus.CommandId"/> does not name.</summary>
    public CommandId CommandId { get; }

    public uint SequenceNumber { get; }

    /// <summary>The command_status to answer with.</summary>
    public CommandStatus Status { get; }

    public bool IsFatal { get; }

    public string Reason { get; }

    /// <summary>
    /// The PDU to send back: a known request's own response carrying <see cref="Status"/>, otherwise generic_nack.
    /// Null when the broken frame was itself a response (answering a response invites a nack loop; the owner of the
    /// request window fails the pending request by <see cref="SequenceNumber"/> instead).
    /// </summary>
    public Pdu? CreateReply()
    {
        if (!IsFatal && CommandId.IsResponse())
        {
            return null;
        }

        if (!IsFatal && PduTable.Create(CommandId) is SmppRequest request)
        {
            request.SequenceNumber = SequenceNumber;
            return request.CreateResponse(Status);
        }

        return new GenericNack(Status, SequenceNumber);
    }

    public override string ToString() =>
        $"{(IsFatal ? "fatal" : "recoverable")} SMPP decode error: {Reason} (command_id=0x{(uint)CommandId:X8} seq={SequenceNumber} length={CommandLength} status={Status})";
}
