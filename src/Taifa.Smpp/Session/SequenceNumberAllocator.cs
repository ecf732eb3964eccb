namespace Taifa.Smpp.Session;

/// <summary>
/// Hands out sequence numbers for one session: 1 to 0x7FFFFFFF, then round to 1 again (§5.1.4). Each session owns
/// one, assigned at send time, so numbers are unique among the session's outstanding requests. Thread-safe.
/// </summary>
public sealed class SequenceNumberAllocator
{
    public const uint Max = 0x7FFF_FFFF;

    private int _last;

    /// <param name="last">The number handed out before the first call; the first call returns the one after it.</param>
    public SequenceNumberAllocator(uint last = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(last, Max);
        _last = (int)last;
    }

    public uint Next()
    {
        while (true)
        {
            var last = Volatile.Read(ref _last);
            var next = last == (int)Max ? 1 : last + 1;
            if (Interlocked.CompareExchange(ref _last, next, last) == last)
            {
                return (uint)next;
            }
        }
    }
}
