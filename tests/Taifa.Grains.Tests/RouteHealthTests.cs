using Microsoft.Extensions.Time.Testing;
using Taifa.Abstractions.Dispatch;
using Taifa.Grains.Dispatch;

namespace Taifa.Grains.Tests;

public sealed class RouteHealthTests
{
    private static readonly FailoverOptions Options = new()
    {
        BindDownAfter = TimeSpan.FromSeconds(10),
        RecoverAfter = TimeSpan.FromSeconds(5),
        ErrorRate = 0.5,
        ErrorWindow = TimeSpan.FromSeconds(30),
        MinSubmits = 4,
    };

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void A_bind_down_fails_over_only_beyond_the_threshold_and_comes_back_after_being_bound_for_RecoverAfter()
    {
        var health = new RouteHealth(Options, _time);
        Assert.False(health.Observe(true));
        Assert.True(health.Healthy);

        health.Observe(false);
        _time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(health.Observe(false));
        Assert.False(health.FailingOver);
        Assert.False(health.Healthy);

        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(health.Observe(false));
        Assert.True(health.FailingOver);
        Assert.Contains("bind down", health.Reason, StringComparison.Ordinal);

        // Bound again, but not yet for RecoverAfter: still failing over; a drop starts the outage clock again.
        health.Observe(true);
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(health.Observe(true));
        Assert.True(health.FailingOver);
        health.Observe(false);
        health.Observe(true);
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.True(health.FailingOver);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(health.Observe(true));
        Assert.False(health.FailingOver);
        Assert.True(health.Healthy);
    }

    [Fact]
    public void A_short_drop_never_fails_over()
    {
        var health = new RouteHealth(Options, _time);
        for (var i = 0; i < 10; i++)
        {
            health.Observe(false);
            _time.Advance(TimeSpan.FromSeconds(9));
            health.Observe(true);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.False(health.FailingOver);
    }

    [Fact]
    public void Temporary_errors_at_the_rate_fail_over_once_there_are_enough_submits_and_age_out_of_the_window()
    {
        var health = new RouteHealth(Options, _time);
        health.Observe(true);
        _time.Advance(TimeSpan.FromMinutes(1));

        // Three failures of three: under MinSubmits, not yet a rate.
        for (var i = 0; i < 3; i++) health.Submitted(temporaryFailure: true);
        Assert.False(health.FailingOver);
        health.Submitted(temporaryFailure: false);
        Assert.True(health.FailingOver);
        Assert.Contains("3 of the last 4", health.Reason, StringComparison.Ordinal);
        Assert.False(health.Healthy);

        // Nothing is submitted while it fails over: once the errors leave the window it takes its traffic back.
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(health.Observe(true));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(health.Observe(true));
        Assert.True(health.Healthy);
    }

    [Fact]
    public void An_error_rate_under_the_threshold_keeps_the_route()
    {
        var health = new RouteHealth(Options, _time);
        health.Observe(true);
        for (var i = 0; i < 100; i++) health.Submitted(temporaryFailure: i % 3 == 2);
        Assert.False(health.FailingOver);
    }

    [Fact]
    public void Routes_follow_the_listed_order_else_the_operators_priority_else_the_default_route()
    {
        var routes = new OperatorRoutes(Microsoft.Extensions.Options.Options.Create(new DispatchOptions
        {
            Operators = new(StringComparer.OrdinalIgnoreCase)
            {
                ["first"] = new() { NetworkIds = [1, 2], Binds = 2 },
                ["second"] = new() { NetworkIds = [1, 2], Priority = -1 },
                ["third"] = new() { NetworkIds = [2] },
                ["spare"] = new(),
            },
            Routes = new() { ["3"] = ["Spare", "first"] },
            DefaultRoute = "spare",
        }));

        Assert.Equal(["second", "first"], routes.RoutesFor(1));
        Assert.Equal(["second", "first", "third"], routes.RoutesFor(2));
        Assert.Equal(["spare", "first"], routes.RoutesFor(3));
        Assert.Equal(["spare"], routes.RoutesFor(9));
        Assert.Equal([1, 2, 3], routes.Networks.Order());

        // A message queues on its network's preferred route; another route's shard is that route's own.
        Assert.Equal(DispatchStreams.Key("second", 0), routes.StreamKeyFor(1, 7));
        Assert.Equal(DispatchStreams.Key("first", 1), routes.ShardKey("first", 7));
    }
}
