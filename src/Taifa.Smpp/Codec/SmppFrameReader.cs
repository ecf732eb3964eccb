using System.Buffers;
using Taifa.Smpp.Pdus;

namespace Taifa.Smpp.Codec;

/// <summary>
/// Cuts SMPP frames out of a byte stream and decodes them. It keeps no stream state: the caller keeps the unread bytes
/// (a pipe does that) and calls again when more arrive. Nothing is thrown for any input. It remembers only the last
/// source address, so that one session's submit_sm from one sender ID share an instance (see
/// <see cref="RecentSourceAddress"/>); one reader per session keeps that effective.
/// </summary>
public sealed class SmppFrameReader
{
    public const int HeaderLength = 16;

    public const uint DefaultMaxCommandLength = 64 * 1024;

    public static readonly SmppFrameReader Default = new();

    /// <param name="maxCommandLength">The largest frame accepted; anything longer is a fatal error.</param>
    public SmppFrameReader(uint maxCommandLength = DefaultMaxCommandLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCommandLength, (uint)HeaderLength);
        MaxCommandLength = maxCommandLength;
    }

    private readonly RecentSourceAddress _recentSource = new();

    public uint MaxCommandLength { get; }

    /// <summary>
    /// Reads one frame from the start of <paramref name="buffer"/>.
    /// </summary>
    /// <returns>
    /// False when more bytes are needed; <paramref name="buffer"/> is then untouched and the caller should mark all of
    /// it examined. True when a frame was handled: either <paramref name="pdu"/> or <paramref name="error"/> is set, and
    /// <paramref name="buffer"/> now starts after the frame — except for a fatal error, which consumes nothing.
    /// </returns>
    public bool TryRead(ref ReadOnlySequence<byte> buffer, out Pdu? pdu, out SmppDecodeError? error)
    {
        pdu = null;
        error = null;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadBigEndian(out int rawLength))
        {
            return false;
        }

        var commandLength = (uint)rawLength;
        if (commandLength < HeaderLength)
        {
            // Shorter than its own header: nothing after the length belongs to this frame, so there is no id to report.
            error = new SmppDecodeError(commandLength, 0, 0, CommandStatus.InvalidCommandLength, isFatal: true,
                $"command_length {commandLength} is shorter than the {HeaderLength}-octet header");
            return true;
        }

        if (!reader.TryReadBigEndian(out int rawCommandId)
            || !reader.TryReadBigEndian(out int rawStatus)
            || !reader.TryReadBigEndian(out int rawSequence))
        {
            return false;
        }

        var commandId = (CommandId)(uint)rawCommandId;
        var sequenceNumber = (uint)rawSequence;
        if (commandLength > MaxCommandLength)
        {
            error = new SmppDecodeError(commandLength, commandId, sequenceNumber, CommandStatus.InvalidCommandLength, isFatal: true,
                $"command_length {commandLength} is above the limit of {MaxCommandLength}");
            return true;
        }

        if (buffer.Length < commandLength)
        {
            return false;
        }

        var frame = buffer.Slice(0, commandLength);
        buffer = buffer.Slice(frame.End);
        error = Decode(frame.Slice(HeaderLength), commandLength, commandId, (CommandStatus)(uint)rawStatus, sequenceNumber, out pdu);
        return true;
    }

    private SmppDecodeError? Decode(ReadOnlySequence<byte> body, uint commandLength, CommandId commandId, CommandStatus status, uint sequenceNumber, out Pdu? pdu)
    {
        pdu = PduTable.Create(commandId);
        if (pdu is null)
        {
            return new SmppDecodeError(commandLength, commandId, sequenceNumber, CommandStatus.InvalidCommandId, isFatal: false,
                $"command_id 0x{(uint)commandId:X8} is not an SMPP v3.4 command");
        }

        pdu.CommandStatus = status;
        pdu.SequenceNumber = sequenceNumber;
        if (body.IsEmpty && pdu is SmppResponse)
        {
            return null;
        }

        var reader = new PduReader(body, _recentSource);
        pdu.ReadBody(ref reader);
        if (reader.Remaining > 0) reader.ReadOptionalParameters(pdu.OptionalParameters);
        if (!reader.Failed)
        {
            pdu.IgnoredTrailingOctets = reader.IgnoredTrailingOctets;
            return null;
        }

        pdu = null;
        return new SmppDecodeError(commandLength, commandId, sequenceNumber, reader.FailureStatus, isFatal: false, reader.FailureReason!);
    }
}
