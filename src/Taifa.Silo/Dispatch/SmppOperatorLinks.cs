using Taifa.Abstractions.Dispatch;
using Taifa.Abstractions.Messages;
using Taifa.Domain.Text;
using Taifa.Grains.Dispatch;
using Taifa.Operators.Client;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Receipts;
using Taifa.Smpp.Text;

namespace Taifa.Silo.Dispatch;

/// <summary>Dispatcher links over our own SMPP client binds to the operators' SMSCs.</summary>
public sealed class SmppOperatorLinks(OperatorRoutes routes, Inbound.InboundIntake inbound, ILoggerFactory loggers, TimeProvider time) : IOperatorLinks
{
    public IOperatorLink Open(string operatorName, int shard, Func<OperatorReceipt, Task<bool>> onReceipt)
    {
        var route = routes[operatorName];
        var options = new OperatorBindOptions
        {
            Name = DispatchStreams.Key(operatorName, shard),
            Host = route.Host,
            Port = route.Port,
            SystemId = route.SystemId,
            Password = route.Password,
            SystemType = route.SystemType,
            Mode = route.BindMode,
            WindowSize = route.Window,
            MaxSubmitsPerSecond = route.MaxMessagesPerSecond,
            EnquireLinkInterval = route.EnquireLinkInterval,
            ResponseTimeout = route.ResponseTimeout,
            ReconnectMinDelay = route.ReconnectMinDelay,
            ReconnectMaxDelay = route.ReconnectMaxDelay,
        };
        var bind = new OperatorBind(options, (received, _) => OnDeliverSm(operatorName, received, onReceipt), loggers.CreateLogger<OperatorBind>(), time);
        bind.Start();
        return new Link(bind);
    }

    /// <summary>
    /// Receipts go to the dispatcher; a mobile-originated message (esm_class message type 0) to the inbound intake,
    /// which stores it before the answer; other notifications (acknowledgements, intermediate) are acknowledged and ignored.
    /// </summary>
    private Task<bool> OnDeliverSm(string operatorName, ReceivedDeliverSm received, Func<OperatorReceipt, Task<bool>> onReceipt)
    {
        if (received.Receipt is not { } receipt)
        {
            return (received.DeliverSm.EsmClass & EsmClass.MessageTypeMask) == 0 ? inbound.AcceptAsync(operatorName, received.DeliverSm) : Task.FromResult(true);
        }

        var status = receipt.State switch
        {
            MessageState.Delivered => MessageStatus.Delivered,
            MessageState.Expired => MessageStatus.Expired,
            MessageState.Rejected => MessageStatus.Rejected,
            MessageState.Undeliverable or MessageState.Deleted or MessageState.Unknown => MessageStatus.Undelivered,
            _ => (MessageStatus?)null,
        };
        return status is null
            ? Task.FromResult(true)
            : onReceipt(new OperatorReceipt(receipt.MessageId, status.Value, receipt.ErrorCode, time.GetUtcNow())
            {
                // What matches the receipt to its message when the operator id was lost with a silo (ReceiptRouter).
                Handset = received.DeliverSm.Source.Address,
                Sender = received.DeliverSm.Destination.Address,
                SubmitDate = receipt.SubmitDate,
                Text = receipt.Text,
            });
    }

    private sealed class Link(OperatorBind bind) : IOperatorLink
    {
        public bool IsBound => bind.State == OperatorBindState.Bound;

        public async Task<OperatorSubmission> SubmitAsync(MessageRecord message, int firstPart, byte concatenationReference, CancellationToken cancellationToken)
        {
            var parts = Parts(message, concatenationReference);
            var accepted = new List<string>();
            // Parts go one after another so they reach the handset's operator in order.
            for (var i = firstPart; i < parts.Count; i++)
            {
                var outcome = await bind.SubmitAsync(parts[i], cancellationToken);
                switch (outcome)
                {
                    case SubmitOutcome.Accepted ok:
                        accepted.Add(ok.OperatorMessageId);
                        break;
                    case SubmitOutcome.Throttled throttled:
                        return new OperatorSubmission(SubmissionOutcome.Throttled, accepted, Code(throttled.Status));
                    case SubmitOutcome.PermanentRejection rejected:
                        return new OperatorSubmission(SubmissionOutcome.PermanentRejection, accepted, Code(rejected.Status));
                    case SubmitOutcome.Unsendable unsendable:
                        return new OperatorSubmission(SubmissionOutcome.PermanentRejection, accepted, Code(unsendable.Status), unsendable.Reason);
                    case SubmitOutcome.TemporaryFailure failed:
                        return new OperatorSubmission(SubmissionOutcome.TemporaryFailure, accepted,
                            failed.Status is { } status ? Code(status) : OperatorErrorCodes.Unknown, failed.Reason);
                    default:
                        return new OperatorSubmission(SubmissionOutcome.NotBound, accepted, null);
                }
            }

            return new OperatorSubmission(SubmissionOutcome.Accepted, accepted, null);
        }

        public ValueTask DisposeAsync() => bind.DisposeAsync();

        private static string Code(CommandStatus status) => OperatorErrorCodes.FromCommandStatus((uint)status);
    }

    /// <summary>
    /// The submit_sm PDUs of a message: split with a UDH carrying <paramref name="reference"/> when long, or one
    /// segment of a customer's own concatenation (with the customer's reference).
    /// </summary>
    public static IReadOnlyList<SubmitSm> Parts(MessageRecord message, byte reference)
    {
        var template = new SubmitSm
        {
            Source = message.SenderId.All(char.IsAsciiDigit)
                ? SmppAddress.International(message.SenderId)
                : SmppAddress.Alphanumeric(message.SenderId),
            Destination = SmppAddress.International(message.MobileNumber),
            RegisteredDelivery = RegisteredDelivery.SmscReceiptOnSuccessOrFailure,
            ValidityPeriod = message.ExpiresAt is { } expiresAt ? SmppTime.Format(expiresAt) : string.Empty,
        };
        var alphabet = message.Encoding == SmsEncoding.Ucs2 ? SmsAlphabet.Ucs2 : SmsAlphabet.Gsm7;
        if (message.Segment is not { } segment)
        {
            return MessageSplitter.CreateSubmitSms(template, message.Text, reference, alphabet);
        }

        var body = SmsText.Encode(alphabet, message.Text);
        var userData = new byte[UserDataHeader.ConcatenationHeaderLength + body.Length];
        UserDataHeader.WriteConcatenation(userData, (byte)(segment.Reference & 0xFF), (byte)segment.Total, (byte)segment.SequenceNumber);
        body.CopyTo(userData, UserDataHeader.ConcatenationHeaderLength);
        template.DataCoding = SmsText.GetDataCoding(alphabet);
        template.EsmClass = EsmClass.UdhIndicator;
        template.ShortMessage = userData;
        return [template];
    }
}
