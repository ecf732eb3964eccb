using Taifa.Silo.Smpp;
using Taifa.Smpp.Text;

namespace Taifa.Silo.Tests.Smpp;

public sealed class SubmitAdmissionTests
{
    private readonly ManualClock _clock = new();

    [Fact]
    public void Rate_is_counted_in_parts_and_refills_over_a_second()
    {
        var limiter = new AccountRateLimiter(_clock, partsPerSecond: 10);

        Assert.True(limiter.TryTake(1, 6));
        Assert.True(limiter.TryTake(1, 4));
        Assert.False(limiter.TryTake(1, 1));
        Assert.True(limiter.TryTake(2, 10));

        _clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.True(limiter.TryTake(1, 5));
        Assert.False(limiter.TryTake(1, 1));
    }

    [Fact]
    public void A_message_longer_than_one_second_of_parts_passes_on_a_full_bucket()
    {
        var limiter = new AccountRateLimiter(_clock, partsPerSecond: 3);

        Assert.True(limiter.TryTake(1, 8));
        Assert.False(limiter.TryTake(1, 1));

        // The debt of five parts is paid off over the next seconds.
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(limiter.TryTake(1, 1));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryTake(1, 1));
    }

    [Fact]
    public void Window_counts_outstanding_submits()
    {
        var admission = new SubmitAdmission(window: 2, new AccountRateLimiter(_clock, 1000), accountId: 1, _clock);

        Assert.True(admission.TryAdmit(null, 1, inFlight: 1));
        Assert.False(admission.TryAdmit(null, 1, inFlight: 2));
    }

    [Fact]
    public void Every_segment_of_a_concatenated_message_gets_the_answer_of_its_first()
    {
        var limiter = new AccountRateLimiter(_clock, partsPerSecond: 4);
        var admission = new SubmitAdmission(window: 10, limiter, accountId: 1, _clock);

        // The first message takes all three of its parts at once; its later segments pass without asking again.
        Assert.True(admission.TryAdmit(new ConcatenationInfo(7, 3, 1), 1, 0));
        Assert.True(admission.TryAdmit(new ConcatenationInfo(7, 3, 2), 1, 9));
        Assert.True(admission.TryAdmit(new ConcatenationInfo(7, 3, 3), 1, 9));

        // One token left: the second message is refused whole, even after a token comes back mid-message.
        Assert.False(admission.TryAdmit(new ConcatenationInfo(8, 2, 1), 1, 0));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(admission.TryAdmit(new ConcatenationInfo(8, 2, 2), 1, 0));

        // Resent from the start, it is decided afresh.
        Assert.True(admission.TryAdmit(new ConcatenationInfo(8, 2, 1), 1, 0));
        Assert.True(admission.TryAdmit(new ConcatenationInfo(8, 2, 2), 1, 0));
    }

    [Fact]
    public void Every_segment_counts_against_the_window_and_a_turned_away_one_rejoins_its_message()
    {
        // Exactly one message's parts per second: deciding this message's rate twice would be refused.
        var limiter = new AccountRateLimiter(_clock, partsPerSecond: 3);
        var admission = new SubmitAdmission(window: 2, limiter, accountId: 1, _clock);

        Assert.True(admission.TryAdmit(new ConcatenationInfo(7, 3, 1), 1, inFlight: 0));
        Assert.False(admission.TryAdmit(new ConcatenationInfo(7, 3, 2), 1, inFlight: 2));
        Assert.True(admission.TryAdmit(new ConcatenationInfo(7, 3, 3), 1, inFlight: 1));

        // Resent once the window has room, the second segment is part of the message already paid for in rate.
        Assert.True(admission.TryAdmit(new ConcatenationInfo(7, 3, 2), 1, inFlight: 1));
        Assert.False(limiter.TryTake(1, 1));
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = 1;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
