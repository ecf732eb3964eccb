using System.Globalization;
using System.Text;
using Taifa.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Taifa.Cluster.Tests;

/// <summary>
/// Scheduled messages when a silo dies with SIGKILL before their time: the accounts' grains, and perhaps the one grain
/// that hands out due messages, die with it. The survivor still sends every one at its time (within the recovery
/// time after it), once, and no wallet is off.
/// </summary>
public sealed class ScheduledFailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.CreateAsync("scheduled", sharedOperator: true);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Messages_scheduled_before_a_sigkill_go_out_at_their_time_through_the_survivor_once_each()
    {
        const int accounts = 6;
        const int perAccount = 5;
        var silos = await _cluster.StartSilosAsync("a", "b");
        var (a, b) = (silos[0], silos[1]);
        var opened = await Task.WhenAll(Enumerable.Range(0, accounts).Select(n => a.OpenAccountAsync(100m, 1m, senderId: $"SENDER{n}")));

        var sendAt = DateTimeOffset.UtcNow.AddSeconds(20);
        var scheduled = await Task.WhenAll(opened.SelectMany((account, n) => Enumerable.Range(0, perAccount).Select(async i =>
        {
            var text = $"scheduled {n}.{i}";
            var answer = (await a.PostJsonAsync("/v2/sms/sendsms", account, new
            {
                mobile = Gateway.Mobile, sender_name = account.SenderId, message = text,
                send_at = sendAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture),
            }))[0]!;
            Assert.True(answer.Code() == "1000", $"scheduled send answered {answer.ToJsonString()}");
            return (Account: account, MessageId: answer["message_id"]!.GetValue<string>(), Text: text);
        })));

        a.Kill();
        foreach (var group in scheduled.GroupBy(m => m.Account))
        {
            // Through the survivor once it serves the account again (within seconds of the kill, docs/reliability.md):
            // until then a look-up may answer 1005, which is not a status.
            await b.WaitForStatusAsync(group.Key, [group.First().MessageId], "scheduled", TimeSpan.FromSeconds(10));
        }

        foreach (var group in scheduled.GroupBy(m => m.Account))
        {
            await b.WaitForStatusAsync(group.Key, [.. group.Select(m => m.MessageId)], "delivered", TimeSpan.FromSeconds(90));
            Assert.Equal(Gateway.Money(100m - perAccount), await b.BalanceAsync(group.Key));
        }

        var texts = scheduled.Select(m => m.Text).ToHashSet();
        var submits = _cluster.SharedOperator!.Submits.Where(s => texts.Contains(Encoding.ASCII.GetString(s.ShortMessage.Span))).ToList();
        var early = submits.Where(s => s.ReceivedAt < sendAt).ToList();
        output.WriteLine($"{submits.Count} submits for {scheduled.Length} scheduled messages, the last {(submits.Max(s => s.ReceivedAt) - sendAt).TotalSeconds:0.0} s after their time");
        Assert.Empty(early);
        Assert.Equal(scheduled.Length, submits.Select(s => Encoding.ASCII.GetString(s.ShortMessage.Span)).Distinct().Count());
        Assert.True(submits.Count == scheduled.Length, $"{submits.Count - scheduled.Length} duplicate submits (nothing was in flight when the silo died)");
    }
}
