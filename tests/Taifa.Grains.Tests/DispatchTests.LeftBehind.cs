using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Dispatch;
using Taifa.Abstractions.Messages;
using Taifa.Grains.Dispatch;
using Taifa.Grains.Ledger;
using Taifa.Grains.Messages;
using Taifa.Grains.Persistence;

namespace Taifa.Grains.Tests;

/// <summary>
/// What a silo that died leaves behind: a final message whose refund and notifications had not run (its timer died
/// with it), or a record still behind the final row written just before. The ledger's row keeps what is owed, and the
/// cluster's sweep resumes it.
/// </summary>
public sealed partial class DispatchTests
{
    private IServiceProvider SiloServices => ((InProcessSiloHandle)cluster.Cluster.Primary!).SiloHost.Services;

    /// <summary>A message submitted to the operator, then no longer in memory anywhere (as after its silo died).</summary>
    private async Task<(IAccountGrain Account, MessageRecord Record)> SubmittedAndGone(string dlrHost)
    {
        var (grain, digest) = await OpenAsync(10m);
        var outcome = await SendAsync(grain, digest, NewNumber(), dlrUrl: $"http://{dlrHost}/dlr");
        var record = await WaitForStatus(outcome.MessageId, s => s == MessageStatus.Submitted, "submitted");
        await cluster.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        return (grain, record);
    }

    /// <summary>The final row as the dead silo wrote it, before or after its record.</summary>
    private async Task WriteFinalRow(MessageRecord record, MessageStatus status, decimal refund) =>
        Assert.True(await SiloServices.GetRequiredService<LedgerWriter>().RecordOutcome(new MessageOutcome(record.MessageId, status, DateTimeOffset.UtcNow)
        {
            OperatorName = record.OperatorName,
            OperatorPartIds = [.. record.OperatorPartIds],
            Refund = refund,
        }));

    private async Task WaitUntil(Func<Task<bool>> done, string what)
    {
        // The sweep runs every 5 s and takes what was left behind for 10 s.
        await cluster.Grains.GetGrain<ILedgerSweepsGrain>(0).EnsureRunning();
        var deadline = DateTime.UtcNow.AddSeconds(40);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what} within 40 s");
            await Task.Delay(100);
        }
    }

    private async Task<bool> RowOwesNothing(long messageId) =>
        !(await Ledger.ReadFollowUpsDue(DateTimeOffset.UtcNow.AddDays(1), 10_000)).Any(f => f.MessageId == messageId);

    [Fact]
    public async Task A_final_message_whose_silo_died_before_its_follow_ups_is_followed_up_from_its_row()
    {
        var (_, record) = await SubmittedAndGone("left-behind.example");

        // Its silo saved the final state, with the callback still owed, and died before the follow-up timer ran.
        var storage = SiloServices.GetRequiredKeyedService<IGrainStorage>(StorageNames.Messages);
        var grainId = cluster.Grains.GetGrain<IMessageGrain>(record.MessageId).GetGrainId();
        var stored = new GrainState<MessageGrainState>();
        await storage.ReadStateAsync("message", grainId, stored);
        await WriteFinalRow(record, MessageStatus.Delivered, 0m);
        var now = DateTimeOffset.UtcNow;
        stored.State!.Record = stored.State.Record! with { Status = MessageStatus.Delivered, DoneAt = now, UpdatedAt = now };
        stored.State.StatusCallbackPending = true;
        await storage.WriteStateAsync("message", grainId, stored);

        await WaitUntil(() => Task.FromResult(RecordingNotifier.Instance.StatusPosts.Any(p => p.MessageId == record.MessageId && p.Status == MessageStatus.Delivered)),
            "the dlr_url was told");
        await WaitUntil(() => RowOwesNothing(record.MessageId), "the row owed nothing more");
        Assert.Single(RecordingNotifier.Instance.StatusPosts, p => p.MessageId == record.MessageId);
    }

    [Fact]
    public async Task A_record_behind_its_final_row_takes_the_rows_state_and_its_refund_once()
    {
        var (account, record) = await SubmittedAndGone("behind.example");
        Assert.Equal(9m, (await account.View())!.CreditBalance);

        // Its silo wrote the row (rejected by receipt, refund due) and died before saving the record.
        await WriteFinalRow(record, MessageStatus.Rejected, record.Cost);

        await WaitUntil(async () => (await account.View())!.CreditBalance == 10m, "the refund was applied");
        await WaitUntil(() => RowOwesNothing(record.MessageId), "the row owed nothing more");
        Assert.Equal(MessageStatus.Rejected, (await cluster.Grains.GetGrain<IMessageGrain>(record.MessageId).Get())!.Status);
        Assert.Single(RecordingNotifier.Instance.StatusPosts, p => p.MessageId == record.MessageId && p.Status == MessageStatus.Rejected);

        // Resumed again (a sweep that read the row before it was cleared): nothing is refunded twice.
        Assert.Null(await cluster.Grains.GetGrain<IMessageGrain>(record.MessageId).ResumeFollowUp(record.Cost));
        Assert.Equal(10m, (await account.View())!.CreditBalance);
    }

    [Fact]
    public async Task Messages_a_dispatcher_held_when_it_went_away_are_taken_from_their_queued_rows_by_its_next_activation()
    {
        var (grain, digest) = await OpenAsync(10m);
        var mobile = NewNumber();
        ScriptedOperator.Instance.Script(mobile, [.. Enumerable.Repeat(SubmissionOutcome.Throttled, 100_000)]);
        var outcome = await SendAsync(grain, digest, mobile);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (ScriptedOperator.Instance.Attempts.GetValueOrDefault(outcome.MessageId) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the dispatcher never tried the message");
            await Task.Delay(25);
        }

        // Its dispatcher leaves memory (as with its silo) holding the message it took from the stream; nothing else
        // of it is written anywhere but the message's queued row.
        await cluster.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        ScriptedOperator.Instance.Script(mobile);
        var shard = SiloServices.GetRequiredService<OperatorRoutes>().StreamKeyFor(1, outcome.MessageId)!;
        await cluster.Grains.GetGrain<IOperatorDispatcherGrain>(shard).EnsureRunning();

        await WaitForStatus(outcome.MessageId, s => s == MessageStatus.Submitted, "submitted by the next activation");
    }
}
