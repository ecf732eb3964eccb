using System.Buffers;
using BenchmarkDotNet.Attributes;
using Taifa.Domain.Numbers;
using Taifa.Domain.Text;
using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Text;

namespace Taifa.Benchmarks;

/// <summary>
/// The SMPP codec on the listener's hot path: a submit_sm frame in, a submit_sm_resp out, and deliver_sm (receipts)
/// out. One operation is one PDU.
/// </summary>
[MemoryDiagnoser]
public class SmppCodecBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(1024);
    private byte[] _submitFrame = [];
    private byte[] _concatenatedFrame = [];
    private SubmitSmResp _response = new();
    private DeliverSm _receipt = new();
    private SubmitSm _submit = new();

    [GlobalSetup]
    public void Setup()
    {
        _submit = new SubmitSm
        {
            SequenceNumber = 42,
            Source = SmppAddress.Alphanumeric("MYSENDER"),
            Destination = SmppAddress.International("254702739804"),
            RegisteredDelivery = RegisteredDelivery.SmscReceiptOnSuccessOrFailure,
            ShortMessage = Gsm7Bytes("Your order 4471 is on its way. Reply STOP to opt out."),
        };
        _submitFrame = SmppPduWriter.ToArray(_submit);

        var template = new SubmitSm
        {
            SequenceNumber = 43,
            Source = SmppAddress.Alphanumeric("MYSENDER"),
            Destination = SmppAddress.International("254702739804"),
        };
        var longText = string.Concat(Enumerable.Repeat("A long message that needs concatenation. ", 6));
        _concatenatedFrame = SmppPduWriter.ToArray(MessageSplitter.CreateSubmitSms(template, longText, reference: 7)[0]);

        _response = new SubmitSmResp { SequenceNumber = 42, MessageId = "119074175538950144" };
        _receipt = new DeliverSm
        {
            SequenceNumber = 7,
            Source = SmppAddress.International("254702739804"),
            Destination = SmppAddress.Alphanumeric("MYSENDER"),
            EsmClass = EsmClass.DeliveryReceipt,
            ShortMessage = "id:119074175538950144 sub:001 dlvrd:001 submit date:2611251658 done date:2611251659 stat:DELIVRD err:000 text:Your order 4471"u8.ToArray(),
        };
        _receipt.OptionalParameters.ReceiptedMessageId = "119074175538950144";
        _receipt.OptionalParameters.MessageState = MessageState.Delivered;
    }

    /// <summary>Frame to PDU object: what SmppFrameReader costs per submit_sm.</summary>
    [Benchmark]
    public Pdu? DecodeSubmitSm()
    {
        var buffer = new ReadOnlySequence<byte>(_submitFrame);
        SmppFrameReader.Default.TryRead(ref buffer, out var pdu, out _);
        return pdu;
    }

    /// <summary>
    /// Decode plus what the listener reads from a submit_sm before it calls the account: the text, the concatenation,
    /// the segmentation and the normalised recipient (SubmitSmIntake.Read, without the gateway's own command record).
    /// </summary>
    [Benchmark]
    public int DecodeSubmitSmForIntake() => ReadForIntake(_submitFrame);

    [Benchmark]
    public int DecodeConcatenatedSubmitSmForIntake() => ReadForIntake(_concatenatedFrame);

    /// <summary>A submit_sm_resp into the session's output buffer (the PDU object given).</summary>
    [Benchmark]
    public int EncodeSubmitSmResp()
    {
        _output.ResetWrittenCount();
        return SmppPduWriter.Write(_response, _output);
    }

    /// <summary>As the listener answers: a new response from the request, its id formatted, then written.</summary>
    [Benchmark]
    public int CreateAndEncodeSubmitSmResp()
    {
        _output.ResetWrittenCount();
        var response = (SubmitSmResp)_submit.CreateResponse(CommandStatus.Ok);
        response.MessageId = "119074175538950144";
        return SmppPduWriter.Write(response, _output);
    }

    /// <summary>A delivery receipt deliver_sm (short_message, receipted_message_id and message_state TLVs).</summary>
    [Benchmark]
    public int EncodeDeliverSm()
    {
        _output.ResetWrittenCount();
        return SmppPduWriter.Write(_receipt, _output);
    }

    /// <summary>A submit_sm to an operator (the dispatch side).</summary>
    [Benchmark]
    public int EncodeSubmitSm()
    {
        _output.ResetWrittenCount();
        return SmppPduWriter.Write(_submit, _output);
    }

    private static int ReadForIntake(byte[] frame)
    {
        var buffer = new ReadOnlySequence<byte>(frame);
        if (!SmppFrameReader.Default.TryRead(ref buffer, out var pdu, out _) || pdu is not SubmitSm submit) return -1;
        var text = MessageContent.GetText(submit) ?? string.Empty;
        var segment = MessageContent.GetConcatenation(submit);
        var segmentation = SmsSegmenter.Analyze(text);
        MobileNumber.TryNormalize(submit.Destination.Address, out var recipient);
        return segmentation.Parts + (segment?.Total ?? 0) + recipient.Length;
    }

    private static byte[] Gsm7Bytes(string text)
    {
        var septets = new byte[Gsm7.GetSeptetCount(text)];
        Gsm7.Encode(text, septets);
        return septets;
    }
}
