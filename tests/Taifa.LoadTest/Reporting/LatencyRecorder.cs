using System.Numerics;

namespace Taifa.LoadTest.Reporting;

/// <summary>
/// A lock-free latency histogram in microseconds, HDR-style: exact below 256 µs, then 128 linear buckets per
/// power of two (under 0.8% error), so recording costs one increment whatever the rate and run length.
/// Percentiles answer the highest value of their bucket, never an optimistic one. Shared by every mode.
/// </summary>
public sealed class LatencyRecorder
{
    private const int SubBucketBits = 7;
    private const int SubBuckets = 1 << SubBucketBits;
    private const int ExactLimit = SubBuckets * 2;
    private const int MaxShift = 40;

    private readonly long[] _counts = new long[(MaxShift + 2) * SubBuckets];
    private long _count;
    private long _max;
    private long _sum;

    public long Count => Interlocked.Read(ref _count);

    public TimeSpan Max => TimeSpan.FromMicroseconds(Interlocked.Read(ref _max));

    public TimeSpan Mean => Count == 0 ? TimeSpan.Zero : TimeSpan.FromMicroseconds((double)Interlocked.Read(ref _sum) / Count);

    public void Record(TimeSpan latency)
    {
        var micros = Math.Max(0, (long)latency.TotalMicroseconds);
        Interlocked.Increment(ref _counts[IndexOf(micros)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sum, micros);
        var max = Interlocked.Read(ref _max);
        while (micros > max)
        {
            var seen = Interlocked.CompareExchange(ref _max, micros, max);
            if (seen == max) break;
            max = seen;
        }
    }

    /// <summary>The latency at or under which <paramref name="percentile"/> per cent of recorded values fall.</summary>
    public TimeSpan Percentile(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(percentile);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        var count = Count;
        if (count == 0) return TimeSpan.Zero;
        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100 * count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= rank) return TimeSpan.FromMicroseconds(Math.Min(HighestValueIn(i), Interlocked.Read(ref _max)));
        }

        return Max;
    }

    internal static int IndexOf(long micros)
    {
        if (micros < ExactLimit) return (int)micros;
        var shift = Math.Min(BitOperations.Log2((ulong)micros) - SubBucketBits, MaxShift);
        var top = Math.Min(micros >> shift, ExactLimit - 1);
        return (shift * SubBuckets) + (int)top;
    }

    internal static long HighestValueIn(int index)
    {
        if (index < ExactLimit) return index;
        var shift = (index / SubBuckets) - 1;
        var top = (index % SubBuckets) + SubBuckets;
        return ((top + 1L) << shift) - 1;
    }
}
