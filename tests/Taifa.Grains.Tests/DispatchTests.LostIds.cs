using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Taifa.Abstractions.Dispatch;
using Taifa.Abstractions.Messages;
using Taifa.Domain.Text;
using Taifa.Grains.Dispatch;
using Taifa.Grains.Ledger;

namespace Taifa.Grains.Tests;

/// <summary>
/// A submit the operator took whose answer was lost, submitted again: the receipt for the id that was never recorded
/// finds the message by its sender, handset, submit date and text, settles it once and counts the duplicate.
/// </summary>
public sealed partial class DispatchTests
{
    private ReceiptRouter Router => SiloServices.GetRequiredService<ReceiptRouter>();

    private static OperatorReceipt ReceiptFor(string operatorId, string sender, string handset, string? text, DateTime? submitDate = null) =>
        new(operatorId, MessageStatus.Delivered, null, DateTimeOffset.UtcNow) { Sender = sender, Handset = handset, SubmitDate = submitDate ?? DateTime.Now, Text = text };

    [Fact]
    public async Task The_receipt_for_an_id_whose_answer_was_lost_settles_the_message_submitted_again_once_and_counts_the_duplicate()
    {
        var (grain, digest) = await OpenAsync(10m);
        var mobile = NewNumber();
        ScriptedOperator.Instance.LoseAnswer(mobile);
        var duplicates = Router.Duplicates;
        var outcome = await SendAsync(grain, digest, mobile, dlrUrl: "http://lost-answer.example/dlr");
        var record = await WaitForStatus(outcome.MessageId, s => s == MessageStatus.Submitted, "submitted again");
        var ids = ScriptedOperator.Instance.Accepted.Where(a => a.MessageId == outcome.MessageId).Select(a => a.OperatorId).ToList();
        Assert.Equal(2, ids.Count);
        var lost = Assert.Single(ids, id => !record.OperatorPartIds.Contains(id));

        // Offered on every bind at once, as an SMSC redelivering on several binds may: matched and counted once.
        Assert.True(await ScriptedOperator.Instance.SendReceipt(ReceiptFor(lost, "d" + grain.GetPrimaryKeyLong(), "+" + mobile, "dispatch me")));
        Assert.Equal(MessageStatus.Delivered, (await WaitForStatus(outcome.MessageId, s => s.IsFinal(), "delivered")).Status);
        Assert.Equal(duplicates + 1, Router.Duplicates);
        await WaitForRow(outcome.MessageId, MessageStatus.Delivered);

        // The recorded id's receipt and the lost one's repeat find the message by id: nothing more is counted or told.
        Assert.True(await ScriptedOperator.Instance.SendReceipt(new OperatorReceipt(record.OperatorPartIds[0], MessageStatus.Delivered, null, DateTimeOffset.UtcNow)));
        Assert.True(await ScriptedOperator.Instance.SendReceipt(new OperatorReceipt(lost, MessageStatus.Delivered, null, DateTimeOffset.UtcNow)));
        Assert.Equal(duplicates + 1, Router.Duplicates);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!RecordingNotifier.Instance.StatusPosts.Any(p => p.MessageId == outcome.MessageId))
        {
            Assert.True(DateTime.UtcNow < deadline, "the customer's dlr_url was never told");
            await Task.Delay(25);
        }

        await Task.Delay(500);
        Assert.Single(RecordingNotifier.Instance.StatusPosts, p => p.MessageId == outcome.MessageId);
        Assert.Equal(9m, (await grain.View())!.CreditBalance);
    }

    [Fact]
    public async Task A_receipt_for_an_unknown_id_that_fits_no_message_is_still_refused()
    {
        var (grain, digest) = await OpenAsync(10m);
        var mobile = NewNumber();
        ScriptedOperator.Instance.LoseAnswer(mobile);
        var outcome = await SendAsync(grain, digest, mobile);
        await WaitForStatus(outcome.MessageId, s => s == MessageStatus.Submitted, "submitted again");
        var unknown = "F" + outcome.MessageId.ToString("X", System.Globalization.CultureInfo.InvariantCulture);
        var (unmatched, duplicates) = (Router.Unmatched, Router.Duplicates);
        var sender = "D" + grain.GetPrimaryKeyLong();

        Assert.False(await ScriptedOperator.Instance.SendReceiptOnce(ReceiptFor(unknown, sender, mobile, "another text")));
        Assert.False(await ScriptedOperator.Instance.SendReceiptOnce(ReceiptFor(unknown, sender, NewNumber(), "dispatch me")));
        Assert.False(await ScriptedOperator.Instance.SendReceiptOnce(ReceiptFor(unknown, sender, mobile, "dispatch me", submitDate: DateTime.Now.AddHours(-1))));
        Assert.False(await ScriptedOperator.Instance.SendReceiptOnce(ReceiptFor(unknown, "NOBODY" + outcome.MessageId, mobile, "dispatch me")));
        Assert.False(await ScriptedOperator.Instance.SendReceiptOnce(new OperatorReceipt(unknown, MessageStatus.Delivered, null, DateTimeOffset.UtcNow)));

        Assert.Equal((unmatched + 5, duplicates), (Router.Unmatched, Router.Duplicates));
        Assert.Equal(MessageStatus.Submitted, (await cluster.Grains.GetGrain<IMessageGrain>(outcome.MessageId).Get())!.Status);
    }

    [Fact]
    public void A_receipt_keeps_what_it_carries_on_its_way_to_another_silo()
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var receipt = ReceiptFor("A1", "SENDER", "254700000001", "the start of it", new DateTime(2026, 12, 4, 6, 30, 0));

        Assert.Equal(receipt, serializer.Deserialize<OperatorReceipt>(serializer.SerializeToArray(receipt)));
    }

    [Fact]
    public void A_receipts_text_tells_which_part_of_a_long_message_it_is_about()
    {
        var text = string.Concat(Enumerable.Range(0, 60).Select(i => $"word{i:00} ")) + "ende";
        var record = new MessageRecord
        {
            MessageId = 1, RecipientId = 1, AccountId = 1, MobileNumber = "254700000001", NetworkId = 1, SenderId = "S", Text = text,
            Encoding = SmsEncoding.Gsm7, Parts = 3, Cost = 3m, Channel = MessageChannel.Rest, AcceptedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
            Status = MessageStatus.Submitted, OperatorName = "scripted", SubmittedAt = DateTimeOffset.UtcNow, OperatorPartIds = ["a", "b", "c"],
        };
        var message = new RecipientMessage(record, "scripted/0", []);
        var window = (DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));

        Assert.Equal(0, LostSubmitMatch.Find([message], "scripted", "s", text[..20], window, DateTimeOffset.UtcNow)?.Part);
        Assert.Equal(1, LostSubmitMatch.Find([message], "scripted", "s", text[153..173], window, DateTimeOffset.UtcNow)?.Part);
        Assert.Equal(2, LostSubmitMatch.Find([message], "Scripted", "S", text[306..].ToUpperInvariant() + "  ", window, DateTimeOffset.UtcNow)?.Part);
        Assert.Null(LostSubmitMatch.Find([message], "scripted", "s", text[100..120], window, DateTimeOffset.UtcNow));
        Assert.Null(LostSubmitMatch.Find([message], "scripted", "S", null, window, DateTimeOffset.UtcNow));
        Assert.Null(LostSubmitMatch.Find([message], "other", "S", text[..20], window, DateTimeOffset.UtcNow));
        Assert.Null(LostSubmitMatch.Find([message], "scripted", "T", text[..20], window, DateTimeOffset.UtcNow));
        Assert.Null(LostSubmitMatch.Find([message], "scripted", "s", text[..20], (DateTimeOffset.UtcNow.AddMinutes(5), DateTimeOffset.UtcNow.AddMinutes(9)), DateTimeOffset.UtcNow));
    }
}
