using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;

namespace Taifa.Grains.Tests;

/// <summary>
/// A sender ID, SMPP username or API key belongs to one account at most, also when storage refuses a write: a claim
/// that was not saved is not held, and an account change that was not saved gives back the names it claimed.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class NameClaimTests(GrainCluster cluster)
{
    private static long _nextAccountId = 900_000;

    private static IDisposable Refused(IAddressable grain) => CountingStorage.Script(grain.GetGrainId(), StorageScript.RefuseWrites);

    private static IDisposable AnswerLost(IAddressable grain) =>
        CountingStorage.Script(grain.GetGrainId(), new StorageScript { Write = StorageScript.CommitThenFail });

    private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();

    private static IAccountGrain NewAccount(GrainCluster cluster) => cluster.Grains.GetGrain<IAccountGrain>(Interlocked.Increment(ref _nextAccountId));

    private static OpenAccount Request(string digest, params string[] senderIds) => new("claims", 10m, 1m, senderIds, digest);

    private static string NewDigest() => ApiKeys.Digest(ApiKeys.NewKey());

    private async Task<(IAccountGrain Account, string Digest)> OpenAsync(params string[] senderIds)
    {
        var account = NewAccount(cluster);
        var digest = NewDigest();
        Assert.Equal(AdminOutcome.Ok, (await account.Open(Request(digest, senderIds))).Outcome);
        return (account, digest);
    }

    private async Task<long?> OwnerOfSender(string senderId) => await cluster.Grains.SenderId(senderId).Owner();

    [Fact]
    public async Task A_claim_whose_write_failed_is_not_held_by_a_retry_and_the_name_stays_free()
    {
        var index = cluster.Grains.SenderId(Unique("IDX"));
        using (Refused(index))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => index.Claim(1));
            // Before: the retry found the unsaved claim in memory and answered true, with no durable owner behind it.
            await Assert.ThrowsAnyAsync<Exception>(() => index.Claim(1));
        }

        Assert.Null(await index.Owner());
        Assert.True(await index.Claim(2));
        Assert.False(await index.Claim(1));
    }

    [Fact]
    public async Task A_release_whose_clear_failed_keeps_the_owner()
    {
        var index = cluster.Grains.SenderId(Unique("REL"));
        Assert.True(await index.Claim(1));
        using (Refused(index))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => index.Release(1));
        }

        Assert.Equal(1, await index.Owner());
        Assert.False(await index.Claim(2));
    }

    [Fact]
    public async Task An_open_whose_write_failed_releases_its_sender_ids_and_key_so_a_retry_under_a_new_id_succeeds()
    {
        var sender = Unique("OPN");
        var digest = NewDigest();
        var failed = NewAccount(cluster);
        using (Refused(failed))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => failed.Open(Request(digest, sender)));
        }

        Assert.Null(await OwnerOfSender(sender));
        Assert.Null(await cluster.Grains.ApiKey(digest).Owner());
        var retry = NewAccount(cluster);
        Assert.Equal(AdminOutcome.Ok, (await retry.Open(Request(digest, sender))).Outcome);
        Assert.Equal(retry.GetPrimaryKeyLong(), await OwnerOfSender(sender));
    }

    /// <summary>The write reached storage but its answer was lost: the account exists, so its names must stay its own.</summary>
    [Fact]
    public async Task An_open_saved_despite_a_failed_answer_keeps_its_sender_ids_and_key()
    {
        var sender = Unique("LST");
        var digest = NewDigest();
        var account = NewAccount(cluster);
        using (AnswerLost(account))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => account.Open(Request(digest, sender)));
        }

        Assert.Equal(account.GetPrimaryKeyLong(), await OwnerOfSender(sender));
        Assert.Equal(account.GetPrimaryKeyLong(), await cluster.Grains.ApiKey(digest).Owner());
        Assert.Equal(AdminOutcome.Conflict, (await NewAccount(cluster).Open(Request(NewDigest(), sender))).Outcome);
    }

    [Fact]
    public async Task An_open_refused_for_a_taken_sender_id_releases_the_ones_it_had_claimed()
    {
        var free = Unique("FRE");
        var taken = Unique("TKN");
        await OpenAsync(taken);

        var refused = await NewAccount(cluster).Open(Request(NewDigest(), free, taken));

        Assert.Equal(AdminOutcome.Conflict, refused.Outcome);
        Assert.Null(await OwnerOfSender(free));
        Assert.Equal(AdminOutcome.Ok, (await NewAccount(cluster).Open(Request(NewDigest(), free))).Outcome);
    }

    [Fact]
    public async Task Adding_a_sender_id_whose_write_failed_releases_it()
    {
        var (account, _) = await OpenAsync(Unique("OWN"));
        var (other, _) = await OpenAsync(Unique("OTH"));
        var sender = Unique("ADD");
        using (Refused(account))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => account.AddSenderId(sender));
        }

        Assert.Null(await OwnerOfSender(sender));
        Assert.Equal(AdminOutcome.Ok, (await other.AddSenderId(sender)).Outcome);
    }

    [Fact]
    public async Task Removing_a_sender_id_again_finishes_a_release_that_failed_after_the_account_write()
    {
        var sender = Unique("RMV");
        var (account, _) = await OpenAsync(Unique("KPT"), sender);
        var (other, _) = await OpenAsync(Unique("OTR"));
        using (Refused(cluster.Grains.SenderId(sender)))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => account.RemoveSenderId(sender));
        }

        Assert.DoesNotContain(sender, (await account.View())!.SenderIds);
        Assert.Equal(account.GetPrimaryKeyLong(), await OwnerOfSender(sender));

        Assert.Equal(AdminOutcome.NotFound, (await account.RemoveSenderId(sender)).Outcome);

        Assert.Null(await OwnerOfSender(sender));
        Assert.Equal(AdminOutcome.Ok, (await other.AddSenderId(sender)).Outcome);
    }

    [Fact]
    public async Task A_key_rotation_whose_write_failed_releases_the_new_key_and_keeps_the_old()
    {
        var (account, oldDigest) = await OpenAsync(Unique("KEY"));
        var newDigest = NewDigest();
        using (Refused(account))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => account.ReplaceApiKey(newDigest));
        }

        Assert.Null(await cluster.Grains.ApiKey(newDigest).Owner());
        Assert.Equal(account.GetPrimaryKeyLong(), await cluster.Grains.ApiKey(oldDigest).Owner());
    }

    [Fact]
    public async Task Smpp_credentials_saved_despite_a_failed_answer_keep_the_new_username()
    {
        var (account, digest) = await OpenAsync(Unique("SML"));
        var name = "l" + Guid.NewGuid().ToString("N")[..10];
        using (AnswerLost(account))
        {
            Assert.Equal(TaifaStatus.DatabaseError, await account.SetSmppCredentials(digest, null, name, "pw123456"));
        }

        Assert.Equal(account.GetPrimaryKeyLong(), await cluster.Grains.SmppUsername(name).Owner());
    }

    /// <summary>What the demo account does at every start: its key, set again, must stay indexed.</summary>
    [Fact]
    public async Task Setting_the_same_key_again_keeps_it_indexed()
    {
        var (account, digest) = await OpenAsync(Unique("SAM"));

        Assert.Equal(AdminOutcome.Ok, (await account.ReplaceApiKey(digest)).Outcome);

        Assert.Equal(account.GetPrimaryKeyLong(), await cluster.Grains.ApiKey(digest).Owner());
    }

    [Fact]
    public async Task Smpp_credentials_whose_write_failed_release_the_new_username_and_keep_the_old()
    {
        var (account, digest) = await OpenAsync(Unique("SMP"));
        var (other, otherDigest) = await OpenAsync(Unique("SMQ"));
        var oldName = "o" + Guid.NewGuid().ToString("N")[..10];
        var newName = "n" + Guid.NewGuid().ToString("N")[..10];
        Assert.Equal(TaifaStatus.Success, await account.SetSmppCredentials(digest, null, oldName, "pw123456"));
        using (Refused(account))
        {
            Assert.Equal(TaifaStatus.DatabaseError, await account.SetSmppCredentials(digest, null, newName, "pw654321"));
        }

        Assert.Null(await cluster.Grains.SmppUsername(newName).Owner());
        Assert.Equal(account.GetPrimaryKeyLong(), await cluster.Grains.SmppUsername(oldName).Owner());
        Assert.Equal(TaifaStatus.Success, await other.SetSmppCredentials(otherDigest, null, newName, "pw123456"));
    }
}
