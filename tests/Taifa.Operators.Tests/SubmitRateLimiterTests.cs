using Microsoft.Extensions.Time.Testing;
using Taifa.Operators.Client;

namespace Taifa.Operators.Tests;

public class SubmitRateLimiterTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task The_burst_goes_at_once_and_the_rest_at_the_rate()
    {
        var limiter = new SubmitRateLimiter(ratePerSecond: 10, burst: 2, _time);

        await limiter.WaitAsync(CancellationToken.None);
        await limiter.WaitAsync(CancellationToken.None);
        var third = limiter.WaitAsync(CancellationToken.None).AsTask();
        var fourth = limiter.WaitAsync(CancellationToken.None).AsTask();

        _time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(third.IsCompleted, "the third token came before 100 ms");
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await third.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(fourth.IsCompleted, "the fourth token came with the third");
        _time.Advance(TimeSpan.FromMilliseconds(100));
        await fourth.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task An_idle_bucket_fills_only_up_to_its_burst()
    {
        var limiter = new SubmitRateLimiter(ratePerSecond: 10, burst: 2, _time);
        _time.Advance(TimeSpan.FromSeconds(60));

        await limiter.WaitAsync(CancellationToken.None);
        await limiter.WaitAsync(CancellationToken.None);

        Assert.False(limiter.WaitAsync(CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task A_cancelled_wait_gives_its_token_back()
    {
        var limiter = new SubmitRateLimiter(ratePerSecond: 10, burst: 1, _time);
        await limiter.WaitAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var cancelled = limiter.WaitAsync(cancel.Token).AsTask();

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(limiter.WaitAsync(CancellationToken.None).IsCompleted);
    }

    [Fact]
    public void No_limit_means_no_bucket_and_a_small_rate_still_holds_one()
    {
        Assert.Null(SubmitRateLimiter.For(0, _time));
        Assert.NotNull(SubmitRateLimiter.For(0.5, _time));
    }
}
