using Taifa.Cluster.Tests.Infrastructure;
using Taifa.Smpp.Pdus;
using Xunit.Abstractions;

namespace Taifa.Cluster.Tests;

/// <summary>Two silo processes, one cluster, one wallet: SMPP on one silo and REST on the other draw from the same balance.</summary>
public sealed class SharedWalletTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.CreateAsync("wallet");

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Smpp_on_one_silo_and_rest_on_the_other_share_the_wallet_and_receipts_reach_the_account_on_either_silo()
    {
        const int smppCount = 20;
        const int restCount = 30;
        const decimal opening = 1000m;
        const decimal price = 0.80m;
        var (a, b) = await StartPairAsync();

        var account = await a.OpenAccountAsync(opening, price);
        await a.SetSmppCredentialsAsync(account, "walletuser", "pass1234");
        await using var onA = await SmppCustomer.BindAsync(a, "walletuser", "pass1234");

        var smppSends = Enumerable.Range(0, smppCount)
            .Select(i => onA.SubmitAcceptedAsync(SmppCustomer.Submit(account.SenderId, "254702739804", $"smpp {i}")));
        var restSends = Enumerable.Range(0, restCount).Select(i => b.SendAcceptedAsync(account, $"rest {i}"));
        var smppIds = await Task.WhenAll(smppSends);
        await Task.WhenAll(restSends);

        var expected = Gateway.Money(opening - (smppCount + restCount) * price);
        Assert.Equal(expected, await a.BalanceAsync(account));
        Assert.Equal(expected, await b.BalanceAsync(account));

        foreach (var id in smppIds)
        {
            var receipt = await onA.WaitForReceiptAsync(id, TimeSpan.FromSeconds(30));
            Assert.Equal(EsmClass.DeliveryReceipt, receipt.EsmClass & EsmClass.MessageTypeMask);
        }

        // A message submitted on A whose receipt can only go to B: A's transceiver is gone, and A's only
        // session is a transmitter, which receipts never go to.
        await onA.UnbindAsync();
        await using var transmitterOnA = await SmppCustomer.BindAsync(a, "walletuser", "pass1234", CommandId.BindTransmitter);
        var crossing = await transmitterOnA.SubmitAcceptedAsync(SmppCustomer.Submit(account.SenderId, "254733123456", "receipt crosses silos"));
        await using var onB = await SmppCustomer.BindAsync(b, "walletuser", "pass1234");
        var crossed = await onB.WaitForReceiptAsync(crossing, TimeSpan.FromSeconds(30));
        output.WriteLine($"receipt on silo B: {SmppCustomer.ReceiptText(crossed)}");
        Assert.Equal(EsmClass.DeliveryReceipt, crossed.EsmClass & EsmClass.MessageTypeMask);
        Assert.Empty(transmitterOnA.Receipts);

        var final = Gateway.Money(opening - (smppCount + restCount + 1) * price);
        Assert.Equal(final, await b.BalanceAsync(account));
        Assert.Equal(final, await a.BalanceAsync(account));
    }

    private async Task<(SiloProcess A, SiloProcess B)> StartPairAsync()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var silos = await _cluster.StartSilosAsync("a", "b");
        output.WriteLine($"two silos ready in {started.Elapsed.TotalSeconds:0.0} s");
        return (silos[0], silos[1]);
    }
}
