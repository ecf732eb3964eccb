using System.Buffers;
using Taifa.Smpp.Pdus;

namespace Taifa.Smpp.Codec;

/// <summary>
/// The last source address a frame reader decoded. A bind usually sends every submit_sm from one sender ID, so the
/// reader hands out the same immutable <see cref="SmppAddress"/> again instead of allocating an equal one per PDU.
/// Safe to share between threads: the field is replaced whole, and a reader sees either the old or the new address.
/// </summary>
internal sealed class RecentSourceAddress
{
    private SmppAddress? _last;

    /// <returns>The remembered address when it has these octets, type of number and numbering plan; else null.</returns>
    public SmppAddress? Find(TypeOfNumber ton, NumberingPlanIndicator npi, ReadOnlySequence<byte> octets)
    {
        var last = Volatile.Read(ref _last);
        if (last is null || last.Ton != ton || last.Npi != npi || last.Address.Length != octets.Length)
        {
            return null;
        }

        var index = 0;
        foreach (var segment in octets)
        {
            foreach (var octet in segment.Span)
            {
                if (last.Address[index++] != octet)
                {
                    return null;
                }
            }
        }

        return last;
    }

    public void Remember(SmppAddress address) => Volatile.Write(ref _last, address);
}
