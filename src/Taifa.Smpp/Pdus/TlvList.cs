using System.Buffers.Binary;
using System.Collections;
using System.Text;

namespace Taifa.Smpp.Pdus;

/// <summary>
/// The optional parameters of a PDU in wire order. Values are kept raw, so tags this library does not know
/// round-trip byte for byte; the typed accessors read and write the common ones.
/// </summary>
public sealed class TlvList : IReadOnlyList<Tlv>
{
    // Never added to: lets an empty list hand out the same struct enumerator as a filled one.
    private static readonly List<Tlv> NoItems = [];

    private List<Tlv>? _items;

    public int Count => _items?.Count ?? 0;

    public Tlv this[int index] => (_items ?? throw new ArgumentOutOfRangeException(nameof(index)))[index];

    public ushort? SarMsgRefNum
    {
        get => GetUInt16(TlvTag.SarMsgRefNum);
        set => SetOrRemove(TlvTag.SarMsgRefNum, value, SetUInt16);
    }

    public byte? SarTotalSegments
    {
        get => GetByte(TlvTag.SarTotalSegments);
        set => SetOrRemove(TlvTag.SarTotalSegments, value, SetByte);
    }

    public byte? SarSegmentSeqnum
    {
        get => GetByte(TlvTag.SarSegmentSeqnum);
        set => SetOrRemove(TlvTag.SarSegmentSeqnum, value, SetByte);
    }

    public ReadOnlyMemory<byte>? MessagePayload
    {
        get => Find(TlvTag.MessagePayload)?.Value;
        set => SetOrRemove(TlvTag.MessagePayload, value, SetBytes);
    }

    public string? ReceiptedMessageId
    {
        get => GetCString(TlvTag.ReceiptedMessageId);
        set => SetOrRemove(TlvTag.ReceiptedMessageId, value, SetCString);
    }

    public MessageState? MessageState
    {
        get => (MessageState?)GetByte(TlvTag.MessageState);
        set => SetOrRemove(TlvTag.MessageState, (byte?)value, SetByte);
    }

    public NetworkErrorCode? NetworkErrorCode
    {
        get => Find(TlvTag.NetworkErrorCode) is { Value.Length: 3 } tlv
            ? new NetworkErrorCode(tlv.Value.Span[0], BinaryPrimitives.ReadUInt16BigEndian(tlv.Value.Span[1..]))
            : null;
        set => SetOrRemove(TlvTag.NetworkErrorCode, value, SetNetworkErrorCode);
    }

    public byte? ScInterfaceVersion
    {
        get => GetByte(TlvTag.ScInterfaceVersion);
        set => SetOrRemove(TlvTag.ScInterfaceVersion, value, SetByte);
    }

    public ushort? UserMessageReference
    {
        get => GetUInt16(TlvTag.UserMessageReference);
        set => SetOrRemove(TlvTag.UserMessageReference, value, SetUInt16);
    }

    /// <summary>The first parameter with this tag, or null.</summary>
    public Tlv? Find(ushort tag)
    {
        if (_items is null)
        {
            return null;
        }

        foreach (var tlv in _items)
        {
            if (tlv.Tag == tag)
            {
                return tlv;
            }
        }

        return null;
    }

    public bool Contains(ushort tag) => Find(tag) is not null;

    /// <returns>The value, or null when the tag is absent or its value is not one octet.</returns>
    public byte? GetByte(ushort tag) => Find(tag) is { Value.Length: 1 } tlv ? tlv.Value.Span[0] : null;

    public ushort? GetUInt16(ushort tag) =>
        Find(tag) is { Value.Length: 2 } tlv ? BinaryPrimitives.ReadUInt16BigEndian(tlv.Value.Span) : null;

    public uint? GetUInt32(ushort tag) =>
        Find(tag) is { Value.Length: 4 } tlv ? BinaryPrimitives.ReadUInt32BigEndian(tlv.Value.Span) : null;

    /// <returns>The text before the NUL terminator (Latin-1), or null when absent or not NUL-terminated.</returns>
    public string? GetCString(ushort tag)
    {
        if (Find(tag) is not { } tlv || tlv.Value.Span is not [.. var text, 0])
        {
            return null;
        }

        return Encoding.Latin1.GetString(text);
    }

    public void SetByte(ushort tag, byte value) => SetBytes(tag, new[] { value });

    public void SetUInt16(ushort tag, ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        SetBytes(tag, bytes);
    }

    public void SetUInt32(ushort tag, uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        SetBytes(tag, bytes);
    }

    /// <exception cref="ArgumentException">The text has a NUL or a character outside Latin-1.</exception>
    public void SetCString(ushort tag, string value)
    {
        var bytes = new byte[value.Length + 1];
        for (var i = 0; i < value.Length; i++)
        {
            bytes[i] = value[i] is > '\0' and <= '\u00FF' ? (byte)value[i] : throw new ArgumentException("A C-octet string holds Latin-1 characters other than NUL.", nameof(value));
        }

        SetBytes(tag, bytes);
    }

    /// <summary>Replaces the first parameter with this tag in place, or appends one.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is longer than a TLV can carry.</exception>
    public void SetBytes(ushort tag, ReadOnlyMemory<byte> value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value.Length, ushort.MaxValue, nameof(value));
        _items ??= [];
        var index = _items.FindIndex(t => t.Tag == tag);
        if (index < 0)
        {
            _items.Add(new Tlv(tag, value));
        }
        else
        {
            _items[index] = new Tlv(tag, value);
        }
    }

    /// <summary>Appends without looking for an existing tag: the decoder keeps repeated tags as they came.</summary>
    public void Add(Tlv tlv)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tlv.Value.Length, ushort.MaxValue, nameof(tlv));
        (_items ??= []).Add(tlv);
    }

    /// <returns>How many parameters were removed.</returns>
    public int Remove(ushort tag) => _items?.RemoveAll(t => t.Tag == tag) ?? 0;

    public void Clear() => _items?.Clear();

    /// <summary>A struct enumerator, so that <c>foreach</c> in the codec allocates nothing.</summary>
    public List<Tlv>.Enumerator GetEnumerator() => (_items ?? NoItems).GetEnumerator();

    IEnumerator<Tlv> IEnumerable<Tlv>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private void SetOrRemove<T>(ushort tag, T? value, Action<ushort, T> set)
        where T : struct
    {
        if (value is { } v)
        {
            set(tag, v);
        }
        else
        {
            Remove(tag);
        }
    }

    private void SetNetworkErrorCode(ushort tag, NetworkErrorCode code)
    {
        var bytes = new byte[3];
        bytes[0] = code.NetworkType;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(1), code.ErrorCode);
        SetBytes(tag, bytes);
    }

    private void SetOrRemove(ushort tag, string? value, Action<ushort, string> set)
    {
        if (value is null)
        {
            Remove(tag);
        }
        else
        {
            set(tag, value);
        }
    }
}
