using System.Buffers.Binary;
using Taifa.Smpp.Pdus;

namespace Taifa.Smpp.Codec;

/// <summary>
/// Writes a PDU into one span. The same body code runs twice: first in measuring mode, which only counts and
/// validates, so command_length is known before anything reaches the output; then for real.
/// </summary>
internal ref struct PduWriter
{
    public const int MaxShortMessageLength = 254;

    private readonly Span<byte> _buffer;
    private readonly bool _measuring;

    public PduWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _measuring = false;
    }

    private PduWriter(bool measuring)
    {
        _buffer = default;
        _measuring = measuring;
    }

    public int Position { get; private set; }

    public static PduWriter Measuring() => new(measuring: true);

    public void WriteByte(byte value)
    {
        if (!_measuring)
        {
            _buffer[Position] = value;
        }

        Position++;
    }

    public void WriteUInt16(ushort value)
    {
        if (!_measuring)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[Position..], value);
        }

        Position += 2;
    }

    public void WriteUInt32(uint value)
    {
        if (!_measuring)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_buffer[Position..], value);
        }

        Position += 4;
    }

    public void WriteOctets(ReadOnlySpan<byte> value)
    {
        if (!_measuring)
        {
            value.CopyTo(_buffer[Position..]);
        }

        Position += value.Length;
    }

    /// <exception cref="ArgumentException">The value breaks the field's limit or is not NUL-free Latin-1.</exception>
    public void WriteCString(string? value, CStringField field)
    {
        value ??= string.Empty;
        if (!field.Allows(value.Length))
        {
            throw new ArgumentException($"{field.Name} \"{value}\" breaks its limit of {field.MaxLength} octets with the NUL.", nameof(value));
        }

        foreach (var c in value)
        {
            if (c is '\0' or > '\u00FF')
            {
                throw new ArgumentException($"{field.Name} holds U+{(int)c:X4}; a C-octet string holds Latin-1 characters other than NUL.", nameof(value));
            }

            WriteByte((byte)c);
        }

        WriteByte(0);
    }

    public void WriteAddress(SmppAddress? address, CStringField field)
    {
        address ??= SmppAddress.Empty;
        WriteByte((byte)address.Ton);
        WriteByte((byte)address.Npi);
        WriteCString(address.Address, field);
    }

    /// <exception cref="ArgumentException">The message is longer than the 254 octets of §5.2.21.</exception>
    public void WriteShortMessage(ReadOnlySpan<byte> message)
    {
        if (message.Length > MaxShortMessageLength)
        {
            throw new ArgumentException($"short_message holds at most {MaxShortMessageLength} octets, not {message.Length}; use message_payload.", nameof(message));
        }

        WriteByte((byte)message.Length);
        WriteOctets(message);
    }

    public void WriteOptionalParameters(TlvList parameters)
    {
        foreach (var tlv in parameters)
        {
            WriteUInt16(tlv.Tag);
            WriteUInt16((ushort)tlv.Value.Length);
            WriteOctets(tlv.Value.Span);
        }
    }
}
