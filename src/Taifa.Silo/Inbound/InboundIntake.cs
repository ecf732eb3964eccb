using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Taifa.Domain.Ids;
using Taifa.Domain.Numbers;
using Taifa.Grains.Inbound;
using Taifa.Grains.Telemetry;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Text;

namespace Taifa.Silo.Inbound;

/// <summary>
/// Takes an operator's mobile-originated deliver_sm (or data_sm): decodes it as submits are decoded, and stores it
/// (de-duplicated, parts joined, routed) before its deliver_sm_resp may go back. Delivery to the customer follows from
/// the work the store queued (<see cref="InboundDelivery"/>).
/// </summary>
public sealed partial class InboundIntake(
    IInboundStore store, MessageIdGenerator ids, NumberingPlan plan, InboundDelivery delivery,
    IOptions<InboundOptions> options, TimeProvider time, ILogger<InboundIntake> logger)
{
    /// <returns>True once it is stored (or known already, or unreadable and dropped): answer ESME_ROK. False: let the operator deliver it again.</returns>
    public async Task<bool> AcceptAsync(string operatorName, DeliverSm deliverSm)
    {
        var text = MessageContent.GetText(deliverSm);
        if (text is null)
        {
            LogUnreadable(operatorName, deliverSm.DataCoding, deliverSm.Source.Address, deliverSm.Destination.Address);
            return true;
        }

        var from = deliverSm.Source.Address;
        var networkId = 0;
        if (MobileNumber.TryNormalize(from, out var normalized) && plan.Lookup(normalized) is { } network)
        {
            from = normalized;
            networkId = network.Id;
        }

        var segment = MessageContent.GetConcatenation(deliverSm);
        var pdu = new InboundPdu
        {
            InboundId = ids.Next(),
            Operator = operatorName,
            From = from,
            To = deliverSm.Destination.Address.TrimStart('+'),
            Text = text,
            NetworkId = networkId,
            Segment = segment is { } s ? new InboundSegment(s.Reference, s.Total, s.SequenceNumber) : null,
            DedupeKey = DedupeKey(operatorName, deliverSm, segment),
            ReceivedAt = time.GetUtcNow(),
        };
        InboundAcceptance accepted;
        try
        {
            accepted = await store.Accept(pdu, options.Value.RedeliveryWindow);
        }
        catch (Exception exception)
        {
            LogStoreFailed(operatorName, pdu.From, pdu.To, Hosting.Failures.Reason(exception));
            return false;
        }

        TaifaMetrics.Inbound(operatorName, accepted.Outcome.ToString().ToLowerInvariant());
        if (accepted.Message is { } message)
        {
            if (message.AccountId is null)
            {
                TaifaMetrics.InboundUnrouted(operatorName);
                LogUnrouted(message.InboundId, operatorName, message.From, message.To);
            }

            delivery.Wake();
        }
        else if (accepted.Outcome == InboundAcceptOutcome.Duplicate)
        {
            LogRedelivered(operatorName, pdu.From, pdu.To);
        }

        return true;
    }

    /// <summary>
    /// The operator, both addresses, esm_class, data_coding, the user data as sent (UDH included, so each part of a
    /// concatenated message has its own key) and any sar_* TLVs: what stays the same when an SMSC delivers a PDU again.
    /// </summary>
    internal static string DedupeKey(string operatorName, DeliverSm deliverSm, ConcatenationInfo? segment)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{operatorName}\n{deliverSm.Source.Address}\n{deliverSm.Destination.Address}\n{deliverSm.EsmClass}\n{deliverSm.DataCoding}\n{segment}\n"));
        hash.AppendData(MessageContent.GetUserData(deliverSm).Span);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound {InboundId} from {Operator} ({From} to {To}) is for no single account (no number and keyword match, or STOP to a number shared by keywords): kept, not delivered")]
    private partial void LogUnrouted(long inboundId, string @operator, string from, string to);

    [LoggerMessage(Level = LogLevel.Information, Message = "Inbound from {Operator} ({From} to {To}) delivered again by the operator: stored once")]
    private partial void LogRedelivered(string @operator, string from, string to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound from {Operator} ({From} to {To}) could not be stored, the operator will deliver it again: {Reason}")]
    private partial void LogStoreFailed(string @operator, string from, string to, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound from {Operator} ({From} to {To}) with data_coding 0x{DataCoding:X2} is not text: acknowledged and dropped")]
    private partial void LogUnreadable(string @operator, byte dataCoding, string from, string to);
}
