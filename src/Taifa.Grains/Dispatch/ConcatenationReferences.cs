namespace Taifa.Grains.Dispatch;

/// <summary>
/// The concatenation reference of each long message a dispatcher splits. A handset joins parts by sender and reference,
/// so each destination's next long message gets the reference after its previous one: two long messages in a row to
/// one handset never share one. Destinations share 65,536 counters by hash (a shared counter still moves on for each
/// of them), and the counters start at random, so a new activation does not start where the last one did.
/// In memory only: one dispatcher's turn at a time, so no locking.
/// </summary>
internal sealed class ConcatenationReferences
{
    private readonly byte[] _last = new byte[1 << 16];

    public ConcatenationReferences() => Random.Shared.NextBytes(_last);

    public byte Next(string mobileNumber) => ++_last[mobileNumber.GetHashCode() & 0xFFFF];
}
