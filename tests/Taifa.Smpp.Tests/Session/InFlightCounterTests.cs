using Microsoft.Extensions.Time.Testing;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Session;

namespace Taifa.Smpp.Tests.Session;

public class InFlightCounterTests
{
    [Fact]
    public void Idle_is_complete_at_once_when_nothing_is_in_flight()
    {
        Assert.True(new InFlightCounter().WhenIdle().IsCompleted);
    }

    [Fact]
    public async Task Idle_completes_when_the_last_one_leaves_and_every_waiter_sees_it()
    {
        var counter = new InFlightCounter();
        counter.Enter();
        counter.Enter();
        var first = counter.WhenIdle();
        var second = counter.WhenIdle();

        counter.Exit();
        Assert.False(first.IsCompleted);
        counter.Exit();

        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_signal_once_given_does_not_answer_a_later_wait()
    {
        var counter = new InFlightCounter();
        counter.Enter();
        var earlier = counter.WhenIdle();
        counter.Exit();
        counter.Enter();

        await earlier.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(counter.WhenIdle().IsCompleted);
    }

    [Fact]
    public async Task A_request_window_says_when_it_has_emptied()
    {
        using var window = new RequestWindow(4, new FakeTimeProvider());
        Assert.True(window.WhenEmpty().IsCompleted);
        window.TryAdd(new EnquireLink { SequenceNumber = 1 }, TimeSpan.FromSeconds(10), out _);
        window.TryAdd(new EnquireLink { SequenceNumber = 2 }, TimeSpan.FromSeconds(10), out _);
        var empty = window.WhenEmpty();

        window.TryComplete(new EnquireLinkResp { SequenceNumber = 1 });
        Assert.False(empty.IsCompleted);
        window.TryComplete(new EnquireLinkResp { SequenceNumber = 2 });

        await empty.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
