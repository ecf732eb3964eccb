using Taifa.Abstractions.Messages;
using Taifa.Smpp.Pdus;

namespace Taifa.Silo.Smpp;

/// <summary>A message's status as SMPP tells it: message_state (§5.2.28) and the receipt text's stat word (appendix B).</summary>
public static class SmppMessageStates
{
    public static MessageState Of(MessageStatus status) => status switch
    {
        MessageStatus.Delivered => MessageState.Delivered,
        MessageStatus.Expired => MessageState.Expired,
        MessageStatus.Undelivered or MessageStatus.Failed => MessageState.Undeliverable,
        MessageStatus.Rejected => MessageState.Rejected,
        MessageStatus.Cancelled => MessageState.Deleted,
        _ => MessageState.Enroute,
    };

    public static string ReceiptWord(MessageState state) => state switch
    {
        MessageState.Delivered => "DELIVRD",
        MessageState.Expired => "EXPIRED",
        MessageState.Undeliverable => "UNDELIV",
        MessageState.Rejected => "REJECTD",
        MessageState.Deleted => "DELETED",
        MessageState.Enroute => "ENROUTE",
        _ => "ACCEPTD",
    };
}
