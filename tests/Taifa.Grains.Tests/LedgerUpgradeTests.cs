using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Messages;
using Taifa.Domain.Ids;
using Taifa.Domain.Text;
using Taifa.Grains.Accounts;

namespace Taifa.Grains.Tests;

/// <summary>
/// The account's money and messages live in the ledger: its grain state holds no outbox and no refund history (nothing
/// that grows with traffic is re-written per commit), and an account stored the old way moves into the ledger when it
/// is next activated, keeping its balance, its unsent messages and the refunds it already made.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class LedgerUpgradeTests(GrainCluster cluster)
{
    private static long _nextAccountId = 80_000;
    private static readonly MessageIdGenerator Ids = new(98, TimeProvider.System);

    private IGrainStorage AccountStorage =>
        ((InProcessSiloHandle)cluster.Cluster.Primary!).SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Accounts);

    private async Task<AccountState> StoredState(IAccountGrain grain)
    {
        var state = new GrainState<AccountState>();
        await AccountStorage.ReadStateAsync("account", grain.GetGrainId(), state);
        return state.State!;
    }

    private static SendCommand Command(string digest, string sender, long messageId) => new()
    {
        ApiKeyDigest = digest,
        SenderId = sender,
        Text = "hello",
        Encoding = SmsEncoding.Gsm7,
        Parts = 1,
        Channel = MessageChannel.Rest,
        Recipients = [new SendRecipient("254702739804", 1)],
        MessageIds = [messageId],
    };

    [Fact]
    public async Task Sends_and_refunds_write_no_account_state()
    {
        var id = Interlocked.Increment(ref _nextAccountId);
        var digest = ApiKeys.Digest(ApiKeys.NewKey());
        var grain = cluster.Grains.GetGrain<IAccountGrain>(id);
        await grain.Open(new OpenAccount("ledger " + id, 10m, 1m, ["LDG" + id], digest));
        var writesBefore = CountingStorage.WritesOf(grain.GetGrainId());

        var sent = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => grain.Send(Command(digest, "LDG" + id, Ids.Next()))));
        await grain.Refund(sent[0].Outcomes.Single().MessageId, 1m);
        await grain.Refund(sent[0].Outcomes.Single().MessageId, 1m);

        Assert.Equal(8m, (await grain.View())!.CreditBalance);
        var stored = await StoredState(grain);
        Assert.Empty(stored.Outbox);
        Assert.Empty(stored.Refunds);
        Assert.Equal(0, CountingStorage.WritesOf(grain.GetGrainId()) - writesBefore);
    }

    [Fact]
    public async Task An_account_stored_the_old_way_keeps_its_balance_its_unsent_messages_and_its_refunds()
    {
        var id = Interlocked.Increment(ref _nextAccountId);
        var digest = ApiKeys.Digest(ApiKeys.NewKey());
        var sender = "OLD" + id;
        var grain = cluster.Grains.GetGrain<IAccountGrain>(id);
        var now = DateTimeOffset.UtcNow;
        var unsent = new MessageRecord
        {
            MessageId = Ids.Next(), RecipientId = Ids.Next(), AccountId = id, MobileNumber = "254702739804", NetworkId = 1, SenderId = sender,
            Text = "hello", Encoding = SmsEncoding.Gsm7, Parts = 1, Cost = 1m, Channel = MessageChannel.Rest, AcceptedAt = now, UpdatedAt = now,
            BalanceAfter = 7m,
        };
        var refundedEarlier = Ids.Next();
        var legacy = new AccountState
        {
            IsOpen = true, Name = "old " + id, Status = AccountStatus.Active, Balance = 7m, PricePerSms = 1m, SenderIds = [sender],
            ApiKeyDigest = digest, CreatedAt = now.AddDays(-30), Outbox = [unsent], Refunds = new() { [refundedEarlier] = now.AddHours(-1) },
        };
        await AccountStorage.WriteStateAsync("account", grain.GetGrainId(), new GrainState<AccountState>(legacy));

        Assert.Equal(7m, (await grain.View())!.CreditBalance);
        await grain.Refund(refundedEarlier, 1m);
        Assert.Equal(7m, (await grain.View())!.CreditBalance);

        var repeat = await grain.Send(Command(digest, sender, unsent.MessageId) with { Retry = true });
        Assert.Equal((TaifaStatus.Success, unsent.MessageId, 7m), (repeat.Outcomes.Single().Status, repeat.Outcomes.Single().MessageId, repeat.Outcomes.Single().CreditBalance));
        Assert.Equal(7m, (await grain.View())!.CreditBalance);

        await grain.Refund(unsent.MessageId, 1m);
        await grain.Refund(unsent.MessageId, 1m);
        Assert.Equal(8m, (await grain.View())!.CreditBalance);

        var stored = await StoredState(grain);
        Assert.Empty(stored.Outbox);
        Assert.Empty(stored.Refunds);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await cluster.Grains.GetGrain<IMessageGrain>(unsent.MessageId).Get() is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the old outbox's message {unsent.MessageId} was never handed to its record");
            await Task.Delay(20);
        }
    }
}
