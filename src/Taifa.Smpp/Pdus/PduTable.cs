namespace Taifa.Smpp.Pdus;

/// <summary>Maps a command_id to the PDU class that carries it.</summary>
public static class PduTable
{
    /// <returns>An empty PDU of the class for <paramref name="commandId"/>, or null for an id we do not know.</returns>
    public static Pdu? Create(CommandId commandId) => commandId switch
    {
        CommandId.GenericNack => new GenericNack(),
        CommandId.BindReceiver => new BindReceiver(),
        CommandId.BindReceiverResp => new BindReceiverResp(),
        CommandId.BindTransmitter => new BindTransmitter(),
        CommandId.BindTransmitterResp => new BindTransmitterResp(),
        CommandId.BindTransceiver => new BindTransceiver(),
        CommandId.BindTransceiverResp => new BindTransceiverResp(),
        CommandId.Outbind => new Outbind(),
        CommandId.Unbind => new Unbind(),
        CommandId.UnbindResp => new UnbindResp(),
        CommandId.EnquireLink => new EnquireLink(),
        CommandId.EnquireLinkResp => new EnquireLinkResp(),
        CommandId.SubmitSm => new SubmitSm(),
        CommandId.SubmitSmResp => new SubmitSmResp(),
        CommandId.SubmitMulti => new SubmitMulti(),
        CommandId.SubmitMultiResp => new SubmitMultiResp(),
        CommandId.DeliverSm => new DeliverSm(),
        CommandId.DeliverSmResp => new DeliverSmResp(),
        CommandId.DataSm => new DataSm(),
        CommandId.DataSmResp => new DataSmResp(),
        CommandId.QuerySm => new QuerySm(),
        CommandId.QuerySmResp => new QuerySmResp(),
        CommandId.CancelSm => new CancelSm(),
        CommandId.CancelSmResp => new CancelSmResp(),
        CommandId.ReplaceSm => new ReplaceSm(),
        CommandId.ReplaceSmResp => new ReplaceSmResp(),
        CommandId.AlertNotification => new AlertNotification(),
        _ => null,
    };

    public static bool IsKnown(CommandId commandId) => Enum.IsDefined(commandId);
}
