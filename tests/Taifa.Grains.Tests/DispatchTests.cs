using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Dispatch;
using Taifa.Abstractions.Messages;
using Taifa.Domain.Text;
using Taifa.Grains.Dispatch;

namespace Taifa.Grains.Tests;

[Collection(GrainClusterCollection.Name)]
public sealed partial class DispatchTests(GrainCluster cluster)
{
    private static long _nextAccountId = 9000;
    private static long _nextNumber = 254700100000;

    private static string NewNumber() => Interlocked.Increment(ref _nextNumber).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task<(IAccountGrain Grain, string Digest)> OpenAsync(decimal credit)
    {
        var id = Interlocked.Increment(ref _nextAccountId);
        var digest = ApiKeys.Digest(ApiKeys.NewKey());
        var grain = cluster.Grains.GetGrain<IAccountGrain>(id);
        Assert.Equal(AdminOutcome.Ok, (await grain.Open(new OpenAccount("dispatch " + id, credit, 1m, ["D" + id], digest))).Outcome);
        return (grain, digest);
    }

    private static async Task<SendOutcome> SendAsync(IAccountGrain grain, string digest, string mobile, int parts = 1, string? dlrUrl = null)
    {
        var id = grain.GetPrimaryKeyLong();
        var result = await grain.Send(new SendCommand
        {
            ApiKeyDigest = digest,
            SenderId = "D" + id,
            Text = "dispatch me",
            Encoding = SmsEncoding.Gsm7,
            Parts = parts,
            Channel = MessageChannel.Rest,
            Recipients = [new SendRecipient(mobile, 1)],
            DlrUrl = dlrUrl,
        });
        return result.Outcomes.Single();
    }

    private async Task<MessageRecord> WaitForStatus(long messageId, Func<MessageStatus, bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        MessageRecord? record;
        do
        {
            record = await cluster.Grains.GetGrain<IMessageGrain>(messageId).Get();
            if (record is not null && done(record.Status)) return record;
            await Task.Delay(25);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"message {messageId} never became {what}; last status {record?.Status}");
    }

    [Fact]
    public async Task Accepted_messages_are_submitted_with_the_operator_ids_of_every_part()
    {
        var (grain, digest) = await OpenAsync(10m);
        var outcome = await SendAsync(grain, digest, NewNumber(), parts: 3);
        var record = await WaitForStatus(outcome.MessageId, s => s == MessageStatus.Submitted, "submitted");
        Assert.Equal("scripted", record.OperatorName);
        Assert.Equal(3, record.OperatorPartIds.Count);
        Assert.Equal(3, ScriptedOperator.Instance.Accepted.Count(a => a.MessageId == outcome.MessageId));
    }

    [Fact]
    public async Task Receipts_for_every_part_finish_the_message_and_reach_the_dlr_url()
    {
        var (grain, digest) = await OpenAsync(10m);
        var outcome = await SendAsync(grain, digest, NewNumber(), parts: 2, dlrUrl: "http://customer.example/dlr");
        var record = await WaitForStatus(outcome.MessageId, s => s == MessageStatus.Submitted, "submitted");

        // The operator answers ids in hex and receipts in a different case: the text format matches without case.
        Assert.True(await ScriptedOperator.Instance.SendReceipt(new OperatorReceipt(record.OperatorPartIds[0].ToLowerInvariant(), MessageStatus.Delivered, null, DateTimeOffset.UtcNow)));
        Assert.Equal(MessageStatus.Submitted, (await cluster.Grains.GetGrain<IMessageGrain>(outcome.MessageId).Get())!.Status);
        Assert.True(await ScriptedOperator.Instance.SendReceipt(new OperatorReceipt("000" + record.OperatorPartIds[1], MessageStatus.Delivered, null, DateTimeOffset.UtcNow)));

        var done = await WaitForStatus(outcome.MessageId, s => s.IsFinal(), "final");
        Assert.Equal(MessageStatus.Delivered, done.Status);
        Assert.NotNull(done.DoneAt);
        Assert.Contains(RecordingNotifier.Instance.StatusPosts, m => m.MessageId == outcome.MessageId && m.Status == MessageStatus.Delivered);
        Assert.False(await ScriptedOperator.Instance.SendReceipt(new OperatorReceipt("FFFFFFFFFF", MessageStatus.Delivered, null, DateTimeOffset.UtcNow)));
    }

    [Fact]
    public async Task Temporary_errors_and_throttling_are_retried_until_accepted()
    {
        var (grain, digest) = await OpenAsync(10m);
        var mobile = NewNumber();
        ScriptedOperator.Instance.Script(mobile, SubmissionOutcome.Throttled, SubmissionOutcome.TemporaryFailure, SubmissionOutcome.Throttled, SubmissionOutcome.TemporaryFailure);
        var outcome = await SendAsync(grain, digest, mobile);
        await WaitForStatus(outcome.MessageId, s => s == MessageStatus.Submitted, "submitted");
        Assert.Equal(5, ScriptedOperator.Instance.Attempts[outcome.MessageId]);
        Assert.Equal(9m, (await grain.View())!.CreditBalance);
    }

    [Fact]
    public async Task A_permanent_rejection_fails_the_message_and_refunds_it_exactly_once()
    {
        var (grain, digest) = await OpenAsync(10m);
        var mobile = NewNumber();
        ScriptedOperator.Instance.Script(mobile, SubmissionOutcome.PermanentRejection);
        var outcome = await SendAsync(grain, digest, mobile, parts: 2);
        Assert.Equal(8m, outcome.CreditBalance);

        var record = await WaitForStatus(outcome.MessageId, s => s.IsFinal(), "rejected");
        Assert.Equal(MessageStatus.Rejected, record.Status);
        await WaitForBalance(grain, 10m);

        // A repeated refund request (a retry after a lost answer) changes nothing.
        await grain.Refund(outcome.MessageId, record.Cost);
        Assert.Equal(10m, (await grain.View())!.CreditBalance);
    }

    [Fact]
    public async Task Temporary_errors_past_the_attempt_limit_fail_and_refund()
    {
        var (grain, digest) = await OpenAsync(10m);
        var mobile = NewNumber();
        ScriptedOperator.Instance.Script(mobile, Enumerable.Repeat(SubmissionOutcome.TemporaryFailure, 10).ToArray());
        var outcome = await SendAsync(grain, digest, mobile);
        var record = await WaitForStatus(outcome.MessageId, s => s.IsFinal(), "failed");
        Assert.Equal(MessageStatus.Failed, record.Status);
        Assert.Equal(3, ScriptedOperator.Instance.Attempts[outcome.MessageId]);
        await WaitForBalance(grain, 10m);
    }

    [Fact]
    public async Task Canonical_operator_ids_match_across_bases_case_and_leading_zeros()
    {
        Assert.Equal(OperatorRoutes.Canonical("1F", OperatorIdFormat.Hex), OperatorRoutes.Canonical("31", OperatorIdFormat.Decimal));
        Assert.Equal(OperatorRoutes.Canonical("00ab12", OperatorIdFormat.Text), OperatorRoutes.Canonical("AB12", OperatorIdFormat.Text));
        Assert.NotEqual(OperatorRoutes.Canonical("10", OperatorIdFormat.Hex), OperatorRoutes.Canonical("10", OperatorIdFormat.Decimal));
        Assert.Equal(OperatorRoutes.Canonical("123456789012345678901234567890", OperatorIdFormat.Decimal),
            OperatorRoutes.Canonical("18EE90FF6C373E0EE4E3F0AD2", OperatorIdFormat.Hex));
        await Task.CompletedTask;
    }

    internal static async Task WaitForBalance(IAccountGrain grain, decimal expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        decimal balance;
        do
        {
            balance = (await grain.View())!.CreditBalance;
            if (balance == expected) return;
            await Task.Delay(25);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Equal(expected, balance);
    }
}
