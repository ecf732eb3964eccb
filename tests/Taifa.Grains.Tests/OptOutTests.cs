using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Inbound;
using Taifa.Abstractions.Messages;
using Taifa.Domain.Text;

namespace Taifa.Grains.Tests;

/// <summary>The account's opt-out list: enforced per recipient at send time (1017, not charged) and reloaded with the activation.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class OptOutTests(GrainCluster cluster)
{
    private static long _nextAccountId = 5000;

    [Fact]
    public async Task An_opted_out_recipient_is_refused_uncharged_and_the_list_outlives_the_activation()
    {
        var id = Interlocked.Increment(ref _nextAccountId);
        var digest = ApiKeys.Digest(ApiKeys.NewKey());
        var grain = cluster.Grains.GetGrain<IAccountGrain>(id);
        Assert.Equal(AdminOutcome.Ok, (await grain.Open(new OpenAccount("opt-out " + id, 10m, 1m, ["OPT" + id], digest))).Outcome);
        SendCommand Command() => new()
        {
            ApiKeyDigest = digest,
            SenderId = "OPT" + id,
            Text = "offer",
            Encoding = SmsEncoding.Gsm7,
            Parts = 2,
            Channel = MessageChannel.Rest,
            Recipients = [new SendRecipient("254702000900", 1), new SendRecipient("254702000901", 1)],
        };

        await grain.AddOptOut("254702000900", OptOutSource.Api);
        var sent = await grain.Send(Command());
        Assert.Equal([TaifaStatus.RecipientOptedOut, TaifaStatus.Success], sent.Outcomes.Select(o => o.Status));
        Assert.Equal((0m, 0L), (sent.Outcomes[0].Cost, sent.Outcomes[0].MessageId));
        Assert.Equal(8m, (await grain.View())!.CreditBalance);

        await cluster.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        Assert.Equal(TaifaStatus.RecipientOptedOut, (await grain.Send(Command())).Outcomes[0].Status);

        Assert.True(await grain.RemoveOptOut("254702000900"));
        Assert.False(await grain.RemoveOptOut("254702000900"));
        Assert.Equal(TaifaStatus.Success, (await grain.Send(Command())).Outcomes[0].Status);
    }
}
