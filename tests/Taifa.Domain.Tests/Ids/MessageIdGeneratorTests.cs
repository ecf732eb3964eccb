using CsCheck;
using Taifa.Domain.Ids;

namespace Taifa.Domain.Tests.Ids;

public class MessageIdGeneratorTests
{
    [Fact]
    public void An_id_is_milliseconds_since_2026_then_node_then_sequence()
    {
        var clock = new ScriptedClock(5);
        var generator = new MessageIdGenerator(7, clock);

        var first = generator.Next();
        var second = generator.Next();

        Assert.Equal((5L << 22) | (7L << 12), first);
        Assert.Equal(first + 1, second);
        Assert.Equal(MessageIdGenerator.Epoch.AddMilliseconds(5), MessageIdGenerator.GetTimestamp(second));
        Assert.Equal(7, MessageIdGenerator.GetNodeId(second));
        Assert.Equal(1, MessageIdGenerator.GetSequence(second));
    }

    [Fact]
    public void The_sequence_restarts_when_the_clock_moves_on()
    {
        var clock = new ScriptedClock(5, 5, 9);
        var generator = new MessageIdGenerator(1, clock);

        generator.Next();
        generator.Next();
        var id = generator.Next();

        Assert.Equal(MessageIdGenerator.Epoch.AddMilliseconds(9), MessageIdGenerator.GetTimestamp(id));
        Assert.Equal(0, MessageIdGenerator.GetSequence(id));
    }

    [Fact]
    public void The_first_id_at_the_epoch_on_node_zero_is_still_positive() =>
        Assert.True(new MessageIdGenerator(0, new ScriptedClock(0)).Next() > 0);

    [Fact]
    public void A_clock_that_goes_backwards_keeps_the_last_timestamp()
    {
        var generator = new MessageIdGenerator(3, new ScriptedClock(1000, 400, 999));

        var ids = new[] { generator.Next(), generator.Next(), generator.Next() };

        Assert.Equal([1000L, 1000L, 1000L], ids.Select(id => (MessageIdGenerator.GetTimestamp(id) - MessageIdGenerator.Epoch).Ticks / TimeSpan.TicksPerMillisecond));
        Assert.Equal([0, 1, 2], ids.Select(MessageIdGenerator.GetSequence));
    }

    [Fact]
    public void A_clock_before_the_epoch_still_gives_positive_increasing_ids()
    {
        var generator = new MessageIdGenerator(1023, new ScriptedClock(-86_400_000));

        var first = generator.Next();
        var second = generator.Next();

        Assert.True(first > 0);
        Assert.True(second > first);
    }

    [Fact]
    public void A_full_sequence_borrows_the_next_millisecond_without_waiting()
    {
        var clock = new ScriptedClock(50);
        var generator = new MessageIdGenerator(2, clock);

        var ids = Enumerable.Range(0, 4096 + 10).Select(_ => generator.Next()).ToList();
        clock.Reset(51);
        var afterCatchUp = generator.Next();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(MessageIdGenerator.Epoch.AddMilliseconds(51), MessageIdGenerator.GetTimestamp(ids[^1]));
        Assert.Equal(9, MessageIdGenerator.GetSequence(ids[^1]));
        Assert.Equal(ids[^1] + 1, afterCatchUp);
    }

    [Fact]
    public void Different_nodes_never_share_an_id()
    {
        var clock = new ScriptedClock(77);
        var a = new MessageIdGenerator(1, clock);
        var b = new MessageIdGenerator(2, clock);

        var ids = Enumerable.Range(0, 100).SelectMany(_ => new[] { a.Next(), b.Next() }).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1024)]
    public void The_node_id_must_fit_ten_bits(int nodeId) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new MessageIdGenerator(nodeId, TimeProvider.System));

    [Fact]
    public void The_last_node_id_and_the_system_clock_work() =>
        Assert.Equal(1023, MessageIdGenerator.GetNodeId(new MessageIdGenerator(1023, TimeProvider.System).Next()));

    [Fact]
    public void Past_the_41_bit_timestamp_range_it_refuses_rather_than_wrap()
    {
        var generator = new MessageIdGenerator(0, new ScriptedClock(1L << 41));

        Assert.Throws<InvalidOperationException>(() => generator.Next());
    }

    [Fact]
    public void Concurrent_callers_get_unique_positive_ids_each_increasing_whatever_the_clock_does()
    {
        var clockSteps = Gen.Long[-5, 5].Array[1, 50];
        Gen.Select(clockSteps, Gen.Int[2, 6], Gen.Int[1, 1500], Gen.Int[0, 1023]).Sample((steps, threads, perThread, nodeId) =>
        {
            var offsets = new long[steps.Length];
            var now = 10_000L;
            for (var i = 0; i < steps.Length; i++)
            {
                now += steps[i];
                offsets[i] = now;
            }

            var generator = new MessageIdGenerator(nodeId, new ScriptedClock(offsets));
            using var start = new Barrier(threads);
            var perThreadIds = Enumerable.Range(0, threads)
                .Select(_ => Task.Factory.StartNew(() =>
                {
                    start.SignalAndWait();
                    return Enumerable.Range(0, perThread).Select(_ => generator.Next()).ToArray();
                }, TaskCreationOptions.LongRunning))
                .ToArray();
            Task.WaitAll(perThreadIds);

            var all = perThreadIds.SelectMany(t => t.Result).ToList();
            Assert.Equal(all.Count, all.Distinct().Count());
            Assert.All(all, id => Assert.True(id > 0));
            Assert.All(all, id => Assert.Equal(nodeId, MessageIdGenerator.GetNodeId(id)));
            Assert.All(perThreadIds, t => Assert.True(t.Result.Zip(t.Result.Skip(1)).All(pair => pair.First < pair.Second)));
        }, iter: 40);
    }

    /// <summary>Answers with the given milliseconds after the epoch in turn, repeating the last; safe across threads.</summary>
    [Fact]
    public void A_generator_that_starts_after_an_earlier_holder_issues_only_later_ids_even_with_its_clock_behind()
    {
        var earlier = new MessageIdGenerator(3, new ScriptedClock(1_000));
        var earlierIds = Enumerable.Range(0, 10).Select(_ => earlier.Next()).ToList();

        var later = new MessageIdGenerator(3, new ScriptedClock(400), startAfter: 1_000);
        var laterIds = Enumerable.Range(0, 10).Select(_ => later.Next()).ToList();

        Assert.True(laterIds.Min() > earlierIds.Max());
        Assert.Equal(MessageIdGenerator.Epoch.AddMilliseconds(1_001), MessageIdGenerator.GetTimestamp(laterIds[0]));
        Assert.Equal(3, MessageIdGenerator.GetNodeId(laterIds[0]));
    }

    [Fact]
    public void No_id_goes_past_the_reservation_until_it_is_extended()
    {
        var clock = new ScriptedClock(10, 10, 11, 11);
        var generator = new MessageIdGenerator(2, clock);
        generator.ReserveUntil(10);

        Assert.Equal(10, MessageIdGenerator.GetTimestamp(generator.Next()).Subtract(MessageIdGenerator.Epoch).TotalMilliseconds);
        Assert.Equal(10, MessageIdGenerator.GetTimestamp(generator.Next()).Subtract(MessageIdGenerator.Epoch).TotalMilliseconds);
        Assert.Throws<InvalidOperationException>(() => generator.Next());

        generator.ReserveUntil(11);
        Assert.Equal(11, MessageIdGenerator.GetTimestamp(generator.Next()).Subtract(MessageIdGenerator.Epoch).TotalMilliseconds);
    }

    private sealed class ScriptedClock(params long[] millisecondsSinceEpoch) : TimeProvider
    {
        private long[] script = millisecondsSinceEpoch;
        private int calls = -1;

        public void Reset(params long[] millisecondsSinceEpoch)
        {
            script = millisecondsSinceEpoch;
            calls = -1;
        }

        public override DateTimeOffset GetUtcNow()
        {
            var call = Interlocked.Increment(ref calls);
            return MessageIdGenerator.Epoch.AddMilliseconds(script[Math.Min(call, script.Length - 1)]);
        }
    }
}
