using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Messages;
using Taifa.Domain.Text;

namespace Taifa.Grains.Tests;

[Collection(GrainClusterCollection.Name)]
public sealed class AccountGrainTests(GrainCluster cluster)
{
    private static long _nextAccountId = 1000;

    private async Task<(IAccountGrain Grain, string Digest, string Sender)> OpenAsync(decimal credit, decimal price = 1m)
    {
        var id = Interlocked.Increment(ref _nextAccountId);
        var sender = "SND" + id;
        var digest = ApiKeys.Digest(ApiKeys.NewKey());
        var grain = cluster.Grains.GetGrain<IAccountGrain>(id);
        var opened = await grain.Open(new OpenAccount("acct " + id, credit, price, [sender], digest));
        Assert.Equal(AdminOutcome.Ok, opened.Outcome);
        return (grain, digest, sender);
    }

    private static SendCommand Command(string digest, string sender, int parts = 1, params string?[] mobiles) => new()
    {
        ApiKeyDigest = digest,
        SenderId = sender,
        Text = "hello",
        Encoding = SmsEncoding.Gsm7,
        Parts = parts,
        Channel = MessageChannel.Rest,
        Recipients = (mobiles.Length == 0 ? ["254702739804"] : mobiles).Select(m => new SendRecipient(m, m is null ? 0 : 1)).ToArray(),
    };

    [Fact]
    public async Task Concurrent_sends_share_durable_writes_and_never_overdraw()
    {
        var (grain, digest, sender) = await OpenAsync(credit: 250m);
        var writesBefore = CountingLedger.CommitsOf(grain.GetPrimaryKeyLong());

        // The first commit is held while the sends arrive, as a database commit takes its time: on a loaded machine an
        // instant in-memory commit could otherwise finish before the next send is even delivered.
        var release = new TaskCompletionSource();
        var held = 0;
        using var slowFirstCommit = CountingStorage.Script(grain.GetGrainId(), new StorageScript
        {
            Write = async real =>
            {
                if (Interlocked.Exchange(ref held, 1) == 0) await release.Task;
                await real();
            },
        });
        var sending = Enumerable.Range(0, 500).Select(_ => grain.Send(Command(digest, sender))).ToList();
        await Task.Delay(500);
        release.SetResult();
        var results = await Task.WhenAll(sending);

        var outcomes = results.Select(r => r.Outcomes.Single().Status).ToList();
        Assert.Equal(250, outcomes.Count(s => s == TaifaStatus.Success));
        Assert.Equal(250, outcomes.Count(s => s == TaifaStatus.InsufficientCredit));
        Assert.Equal(0m, (await grain.View())!.CreditBalance);
        Assert.Equal(250, results.SelectMany(r => r.Outcomes).Where(o => o.Status == TaifaStatus.Success).Select(o => o.MessageId).Distinct().Count());
        var writes = CountingLedger.CommitsOf(grain.GetPrimaryKeyLong()) - writesBefore;
        Assert.True(writes < 250, $"250 accepted sends took {writes} ledger commits; group commit should batch them");
    }

    [Fact]
    public async Task A_message_longer_than_the_credit_is_refused_whole()
    {
        var (grain, digest, sender) = await OpenAsync(credit: 1m);
        var result = await grain.Send(Command(digest, sender, parts: 2));
        Assert.Equal(TaifaStatus.InsufficientCredit, result.Outcomes.Single().Status);
        Assert.Equal(0m, result.Outcomes.Single().Cost);
        Assert.Equal(1m, (await grain.View())!.CreditBalance);
    }

    [Fact]
    public async Task Checks_run_in_the_documented_order()
    {
        var (grain, digest, sender) = await OpenAsync(credit: 1m);
        Assert.Equal(TaifaStatus.InvalidApiKey, (await grain.Send(Command(ApiKeys.Digest("wrong"), sender))).Status);
        var bulk = await grain.Send(Command(digest, "NOTMINE", 1, "254702739804", null));
        Assert.Equal([TaifaStatus.InvalidSenderId, TaifaStatus.InvalidSenderId], bulk.Outcomes.Select(o => o.Status));
        bulk = await grain.Send(Command(digest, sender, 1, null, "254702739804", "254702739804"));
        Assert.Equal([TaifaStatus.InvalidMobileNumber, TaifaStatus.Success, TaifaStatus.InsufficientCredit], bulk.Outcomes.Select(o => o.Status));

        await grain.SetStatus(AccountStatus.Suspended);
        Assert.Equal(TaifaStatus.AccountSuspended, (await grain.Send(Command(digest, sender))).Status);
        Assert.Equal(TaifaStatus.AccountSuspended, (await grain.CheckKey(digest, null)).Status);
    }

    [Fact]
    public async Task Accepted_messages_reach_their_own_records()
    {
        var (grain, digest, sender) = await OpenAsync(credit: 10m, price: 0.5m);
        var result = await grain.Send(Command(digest, sender, 3, "254702739804", "254733123456"));
        foreach (var outcome in result.Outcomes)
        {
            MessageRecord? record = null;
            for (var i = 0; i < 100 && record is null; i++)
            {
                record = await cluster.Grains.GetGrain<IMessageGrain>(outcome.MessageId).Get();
                if (record is null) await Task.Delay(20);
            }

            Assert.NotNull(record);
            Assert.Equal(outcome.MobileNumber, record.MobileNumber);
            Assert.Equal(1.5m, record.Cost);
            Assert.Equal(3, record.Parts);
            // The scripted operator of this cluster may already have taken it.
            Assert.Contains(record.Status, new[] { MessageStatus.Queued, MessageStatus.Submitted });
            Assert.Equal(TaifaStatus.Success, (await grain.FindMessage(digest, null, outcome.MessageId)).Status);
        }

        var (_, strangerDigest, _) = await OpenAsync(credit: 1m);
        var stranger = cluster.Grains.GetGrain<IAccountGrain>(_nextAccountId);
        Assert.Equal(TaifaStatus.UnknownMessageId, (await stranger.FindMessage(strangerDigest, null, result.Outcomes[0].MessageId)).Status);
    }

    [Fact]
    public async Task Smpp_passwords_are_checked_against_a_salted_hash()
    {
        var (grain, digest, _) = await OpenAsync(credit: 1m);
        var username = "user" + _nextAccountId;
        Assert.Equal(TaifaStatus.Success, await grain.SetSmppCredentials(digest, null, username, "pass1234"));
        Assert.Equal(TaifaStatus.Success, await grain.CheckSmppPassword(username, "pass1234", null));
        Assert.Equal(TaifaStatus.InvalidSmppCredentials, await grain.CheckSmppPassword(username, "pass1235", null));
        Assert.Equal(TaifaStatus.InvalidSmppCredentials, await grain.CheckSmppPassword("other", "pass1234", null));

        var (other, otherDigest, _) = await OpenAsync(credit: 1m);
        Assert.Equal(TaifaStatus.SmppUsernameTaken, await other.SetSmppCredentials(otherDigest, null, username, "x"));

        Assert.Equal(TaifaStatus.Success, await grain.SetSmppCredentials(digest, null, username + "b", "newpass"));
        Assert.Equal(TaifaStatus.Success, await other.SetSmppCredentials(otherDigest, null, username, "x"));

        await grain.SetStatus(AccountStatus.Suspended);
        Assert.Equal(TaifaStatus.AccountSuspended, await grain.CheckSmppPassword(username + "b", "newpass", null));
    }

    [Fact]
    public async Task Index_names_belong_to_one_account_until_released()
    {
        var index = cluster.Grains.SenderId("Unique" + Guid.NewGuid().ToString("N")[..5]);
        Assert.True(await index.Claim(1));
        Assert.True(await index.Claim(1));
        Assert.False(await index.Claim(2));
        await index.Release(2);
        Assert.Equal(1, await index.Owner());
        await index.Release(1);
        Assert.True(await index.Claim(2));
    }
}
