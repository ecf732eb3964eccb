namespace Taifa.Smpp.Pdus;

/// <summary>SMPP v3.4 command_id values (§5.1.2.1). A response id is its request id with bit 31 set.</summary>
public enum CommandId : uint
{
    GenericNack = 0x8000_0000,
    BindReceiver = 0x0000_0001,
    BindReceiverResp = 0x8000_0001,
    BindTransmitter = 0x0000_0002,
    BindTransmitterResp = 0x8000_0002,
    QuerySm = 0x0000_0003,
    QuerySmResp = 0x8000_0003,
    SubmitSm = 0x0000_0004,
    SubmitSmResp = 0x8000_0004,
    DeliverSm = 0x0000_0005,
    DeliverSmResp = 0x8000_0005,
    Unbind = 0x0000_0006,
    UnbindResp = 0x8000_0006,
    ReplaceSm = 0x0000_0007,
    ReplaceSmResp = 0x8000_0007,
    CancelSm = 0x0000_0008,
    CancelSmResp = 0x8000_0008,
    BindTransceiver = 0x0000_0009,
    BindTransceiverResp = 0x8000_0009,
    Outbind = 0x0000_000B,
    EnquireLink = 0x0000_0015,
    EnquireLinkResp = 0x8000_0015,
    SubmitMulti = 0x0000_0021,
    SubmitMultiResp = 0x8000_0021,
    AlertNotification = 0x0000_0102,
    DataSm = 0x0000_0103,
    DataSmResp = 0x8000_0103,
}

public static class CommandIdExtensions
{
    private const uint ResponseBit = 0x8000_0000;

    /// <summary>True for every response id, generic_nack included.</summary>
    public static bool IsResponse(this CommandId commandId) => ((uint)commandId & ResponseBit) != 0;

    public static CommandId ToResponse(this CommandId commandId) => (CommandId)((uint)commandId | ResponseBit);

    public static CommandId ToRequest(this CommandId commandId) => (CommandId)((uint)commandId & ~ResponseBit);
}
