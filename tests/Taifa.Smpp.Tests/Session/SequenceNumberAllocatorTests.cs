using System.Collections.Concurrent;
using Taifa.Smpp.Session;

namespace Taifa.Smpp.Tests.Session;

public class SequenceNumberAllocatorTests
{
    [Fact]
    public void Starts_at_1()
    {
        var allocator = new SequenceNumberAllocator();

        Assert.Equal([1u, 2u, 3u], [allocator.Next(), allocator.Next(), allocator.Next()]);
    }

    [Fact]
    public void Wraps_from_0x7FFFFFFF_to_1_and_never_hands_out_0()
    {
        var allocator = new SequenceNumberAllocator(last: 0x7FFF_FFFE);

        Assert.Equal([0x7FFF_FFFFu, 1u, 2u], [allocator.Next(), allocator.Next(), allocator.Next()]);
    }

    [Fact]
    public void Concurrent_callers_never_get_the_same_number()
    {
        var allocator = new SequenceNumberAllocator(last: 0x7FFF_FFFF - 5_000);
        var seen = new ConcurrentBag<uint>();

        Parallel.For(0, 40_000, _ => seen.Add(allocator.Next()));

        Assert.Equal(40_000, seen.Distinct().Count());
        Assert.All(seen, n => Assert.InRange(n, 1u, SequenceNumberAllocator.Max));
    }

    [Fact]
    public void Refuses_a_start_outside_the_range()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceNumberAllocator(last: 0x8000_0000));
    }
}
