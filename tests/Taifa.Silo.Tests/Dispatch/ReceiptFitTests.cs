using Taifa.Abstractions.Messages;
using Taifa.Abstractions.Smpp;
using Taifa.Silo.Smpp;
using Taifa.Smpp.Codec;

namespace Taifa.Silo.Tests.Dispatch;

public sealed class ReceiptFitTests
{
    [Fact]
    public void A_receipt_with_the_longest_of_every_field_still_fits_one_short_message()
    {
        var receipt = new SmppReceipt(
            long.MaxValue, "254799999999", "ABCDEFGHIJK", MessageStatus.Undelivered,
            DateTimeOffset.UtcNow, DateTimeOffset.UtcNow,
            ErrorCode: "The connection to smsc-7.operator.example:2775 was lost " + new string('!', 300),
            Text: new string('€', 400));

        var deliverSm = ReceiptPdu.Create(receipt);

        Assert.InRange(deliverSm.ShortMessage.Length, 1, 254);
        Assert.NotEmpty(SmppPduWriter.ToArray(deliverSm));
        Assert.Contains(" err:0FF ", System.Text.Encoding.ASCII.GetString(deliverSm.ShortMessage.Span), StringComparison.Ordinal);
    }
}
