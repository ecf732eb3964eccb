using Taifa.Cluster.Tests.Infrastructure;
using Taifa.Smpp.Pdus;
using Xunit.Abstractions;

namespace Taifa.Cluster.Tests;

/// <summary>Stop the whole (idle) cluster with SIGTERM and start new silo processes on the same database: nothing was only in memory.</summary>
public sealed class RestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.CreateAsync("restart");

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Balances_sender_ids_smpp_credentials_and_message_statuses_survive_a_full_cluster_restart()
    {
        var first = await _cluster.StartSilosAsync("a", "b");
        var account = await first[0].OpenAccountAsync(50m, 1.25m);
        await first[1].AddSenderIdAsync(account, "SECOND");
        await first[1].SetSmppCredentialsAsync(account, "restartuser", "pass1234");
        var ids = new List<string>
        {
            await first[0].SendAcceptedAsync(account, "rest before restart"),
            await first[1].SendAcceptedAsync(account, "second sender before restart", senderId: "SECOND"),
        };
        await using (var session = await SmppCustomer.BindAsync(first[1], "restartuser", "pass1234"))
        {
            ids.Add(await session.SubmitAcceptedAsync(SmppCustomer.Submit(account.SenderId, "254733123456", "smpp before restart")));
            await session.UnbindAsync();
        }

        await first[0].WaitForStatusAsync(account, ids, "delivered", TimeSpan.FromSeconds(30));
        Assert.Equal("46.25", await first[1].BalanceAsync(account));
        // Both silos are idle now: each must stop within 10 s of SIGTERM.
        foreach (var silo in first) silo.Terminate();
        foreach (var silo in first)
        {
            var exit = await silo.WaitForExitAsync(TimeSpan.FromSeconds(30));
            output.WriteLine($"idle silo {silo.Name} exited {exit.TotalSeconds:0.00} s after SIGTERM, code {silo.ExitCode}");
            Assert.True(exit < TimeSpan.FromSeconds(10), $"idle silo {silo.Name} took {exit} to exit after SIGTERM (limit 10 s)\n{silo.OutputTail()}");
        }

        var second = await _cluster.StartSilosAsync("c", "d");
        Assert.Equal("46.25", await second[0].BalanceAsync(account));
        Assert.Equal("46.25", await second[1].BalanceAsync(account));
        var view = await second[1].GetAccountAsync(account);
        Assert.Equal(["SECOND", account.SenderId], view["sender_ids"]!.AsArray().Select(s => s!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal("restartuser", view["smpp_username"]!.GetValue<string>());
        await second[0].WaitForStatusAsync(account, ids, "delivered", TimeSpan.Zero);

        await using var again = await SmppCustomer.BindAsync(second[0], "restartuser", "pass1234", CommandId.BindTransmitter);
        await again.SubmitAcceptedAsync(SmppCustomer.Submit("SECOND", "254702739804", "smpp after restart", receipt: false));
        Assert.Equal("43.75", (await second[1].SendAsync(account, "rest after restart"))["credit_balance"]!.GetValue<string>());
    }
}
