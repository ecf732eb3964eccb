using Taifa.Smpp.Pdus;
using Taifa.Smpp.Receipts;

namespace Taifa.Operators.Client;

/// <summary>A deliver_sm from the operator's SMSC, with the delivery receipt it carries (null for anything else).</summary>
public sealed record ReceivedDeliverSm(DeliverSm DeliverSm, DeliveryReceipt? Receipt);

/// <summary>Where an <see cref="OperatorBind"/> stands.</summary>
public enum OperatorBindState
{
    /// <summary>Not connected; waiting to reconnect.</summary>
    Disconnected,

    /// <summary>Connecting or binding (with a transmitter and receiver pair: at least one of them not bound yet).</summary>
    Connecting,

    /// <summary>Bound: submits go out and receipts come in.</summary>
    Bound,

    /// <summary>Disposed; it will not connect again.</summary>
    Closed,
}
