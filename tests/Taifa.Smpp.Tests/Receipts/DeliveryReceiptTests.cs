using System.Text;
using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Receipts;

namespace Taifa.Smpp.Tests.Receipts;

public class DeliveryReceiptTests
{
    private const string Standard =
        "id:0123456789 sub:001 dlvrd:001 submit date:2507141530 done date:2507141531 stat:DELIVRD err:000 text:Habari yako rafiki w";

    [Fact]
    public void The_standard_text_is_read_field_by_field()
    {
        Assert.True(DeliveryReceipt.TryParse(Standard, out var receipt));

        Assert.Equal("0123456789", receipt.MessageId);
        Assert.Equal(MessageState.Delivered, receipt.State);
        Assert.Equal(1, receipt.Submitted);
        Assert.Equal(1, receipt.Delivered);
        Assert.Equal(new DateTime(2025, 7, 14, 15, 30, 0), receipt.SubmitDate);
        Assert.Equal(new DateTime(2025, 7, 14, 15, 31, 0), receipt.DoneDate);
        Assert.Equal("000", receipt.ErrorCode);
        Assert.Equal("Habari yako rafiki w", receipt.Text);
        Assert.True(receipt.IsFinal);
    }

    [Fact]
    public void Format_writes_the_standard_text()
    {
        var receipt = new DeliveryReceipt("0123456789", MessageState.Delivered)
        {
            Submitted = 1,
            Delivered = 1,
            SubmitDate = new DateTime(2025, 7, 14, 15, 30, 0),
            DoneDate = new DateTime(2025, 7, 14, 15, 31, 0),
            ErrorCode = "000",
            Text = "Habari yako rafiki wangu, karibu",
        };

        Assert.Equal(Standard, receipt.Format());
    }

    [Fact]
    public void Format_fills_missing_fields_with_conventional_values()
    {
        var text = new DeliveryReceipt("abc", MessageState.Undeliverable).Format();

        Assert.Equal("id:abc sub:001 dlvrd:000 submit date:0000000000 done date:0000000000 stat:UNDELIV err:000 text:", text);
    }

    [Fact]
    public void Fields_are_read_in_any_order_and_case()
    {
        var text = "STAT:undeliv ERR:034 Done Date:2501020304 Id:7F3A sub:1 text:hello id:ignored submit date:2501020300";

        Assert.True(DeliveryReceipt.TryParse(text, out var receipt));

        Assert.Equal("7F3A", receipt.MessageId);
        Assert.Equal(MessageState.Undeliverable, receipt.State);
        Assert.Equal("034", receipt.ErrorCode);
        Assert.Equal(new DateTime(2025, 1, 2, 3, 4, 0), receipt.DoneDate);
        Assert.Equal(1, receipt.Submitted);
        Assert.Equal("hello id:ignored submit date:2501020300", receipt.Text);
        Assert.Null(receipt.SubmitDate);
    }

    [Fact]
    public void Missing_fields_are_left_null()
    {
        Assert.True(DeliveryReceipt.TryParse("id:42 stat:EXPIRED", out var receipt));

        Assert.Equal("42", receipt.MessageId);
        Assert.Equal(MessageState.Expired, receipt.State);
        Assert.Null(receipt.Submitted);
        Assert.Null(receipt.Delivered);
        Assert.Null(receipt.SubmitDate);
        Assert.Null(receipt.DoneDate);
        Assert.Null(receipt.ErrorCode);
        Assert.Null(receipt.Text);
    }

    [Fact]
    public void Long_ids_and_twelve_digit_dates_are_read()
    {
        var id = "a1b2c3d4-e5f6-4711-8899-aabbccddeeff";
        var text = $"id:{id} sub:001 dlvrd:000 submit date:250714153012 done date:250714153145 stat:REJECTD err:0x0B text:";

        Assert.True(DeliveryReceipt.TryParse(text, out var receipt));

        Assert.Equal(id, receipt.MessageId);
        Assert.Equal(new DateTime(2025, 7, 14, 15, 30, 12), receipt.SubmitDate);
        Assert.Equal(new DateTime(2025, 7, 14, 15, 31, 45), receipt.DoneDate);
        Assert.Equal(MessageState.Rejected, receipt.State);
        Assert.Equal("0x0B", receipt.ErrorCode);
        Assert.Equal(string.Empty, receipt.Text);
    }

    [Fact]
    public void Underscored_date_names_and_unreadable_values_are_tolerated()
    {
        var text = "id:9 sub:one dlvrd:001 submit_date:25071 done_date:2507141531 stat:DELIVERED";

        Assert.True(DeliveryReceipt.TryParse(text, out var receipt));

        Assert.Null(receipt.Submitted);
        Assert.Null(receipt.SubmitDate);
        Assert.Equal(new DateTime(2025, 7, 14, 15, 31, 0), receipt.DoneDate);
        Assert.Equal(MessageState.Delivered, receipt.State);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Hello, how are you?")]
    [InlineData("id: sub:001 stat:DELIVRD")]
    [InlineData("sub:001 dlvrd:001 stat:DELIVRD err:000 text:x")]
    public void Text_without_an_id_is_not_a_receipt(string text)
    {
        Assert.False(DeliveryReceipt.TryParse(text, out _));
    }

    [Fact]
    public void An_unknown_stat_word_reads_as_unknown()
    {
        Assert.True(DeliveryReceipt.TryParse("id:1 stat:FOOBARX", out var receipt));

        Assert.Equal(MessageState.Unknown, receipt.State);
    }

    [Theory]
    [InlineData("DELIVRD", MessageState.Delivered, true)]
    [InlineData("EXPIRED", MessageState.Expired, true)]
    [InlineData("DELETED", MessageState.Deleted, true)]
    [InlineData("UNDELIV", MessageState.Undeliverable, true)]
    [InlineData("ACCEPTD", MessageState.Accepted, false)]
    [InlineData("UNKNOWN", MessageState.Unknown, true)]
    [InlineData("REJECTD", MessageState.Rejected, true)]
    [InlineData("ENROUTE", MessageState.Enroute, false)]
    public void Stat_words_map_to_message_states_and_finality(string word, MessageState state, bool isFinal)
    {
        Assert.True(ReceiptStat.TryParse(word, out var parsed));
        Assert.True(ReceiptStat.TryParse(word.ToLowerInvariant(), out var lower));

        Assert.Equal(state, parsed);
        Assert.Equal(state, lower);
        Assert.Equal(word, ReceiptStat.ToWord(state));
        Assert.Equal(isFinal, ReceiptStat.IsFinal(state));
    }

    [Fact]
    public void ToDeliverSm_builds_a_receipt_pdu_that_reads_back()
    {
        var receipt = new DeliveryReceipt("TF0000000042", MessageState.Delivered) { Text = "Karibu" };

        var pdu = receipt.ToDeliverSm(SmppAddress.International("254702739804"), SmppAddress.Alphanumeric("TAIFA"));

        Assert.Equal(EsmClass.DeliveryReceipt, pdu.EsmClass);
        Assert.True(pdu.IsDeliveryReceipt);
        Assert.Equal(DataCoding.SmscDefault, pdu.DataCoding);
        Assert.Equal(receipt.Format(), Encoding.ASCII.GetString(pdu.ShortMessage.Span));
        Assert.Equal("TF0000000042", pdu.OptionalParameters.ReceiptedMessageId);
        Assert.Equal(MessageState.Delivered, pdu.OptionalParameters.MessageState);
        Assert.Equal("254702739804", pdu.Source.Address);
        Assert.Equal("TAIFA", pdu.Destination.Address);

        var decoded = Decode(pdu);
        Assert.Equal(receipt with { Submitted = 1, Delivered = 1, ErrorCode = "000" }, DeliveryReceipt.FromDeliverSm(decoded));
    }

    [Fact]
    public void ToDeliverSm_replaces_characters_outside_ascii()
    {
        var pdu = new DeliveryReceipt("1", MessageState.Delivered) { Text = "Bei ni €5" }.ToDeliverSm(SmppAddress.Empty, SmppAddress.Empty);

        Assert.EndsWith("text:Bei ni ?5", Encoding.ASCII.GetString(pdu.ShortMessage.Span), StringComparison.Ordinal);
    }

    [Fact]
    public void The_tlvs_win_over_the_text()
    {
        var pdu = ReceiptPdu("id:255 sub:001 dlvrd:000 stat:UNDELIV err:001 text:");
        pdu.OptionalParameters.ReceiptedMessageId = "FF";
        pdu.OptionalParameters.MessageState = MessageState.Expired;

        var receipt = DeliveryReceipt.FromDeliverSm(pdu);

        Assert.NotNull(receipt);
        Assert.Equal("FF", receipt.MessageId);
        Assert.Equal(MessageState.Expired, receipt.State);
        Assert.Equal("001", receipt.ErrorCode);
    }

    [Fact]
    public void The_tlvs_alone_make_a_receipt()
    {
        var pdu = ReceiptPdu(string.Empty);
        pdu.OptionalParameters.ReceiptedMessageId = "77";
        pdu.OptionalParameters.MessageState = MessageState.Delivered;

        Assert.Equal(new DeliveryReceipt("77", MessageState.Delivered), DeliveryReceipt.FromDeliverSm(pdu));
    }

    [Fact]
    public void The_text_alone_makes_a_receipt()
    {
        var receipt = DeliveryReceipt.FromDeliverSm(ReceiptPdu(Standard));

        Assert.NotNull(receipt);
        Assert.Equal("0123456789", receipt.MessageId);
        Assert.Equal(MessageState.Delivered, receipt.State);
    }

    [Fact]
    public void Receipt_text_in_message_payload_is_read()
    {
        var pdu = ReceiptPdu(string.Empty);
        pdu.OptionalParameters.MessagePayload = Encoding.ASCII.GetBytes("id:88 stat:DELIVRD");

        Assert.Equal("88", DeliveryReceipt.FromDeliverSm(pdu)?.MessageId);
    }

    [Fact]
    public void A_mobile_originated_message_is_not_a_receipt_even_if_it_looks_like_one()
    {
        var pdu = ReceiptPdu("id:1 stat:DELIVRD");
        pdu.EsmClass = 0;

        Assert.Null(DeliveryReceipt.FromDeliverSm(pdu));
    }

    [Fact]
    public void A_receipt_without_any_id_is_not_read()
    {
        Assert.Null(DeliveryReceipt.FromDeliverSm(ReceiptPdu("stat:DELIVRD")));
    }

    private static DeliverSm ReceiptPdu(string text) => new()
    {
        EsmClass = EsmClass.DeliveryReceipt,
        ShortMessage = Encoding.ASCII.GetBytes(text),
    };

    private static DeliverSm Decode(DeliverSm pdu)
    {
        pdu.SequenceNumber = 1;
        var bytes = new System.Buffers.ReadOnlySequence<byte>(SmppPduWriter.ToArray(pdu));
        Assert.True(SmppFrameReader.Default.TryRead(ref bytes, out var decoded, out var error));
        Assert.Null(error);
        return Assert.IsType<DeliverSm>(decoded);
    }
}
