using System.Buffers;
using System.Text;
using Taifa.Smpp.Pdus;

namespace Taifa.Smpp.Codec;

/// <summary>
/// Reads a PDU body without throwing. The first violation is recorded and every later read returns a default, so a
/// PDU reads its fields in order and the frame reader checks <see cref="Failed"/> once at the end.
/// </summary>
internal ref struct PduReader
{
    private const int TlvHeaderLength = 4;

    private readonly RecentSourceAddress? _recentSource;
    private SequenceReader<byte> _reader;

    public PduReader(ReadOnlySequence<byte> body, RecentSourceAddress? recentSource = null)
    {
        _reader = new SequenceReader<byte>(body);
        _recentSource = recentSource;
    }

    public CommandStatus FailureStatus { get; private set; }

    public string? FailureReason { get; private set; }

    public readonly bool Failed => FailureReason is not null;

    public readonly long Remaining => _reader.Remaining;

    /// <summary>Octets after the last field or TLV that were too few to be a TLV and were skipped (0 to 3).</summary>
    public int IgnoredTrailingOctets { get; private set; }

    public void Fail(CommandStatus status, string reason)
    {
        if (!Failed)
        {
            FailureStatus = status;
            FailureReason = reason;
        }
    }

    public byte ReadByte()
    {
        if (!Failed && _reader.TryRead(out var value))
        {
            return value;
        }

        FailTruncated();
        return 0;
    }

    public uint ReadUInt32()
    {
        if (!Failed && _reader.TryReadBigEndian(out int value))
        {
            return (uint)value;
        }

        FailTruncated();
        return 0;
    }

    public string ReadCString(CStringField field) =>
        TryReadCStringOctets(field, out var value) && !value.IsEmpty ? Encoding.Latin1.GetString(value) : string.Empty;

    /// <summary>addr_ton, addr_npi and the address; a source address equal to the last one decoded is that instance.</summary>
    public SmppAddress ReadAddress(CStringField field)
    {
        var ton = (TypeOfNumber)ReadByte();
        var npi = (NumberingPlanIndicator)ReadByte();
        if (!TryReadCStringOctets(field, out var value))
        {
            return new SmppAddress(ton, npi, string.Empty);
        }

        var remember = _recentSource is not null && ReferenceEquals(field, CStringField.SourceAddr);
        if (remember && _recentSource!.Find(ton, npi, value) is { } known)
        {
            return known;
        }

        var address = new SmppAddress(ton, npi, value.IsEmpty ? string.Empty : Encoding.Latin1.GetString(value));
        if (remember)
        {
            _recentSource!.Remember(address);
        }

        return address;
    }

    /// <summary>sm_length then short_message, copied out of the frame.</summary>
    public ReadOnlyMemory<byte> ReadShortMessage()
    {
        var length = ReadByte();
        if (Failed)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (length > PduWriter.MaxShortMessageLength)
        {
            Fail(CommandStatus.InvalidMessageLength, $"sm_length {length} is above {PduWriter.MaxShortMessageLength}");
            return ReadOnlyMemory<byte>.Empty;
        }

        if (_reader.Remaining < length)
        {
            Fail(CommandStatus.InvalidMessageLength, $"sm_length {length} runs past the end of the PDU");
            return ReadOnlyMemory<byte>.Empty;
        }

        var message = _reader.UnreadSequence.Slice(0, length).ToArray();
        _reader.Advance(length);
        return message;
    }

    /// <summary>
    /// Reads the rest of the body as TLVs. The values share one copy of the TLV region, so a PDU costs one
    /// allocation for all its optional parameters. A tail of fewer than four octets is skipped, not refused
    /// (<see cref="IgnoredTrailingOctets"/>); four or more must be whole TLVs.
    /// </summary>
    public void ReadOptionalParameters(TlvList parameters)
    {
        if (Failed || _reader.End)
        {
            return;
        }

        ReadOnlyMemory<byte> region = _reader.UnreadSequence.ToArray();
        _reader.AdvanceToEnd();
        while (!region.IsEmpty)
        {
            var span = region.Span;
            if (span.Length < TlvHeaderLength)
            {
                // Too short to be a TLV, so not one cut short: a widely used PHP client sends a NUL after short_message
                // that sm_length does not count. Kannel ignores up to three such octets; so do we, and say so.
                IgnoredTrailingOctets = span.Length;
                return;
            }

            var tag = (ushort)(span[0] << 8 | span[1]);
            var length = span[2] << 8 | span[3];
            if (span.Length - 4 < length)
            {
                Fail(CommandStatus.InvalidOptionalParameterStream, $"TLV 0x{tag:X4} claims {length} octets past the end of the PDU");
                return;
            }

            var value = region.Slice(4, length);
            if (!TlvTag.IsValidValue(tag, value.Span))
            {
                Fail(CommandStatus.InvalidParameterLength, $"TLV 0x{tag:X4} has an invalid length of {length}");
                return;
            }

            parameters.Add(new Tlv(tag, value));
            region = region[(4 + length)..];
        }
    }

    private bool TryReadCStringOctets(CStringField field, out ReadOnlySequence<byte> value)
    {
        value = default;
        if (Failed)
        {
            return false;
        }

        if (!_reader.TryReadTo(out value, 0))
        {
            Fail(field.Status, $"{field.Name} has no NUL terminator");
            return false;
        }

        if (!field.Allows(value.Length))
        {
            Fail(field.Status, $"{field.Name} of {value.Length} octets breaks its limit of {field.MaxLength} with the NUL");
            return false;
        }

        return true;
    }

    private void FailTruncated() =>
        Fail(CommandStatus.InvalidCommandLength, "the body ends before its mandatory fields");
}
