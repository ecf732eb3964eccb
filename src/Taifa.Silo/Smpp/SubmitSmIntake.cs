using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Messages;
using Taifa.Domain.Text;
using Taifa.Silo.Intake;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Text;

namespace Taifa.Silo.Smpp;

/// <summary>A submit_sm read into the gateway's send command, or the reason it cannot be sent.</summary>
public sealed record SubmitRead(SendCommand? Command, ConcatenationInfo? Segment, int Parts, CommandStatus Rejection, string? Problem);

/// <summary>
/// Turns a submit_sm into the same <see cref="SendCommand"/> a REST send builds: the sender, registration and
/// credit checks are left to the account grain, exactly as for REST; only what is SMPP-specific is checked here.
/// </summary>
public sealed class SubmitSmIntake(RecipientParser recipients, int maxParts, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public SubmitRead Read(SubmitSm submit)
    {
        // Checked first, like a REST send_at: a message that cannot be held as asked is not charged.
        var now = _time.GetUtcNow();
        DateTimeOffset? sendAt = null;
        if (submit.ScheduleDeliveryTime.Length > 0 &&
            (!SmppTime.TryParse(submit.ScheduleDeliveryTime, now, out var requested) || !SendSchedule.TryResolve(requested, now, out sendAt)))
        {
            return Reject(CommandStatus.InvalidScheduledDeliveryTime, $"schedule_delivery_time '{submit.ScheduleDeliveryTime}' is malformed, past or more than 90 days ahead");
        }

        // A relative validity counts from when the message is due, so a scheduled one does not expire before its time.
        var due = sendAt ?? now;
        DateTimeOffset? expiresAt = null;
        if (submit.ValidityPeriod.Length > 0 &&
            (!SmppTime.TryParse(submit.ValidityPeriod, due, out var validUntil) || !MessageValidity.TryResolve(validUntil, due, out expiresAt)))
        {
            return Reject(CommandStatus.InvalidExpiry, $"validity_period '{submit.ValidityPeriod}' is malformed or not after the message is due");
        }

        var text = MessageContent.GetText(submit);
        if (text is null) return Reject(CommandStatus.SubmitFailed, $"data_coding 0x{submit.DataCoding:X2} is not text we can read");
        if (text.Length == 0) return Reject(CommandStatus.InvalidMessageLength, "empty message");

        // Parts are counted in the alphabet that goes to the operator: UCS-2 when the client asked for it (even for
        // text GSM could hold), otherwise GSM 7-bit when it holds the text.
        var segmentation = SmsText.GetAlphabet(submit.DataCoding) == SmsAlphabet.Ucs2 ? SmsSegmenter.Analyze(text, SmsEncoding.Ucs2) : SmsSegmenter.Analyze(text);
        var encoding = segmentation.Encoding;
        var segment = MessageContent.GetConcatenation(submit);

        // A segment of the client's own concatenation is sent as the one part it claims to be, so it must fit one;
        // splitting it further would break the numbering of the message its other segments belong to.
        if (segment is { } claimed && segmentation.Length > SmsSegmenter.PerPart(encoding))
        {
            return Reject(CommandStatus.InvalidMessageLength,
                $"segment {claimed.SequenceNumber} of {claimed.Total} holds {segmentation.Length} {Units(encoding)}, more than the {SmsSegmenter.PerPart(encoding)} of one part");
        }

        // A segment of a concatenated message is billed as the one part it is; a whole text by its segmentation.
        var parts = segment is null ? segmentation.Parts : 1;
        if (parts > maxParts) return Reject(CommandStatus.InvalidMessageLength, $"message needs {parts} parts, above the limit of {maxParts}");

        var command = new SendCommand
        {
            ApiKeyDigest = null,
            SenderId = submit.Source.Address,
            Text = text,
            Encoding = encoding,
            Parts = parts,
            ServiceId = submit.ServiceType.Length > 0 ? submit.ServiceType : null,
            Channel = MessageChannel.Smpp,
            Recipients = [recipients.Parse(submit.Destination.Address)],
            RegisteredDelivery = (submit.RegisteredDelivery & RegisteredDelivery.SmscReceiptMask) != RegisteredDelivery.None,
            Segment = segment is { } s ? new SegmentInfo(s.Reference, s.Total, s.SequenceNumber) : null,
            SendAt = sendAt,
            ExpiresAt = expiresAt,
        };
        return new SubmitRead(command, segment, parts, CommandStatus.Ok, null);
    }

    /// <summary>
    /// The submit_sm_resp status for a send result: ESME_ROK with the message id, ESME_RSYSERR for a storage
    /// failure, otherwise ESME_RSUBMITFAIL with the VAS reason (1001, 1003, 1004, 1011) to log.
    /// </summary>
    public static (CommandStatus Status, string? MessageId, TaifaStatus Reason) Map(SendResult result)
    {
        if (result.Status == TaifaStatus.DatabaseError) return (CommandStatus.SystemError, null, result.Status);
        if (result.Status != TaifaStatus.Success) return (CommandStatus.SubmitFailed, null, result.Status);
        var outcome = result.Outcomes[0];
        return outcome.Status == TaifaStatus.Success
            ? (CommandStatus.Ok, outcome.MessageId.ToString(System.Globalization.CultureInfo.InvariantCulture), outcome.Status)
            : (CommandStatus.SubmitFailed, null, outcome.Status);
    }

    private static string Units(SmsEncoding encoding) => encoding == SmsEncoding.Ucs2 ? "UCS-2 code units" : "septets";

    private static SubmitRead Reject(CommandStatus status, string problem) => new(null, null, 0, status, problem);
}
