using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Messages;
using Taifa.Domain.Ids;
using Taifa.Domain.Text;
using Orleans.Storage;

namespace Taifa.Grains.Tests;

/// <summary>
/// A send whose answer was lost (its silo died, the write's outcome unknown) is repeated with the same message ids:
/// the account answers what it charged, or charges once, and never answers a charged send with a failure.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class LostAnswerTests(GrainCluster cluster)
{
    private static long _nextAccountId = 50_000;
    private static readonly MessageIdGenerator Ids = new(99, TimeProvider.System);

    private async Task<(IAccountGrain Grain, string Digest, string Sender)> OpenAsync(decimal credit)
    {
        var id = Interlocked.Increment(ref _nextAccountId);
        var sender = "LOST" + id;
        var digest = ApiKeys.Digest(ApiKeys.NewKey());
        var grain = cluster.Grains.GetGrain<IAccountGrain>(id);
        Assert.Equal(AdminOutcome.Ok, (await grain.Open(new OpenAccount("lost " + id, credit, 1m, [sender], digest))).Outcome);
        return (grain, digest, sender);
    }

    private static SendCommand Command(string digest, string sender, int recipients = 1) => new()
    {
        ApiKeyDigest = digest,
        SenderId = sender,
        Text = "hello",
        Encoding = SmsEncoding.Gsm7,
        Parts = 1,
        Channel = MessageChannel.Rest,
        Recipients = [.. Enumerable.Repeat(new SendRecipient("254702739804", 1), recipients)],
        MessageIds = [.. Enumerable.Range(0, recipients).Select(_ => Ids.Next())],
    };

    private static async Task<decimal> BalanceAsync(IAccountGrain grain) => (await grain.View())!.CreditBalance;

    private async Task<MessageRecord> RecordAsync(long messageId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (await cluster.Grains.GetGrain<IMessageGrain>(messageId).Get() is { } record) return record;
            Assert.True(DateTime.UtcNow < deadline, $"message {messageId} was never handed to its record");
            await Task.Delay(20);
        }
    }

    /// <summary>Every activation that is idle goes, so the next call loads the account from storage.</summary>
    private Task ReloadEverything() =>
        cluster.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

    [Fact]
    public async Task A_repeated_send_answers_what_it_charged_wherever_the_message_is()
    {
        var (grain, digest, sender) = await OpenAsync(credit: 10m);
        var command = Command(digest, sender, recipients: 2);
        var first = await grain.Send(command);
        Assert.Equal(command.MessageIds, first.Outcomes.Select(o => o.MessageId));
        var repeat = command with { Retry = true };

        // In the outbox, then in the message records, then from storage in a new activation: the same answer, one charge.
        Assert.Equal(first.Outcomes, (await grain.Send(repeat)).Outcomes);
        foreach (var outcome in first.Outcomes) await RecordAsync(outcome.MessageId);
        Assert.Equal(first.Outcomes, (await grain.Send(repeat)).Outcomes);
        await ReloadEverything();
        Assert.Equal(first.Outcomes, (await grain.Send(repeat)).Outcomes);
        Assert.Equal(8m, await BalanceAsync(grain));
        Assert.Equal([9m, 8m], first.Outcomes.Select(o => o.CreditBalance));

        // A repeat whose earlier attempt charged nothing charges now, once.
        var never = Command(digest, sender) with { Retry = true };
        Assert.Equal(TaifaStatus.Success, (await grain.Send(never)).Outcomes.Single().Status);
        Assert.Equal(never.MessageIds[0], (await grain.Send(never)).Outcomes.Single().MessageId);
        Assert.Equal(7m, await BalanceAsync(grain));
    }

    [Fact]
    public async Task A_failed_write_that_committed_answers_accepted_not_1005()
    {
        var (grain, digest, sender) = await OpenAsync(credit: 10m);
        var command = Command(digest, sender);
        SendResult result;
        using (CountingStorage.Script(grain.GetGrainId(), new StorageScript { Write = StorageScript.CommitThenFail }))
        {
            result = await grain.Send(command);
        }

        Assert.Equal(TaifaStatus.Success, result.Status);
        Assert.Equal(command.MessageIds[0], result.Outcomes.Single().MessageId);
        Assert.Equal(9m, (await RecordAsync(command.MessageIds[0])).BalanceAfter);
        Assert.Equal(9m, await BalanceAsync(grain));
    }

    [Fact]
    public async Task A_failed_write_answers_1005_and_nothing_of_it_is_handed_off()
    {
        var (grain, digest, sender) = await OpenAsync(credit: 10m);
        var command = Command(digest, sender);

        // Held past the outbox sweep (every 2 s), then refused: the sweep must not hand off what the write did not cover.
        var script = new StorageScript
        {
            Write = async _ =>
            {
                await Task.Delay(TimeSpan.FromSeconds(2.5));
                throw new IOException("test: storage refused the write");
            },
        };
        SendResult result;
        using (CountingStorage.Script(grain.GetGrainId(), script))
        {
            result = await grain.Send(command);
        }

        Assert.Equal(TaifaStatus.DatabaseError, result.Status);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Null(await cluster.Grains.GetGrain<IMessageGrain>(command.MessageIds[0]).Get());
        Assert.Equal(10m, await BalanceAsync(grain));
    }

    [Fact]
    public async Task A_write_storage_refused_answers_1005_even_when_storage_cannot_be_read()
    {
        var (grain, digest, sender) = await OpenAsync(credit: 10m);
        var script = new StorageScript
        {
            Write = _ => throw new InconsistentStateException("test: storage refused the write"),
            Read = _ => throw new IOException("test: storage unreachable"),
        };
        SendResult result;
        using (CountingStorage.Script(grain.GetGrainId(), script))
        {
            result = await grain.Send(Command(digest, sender));
        }

        Assert.Equal(TaifaStatus.DatabaseError, result.Status);
        Assert.Equal(10m, await RepeatUntilReloaded(grain));
    }

    [Fact]
    public async Task A_write_whose_outcome_cannot_be_read_back_is_settled_by_the_repeat()
    {
        var (grain, digest, sender) = await OpenAsync(credit: 10m);
        var command = Command(digest, sender);
        var script = new StorageScript
        {
            Write = StorageScript.CommitThenFail,
            Read = _ => throw new IOException("test: storage unreachable"),
        };
        using (CountingStorage.Script(grain.GetGrainId(), script))
        {
            await Assert.ThrowsAsync<SendUncertainException>(() => grain.Send(command));
        }

        var repeated = await RepeatUntilDefinite(grain, command with { Retry = true });
        Assert.Equal(command.MessageIds[0], repeated.Outcomes.Single().MessageId);
        Assert.Equal(9m, await BalanceAsync(grain));
    }

    [Fact]
    public async Task An_idempotency_key_whose_first_answer_was_lost_charges_once()
    {
        var (grain, digest, sender) = await OpenAsync(credit: 10m);
        var key = cluster.Grains.GetGrain<IIdempotentSendGrain>($"{grain.GetPrimaryKeyLong()}:{Guid.NewGuid():N}");
        var script = new StorageScript
        {
            Write = StorageScript.CommitThenFail,
            Read = _ => throw new IOException("test: storage unreachable"),
        };
        using (CountingStorage.Script(grain.GetGrainId(), script))
        {
            await Assert.ThrowsAsync<SendUncertainException>(() => key.Send("body-digest", Command(digest, sender), TimeSpan.FromHours(1)));
        }

        // The client repeats with the same key and body, as the README tells it to; its new request has new ids.
        IdempotentSend? repeat = null;
        for (var attempt = 0; attempt < 50 && repeat is null; attempt++)
        {
            try
            {
                repeat = await key.Send("body-digest", Command(digest, sender), TimeSpan.FromHours(1));
            }
            catch (SendUncertainException)
            {
                await Task.Delay(100);
            }
        }

        Assert.NotNull(repeat);
        Assert.Equal(TaifaStatus.Success, repeat.Result!.Outcomes.Single().Status);
        Assert.Equal(9m, await BalanceAsync(grain));
        var replay = await key.Send("body-digest", Command(digest, sender), TimeSpan.FromHours(1));
        Assert.True(replay.Replayed);
        Assert.Equal(repeat.Result.Outcomes, replay.Result!.Outcomes);
        Assert.Equal(9m, await BalanceAsync(grain));
    }

    /// <summary>The balance, once the activation discarded after a failed write has gone.</summary>
    private static async Task<decimal> RepeatUntilReloaded(IAccountGrain grain)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await BalanceAsync(grain);
            }
            catch (Exception) when (attempt < 50)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>As the intake does: a repeat that meets the discarded activation is uncertain again, until a new one answers.</summary>
    private static async Task<SendResult> RepeatUntilDefinite(IAccountGrain grain, SendCommand command)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await grain.Send(command);
            }
            catch (SendUncertainException) when (attempt < 50)
            {
                await Task.Delay(100);
            }
        }
    }
}
