using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Dispatch;
using Taifa.Abstractions.Messages;
using Taifa.Domain.Text;
using Taifa.Grains.Dispatch;
using Taifa.Grains.Messages;

namespace Taifa.Grains.Tests;

/// <summary>Refunds per part, receipts that settle a message, and follow-ups that never hold up their caller.</summary>
public sealed partial class DispatchTests
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_message_refused_after_its_first_parts_were_accepted_refunds_only_the_parts_that_never_reached_the_operator()
    {
        var (grain, digest) = await OpenAsync(10m);
        var mobile = NewNumber();
        ScriptedOperator.Instance.AcceptOnly(mobile, parts: 2, then: SubmissionOutcome.PermanentRejection);
        var outcome = await SendAsync(grain, digest, mobile, parts: 3);
        Assert.Equal(7m, outcome.CreditBalance);

        var record = await WaitForStatus(outcome.MessageId, s => s.IsFinal(), "rejected");
        Assert.Equal(MessageStatus.Rejected, record.Status);
        Assert.Equal(2, record.OperatorPartIds.Count);
        await WaitForBalance(grain, 8m);

        // The parts the operator took are charged whatever their receipts say later.
        Assert.True(await ScriptedOperator.Instance.SendReceipt(new OperatorReceipt(record.OperatorPartIds[0], MessageStatus.Rejected, null, DateTimeOffset.UtcNow)));
        await grain.Refund(outcome.MessageId, 1m);
        Assert.Equal(8m, (await grain.View())!.CreditBalance);
    }

    [Fact]
    public async Task A_part_the_operator_rejects_in_its_receipt_is_refunded_once()
    {
        var (grain, digest) = await OpenAsync(10m);
        var outcome = await SendAsync(grain, digest, NewNumber(), parts: 2);
        var record = await WaitForStatus(outcome.MessageId, s => s == MessageStatus.Submitted, "submitted");

        Assert.True(await ScriptedOperator.Instance.SendReceipt(new OperatorReceipt(record.OperatorPartIds[0], MessageStatus.Delivered, null, DateTimeOffset.UtcNow)));
        Assert.True(await ScriptedOperator.Instance.SendReceipt(new OperatorReceipt(record.OperatorPartIds[1], MessageStatus.Rejected, "0x0B", DateTimeOffset.UtcNow)));
        Assert.Equal(MessageStatus.Rejected, (await WaitForStatus(outcome.MessageId, s => s.IsFinal(), "final")).Status);
        await WaitForBalance(grain, 9m);

        // The operator redelivers the receipt: nothing more is refunded.
        Assert.True(await ScriptedOperator.Instance.SendReceipt(new OperatorReceipt(record.OperatorPartIds[1], MessageStatus.Rejected, "0x0B", DateTimeOffset.UtcNow)));
        await grain.Refund(outcome.MessageId, 1m);
        Assert.Equal(9m, (await grain.View())!.CreditBalance);
    }

    [Fact]
    public async Task An_operator_that_sends_one_receipt_per_message_settles_a_long_message_with_it()
    {
        var (grain, digest) = await OpenAsync(10m);
        var outcome = await SendToNetworkAsync(grain, digest, NewNumber(), parts: 3, networkId: 4);
        var record = await WaitForStatus(outcome.MessageId, s => s == MessageStatus.Submitted, "submitted");
        Assert.Equal("scripted-one-receipt", record.OperatorName);

        Assert.True(await ScriptedOperator.Instance.SendReceipt(new OperatorReceipt(record.OperatorPartIds[0], MessageStatus.Delivered, null, DateTimeOffset.UtcNow)));
        Assert.Equal(MessageStatus.Delivered, (await WaitForStatus(outcome.MessageId, s => s.IsFinal(), "final")).Status);
    }

    [Fact]
    public async Task A_long_message_the_operator_gave_one_id_is_settled_by_the_one_receipt_for_it()
    {
        var (grain, digest) = await OpenAsync(10m);
        var mobile = NewNumber();
        ScriptedOperator.Instance.OneIdForAllParts(mobile);
        var outcome = await SendAsync(grain, digest, mobile, parts: 3);
        var record = await WaitForStatus(outcome.MessageId, s => s == MessageStatus.Submitted, "submitted");
        Assert.Single(record.OperatorPartIds.Distinct());

        Assert.True(await ScriptedOperator.Instance.SendReceipt(new OperatorReceipt(record.OperatorPartIds[0], MessageStatus.Undelivered, null, DateTimeOffset.UtcNow)));
        Assert.Equal(MessageStatus.Undelivered, (await WaitForStatus(outcome.MessageId, s => s.IsFinal(), "final")).Status);
    }

    [Fact]
    public async Task A_receipt_is_answered_without_waiting_for_a_dlr_url_that_hangs()
    {
        var (grain, digest) = await OpenAsync(10m);
        try
        {
            var outcome = await SendAsync(grain, digest, NewNumber(), dlrUrl: $"http://{RecordingNotifier.HangingHost}/dlr");
            var record = await WaitForStatus(outcome.MessageId, s => s == MessageStatus.Submitted, "submitted");

            var receipt = ScriptedOperator.Instance.SendReceipt(new OperatorReceipt(record.OperatorPartIds[0], MessageStatus.Delivered, null, DateTimeOffset.UtcNow));
            Assert.True(await receipt.WaitAsync(Prompt), "the operator's receipt waited for the customer's dlr_url");
            Assert.Equal(MessageStatus.Delivered, (await cluster.Grains.GetGrain<IMessageGrain>(outcome.MessageId).Get().WaitAsync(Prompt))!.Status);
        }
        finally
        {
            RecordingNotifier.Instance.ReleaseHanging();
        }
    }

    [Fact]
    public async Task Abandoning_a_message_does_not_wait_for_a_dlr_url_that_hangs()
    {
        var (grain, digest) = await OpenAsync(10m);
        var mobile = NewNumber();
        try
        {
            // Refused for good, twice over: the dispatcher's slot is free again only once Abandon answers.
            ScriptedOperator.Instance.Script(mobile, SubmissionOutcome.PermanentRejection);
            var outcome = await SendAsync(grain, digest, mobile, dlrUrl: $"http://{RecordingNotifier.HangingHost}/dlr");
            var message = cluster.Grains.GetGrain<IMessageGrain>(outcome.MessageId);
            await WaitForStatus(outcome.MessageId, s => s.IsFinal(), "rejected");
            await message.Abandon(MessageStatus.Rejected, "again").WaitAsync(Prompt);
            await WaitForBalance(grain, 10m);
        }
        finally
        {
            RecordingNotifier.Instance.ReleaseHanging();
        }
    }

    [Fact]
    public async Task A_dlr_url_is_retried_by_the_age_of_the_final_status_not_by_a_count_of_attempts()
    {
        var now = DateTimeOffset.UtcNow;
        async Task<long> FinalSince(TimeSpan age)
        {
            var messageId = Random.Shared.NextInt64(1L << 50, 1L << 52);
            var message = cluster.Grains.GetGrain<IMessageGrain>(messageId);
            await message.Record(new MessageRecord
            {
                MessageId = messageId, RecipientId = messageId, AccountId = 1, MobileNumber = NewNumber(), NetworkId = 1, SenderId = "D1",
                Text = "old", Encoding = SmsEncoding.Gsm7, Parts = 1, Cost = 1m, Channel = MessageChannel.Rest, AcceptedAt = now - age,
                Status = MessageStatus.Submitted, OperatorPartIds = ["tOLD" + messageId], DlrUrl = $"http://{RecordingNotifier.FailingHost}/dlr",
            });
            await message.ApplyReceipt(new OperatorReceipt("tOLD" + messageId, MessageStatus.Delivered, null, now - age));
            return messageId;
        }

        var withinTheDay = await FinalSince(TimeSpan.FromHours(23));
        var pastTheDay = await FinalSince(TimeSpan.FromHours(25));

        // Both fail their first attempt at once and would retry 1 s, then 2 s later: only the one still within the day does.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (RecordingNotifier.Instance.FailedPosts.GetValueOrDefault(withinTheDay) < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "a status final for 23 h was not posted again");
            await Task.Delay(25);
        }

        Assert.Equal(1, RecordingNotifier.Instance.FailedPosts.GetValueOrDefault(pastTheDay));
    }

    [Fact]
    public void A_dlr_url_is_retried_with_back_off_for_a_day()
    {
        var elapsed = TimeSpan.Zero;
        var attempts = 1;
        var previous = TimeSpan.Zero;
        while (elapsed < TimeSpan.FromHours(24))
        {
            var delay = FollowUpSchedule.DelayAfter(attempts++);
            Assert.True(delay >= previous, $"attempt {attempts} came sooner than the one before");
            previous = delay;
            elapsed += delay;
        }

        Assert.Equal(TimeSpan.FromSeconds(1), FollowUpSchedule.DelayAfter(1));
        Assert.Equal(FollowUpSchedule.MaxDelay, previous);
        Assert.InRange(attempts, 24, 200);
    }

    /// <summary>A send like <see cref="SendAsync"/>, to a number of another network (so another operator).</summary>
    private static async Task<SendOutcome> SendToNetworkAsync(IAccountGrain grain, string digest, string mobile, int parts, int networkId)
    {
        var command = new SendCommand
        {
            ApiKeyDigest = digest, SenderId = "D" + grain.GetPrimaryKeyLong(), Text = "another network", Encoding = SmsEncoding.Gsm7,
            Parts = parts, Channel = MessageChannel.Rest, Recipients = [new SendRecipient(mobile, networkId)],
        };
        return (await grain.Send(command)).Outcomes.Single();
    }
}
