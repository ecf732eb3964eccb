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

    private static async Task<SendOutcome> SendAsync(IAccountGrain grain, string digest, string mobile, int parts = 1, string? dlrUrl = null, int networkId = 1)
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
            Recipients = [new SendRecipient(mobile, networkId)],
            DlrUrl = dlrUrl,
        });
        return result.Outcomes.Single();
    }

    private async Task<MessageRecord> WaitForStatus(long messageId, Func<MessageStatus, bool> done, string what, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
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

        // The operator answers ids in hex and receipts in a different case, or with leading zeros: the hex format reads past both.
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
    public async Task A_link_that_throws_uses_up_the_attempts_and_the_message_fails_and_is_refunded()
    {
        var (grain, digest) = await OpenAsync(10m);
        var mobile = NewNumber();
        ScriptedOperator.Instance.Throw(mobile);
        var outcome = await SendAsync(grain, digest, mobile);

        var record = await WaitForStatus(outcome.MessageId, s => s.IsFinal(), "failed");
        Assert.Equal(MessageStatus.Failed, record.Status);
        Assert.Equal(OperatorErrorCodes.Unknown, record.OperatorErrorCode);
        Assert.Equal(3, ScriptedOperator.Instance.Attempts[outcome.MessageId]);
        await WaitForBalance(grain, 10m);
    }

    [Fact]
    public async Task Free_text_from_an_operator_never_becomes_the_error_code_customers_see()
    {
        var (grain, digest) = await OpenAsync(10m);
        var rejectedMobile = NewNumber();
        ScriptedOperator.Instance.Script(rejectedMobile, SubmissionOutcome.PermanentRejection);
        ScriptedOperator.Instance.ReportError(rejectedMobile, "The connection to 10.20.30.40:2775 was lost before the submit_sm_resp " + new string('!', 300));
        var rejected = await SendAsync(grain, digest, rejectedMobile);
        Assert.Equal(OperatorErrorCodes.Unknown, (await WaitForStatus(rejected.MessageId, s => s.IsFinal(), "rejected")).OperatorErrorCode);

        var undelivered = await SendAsync(grain, digest, NewNumber());
        var record = await WaitForStatus(undelivered.MessageId, s => s == MessageStatus.Submitted, "submitted");
        Assert.True(await ScriptedOperator.Instance.SendReceipt(new OperatorReceipt(record.OperatorPartIds[0], MessageStatus.Undelivered, "SMSC smsc-7.operator.example says: absent subscriber", DateTimeOffset.UtcNow)));
        Assert.Equal(OperatorErrorCodes.Unknown, (await WaitForStatus(undelivered.MessageId, s => s.IsFinal(), "undelivered")).OperatorErrorCode);
    }

    [Fact]
    public async Task Consecutive_long_messages_to_one_number_get_different_references_that_hold_across_retries()
    {
        var (grain, digest) = await OpenAsync(20m);
        var mobile = NewNumber();
        ScriptedOperator.Instance.Script(mobile, SubmissionOutcome.TemporaryFailure, SubmissionOutcome.Throttled);
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var outcome = await SendAsync(grain, digest, mobile, parts: 2);
            await WaitForStatus(outcome.MessageId, s => s == MessageStatus.Submitted, "submitted");
            ids.Add(outcome.MessageId);
        }

        var references = ids.Select(id => ScriptedOperator.Instance.References.Where(r => r.MessageId == id).Select(r => r.Reference).ToList()).ToList();
        Assert.Equal(3, references[0].Count);
        Assert.Single(references[0].Distinct());
        Assert.NotEqual(references[0][0], references[1][0]);
        Assert.NotEqual(references[1][0], references[2][0]);
    }

    [Fact]
    public async Task A_recycled_operator_id_never_takes_a_receipt_from_the_message_still_waiting_for_it()
    {
        var (grain, digest) = await OpenAsync(10m);
        var recycled = "ABC" + Interlocked.Increment(ref _nextAccountId).ToString("X", System.Globalization.CultureInfo.InvariantCulture);
        var (first, second, third) = (NewNumber(), NewNumber(), NewNumber());
        foreach (var mobile in new[] { first, second, third }) ScriptedOperator.Instance.AnswerWithId(mobile, recycled);

        var earlier = await SendAsync(grain, digest, first);
        await WaitForStatus(earlier.MessageId, s => s == MessageStatus.Submitted, "submitted");
        var later = await SendAsync(grain, digest, second);
        await WaitForStatus(later.MessageId, s => s == MessageStatus.Submitted, "submitted");

        Assert.True(await ScriptedOperator.Instance.SendReceiptOnce(new OperatorReceipt(recycled, MessageStatus.Delivered, null, DateTimeOffset.UtcNow)));
        Assert.Equal(MessageStatus.Delivered, (await WaitForStatus(earlier.MessageId, s => s.IsFinal(), "delivered")).Status);
        Assert.Equal(MessageStatus.Submitted, (await cluster.Grains.GetGrain<IMessageGrain>(later.MessageId).Get())!.Status);

        Assert.True(await ScriptedOperator.Instance.SendReceiptOnce(new OperatorReceipt(recycled, MessageStatus.Undelivered, "001", DateTimeOffset.UtcNow)));
        Assert.Equal(MessageStatus.Undelivered, (await WaitForStatus(later.MessageId, s => s.IsFinal(), "undelivered")).Status);

        // Once every earlier holder is final, the id simply belongs to the newest message.
        var latest = await SendAsync(grain, digest, third);
        await WaitForStatus(latest.MessageId, s => s == MessageStatus.Submitted, "submitted");
        Assert.True(await ScriptedOperator.Instance.SendReceiptOnce(new OperatorReceipt(recycled, MessageStatus.Delivered, null, DateTimeOffset.UtcNow)));
        Assert.Equal(MessageStatus.Delivered, (await WaitForStatus(latest.MessageId, s => s.IsFinal(), "delivered")).Status);
    }

    [Theory]
    [InlineData("0x0000000B", "00B")]
    [InlineData("0x00000400", "400")]
    [InlineData("0xFFFFFFFF", "0FF")]
    [InlineData("000", "000")]
    [InlineData("34", "34")]
    [InlineData("0000034", "034")]
    [InlineData("1234", "0FF")]
    [InlineData("db7", "DB7")]
    [InlineData(" ", null)]
    [InlineData(null, null)]
    [InlineData("absent subscriber", "0FF")]
    public void Error_codes_take_the_form_of_a_receipts_err_field(string? given, string? expected) =>
        Assert.Equal(expected, OperatorErrorCodes.Normalize(given));

    [Fact]
    public void A_command_status_is_three_hex_digits() =>
        Assert.Equal(["000", "00B", "058", "0FF"], new uint[] { 0, 0x0B, 0x58, 0x1_0000 }.Select(OperatorErrorCodes.FromCommandStatus));

    [Fact]
    public async Task Canonical_operator_ids_match_across_bases_case_and_leading_zeros_but_text_ids_only_exactly()
    {
        Assert.Equal(OperatorRoutes.Canonical("1F", OperatorIdFormat.Hex), OperatorRoutes.Canonical("31", OperatorIdFormat.Decimal));
        Assert.Equal(OperatorRoutes.Canonical("00ab12", OperatorIdFormat.Hex), OperatorRoutes.Canonical("AB12", OperatorIdFormat.Hex));
        Assert.Equal(OperatorRoutes.Canonical(" ab12 ", OperatorIdFormat.Text), OperatorRoutes.Canonical("ab12", OperatorIdFormat.Text));
        Assert.NotEqual(OperatorRoutes.Canonical("ab12", OperatorIdFormat.Text), OperatorRoutes.Canonical("AB12", OperatorIdFormat.Text));
        Assert.NotEqual(OperatorRoutes.Canonical("0ab12", OperatorIdFormat.Text), OperatorRoutes.Canonical("ab12", OperatorIdFormat.Text));
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
