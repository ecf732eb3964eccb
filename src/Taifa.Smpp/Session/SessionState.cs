using Taifa.Smpp.Pdus;

namespace Taifa.Smpp.Session;

/// <summary>Where an SMPP session stands (§2.2).</summary>
public enum SessionState
{
    /// <summary>Connected, not yet bound.</summary>
    Open,

    /// <summary>A bind was sent (client) or is being authenticated (server).</summary>
    Binding,
    BoundTransmitter,
    BoundReceiver,
    BoundTransceiver,

    /// <summary>An unbind was sent; only responses and the unbind_resp are still expected.</summary>
    Unbinding,
    Closed,
}

/// <summary>Which way a PDU travels.</summary>
public enum PduDirection
{
    /// <summary>From the ESME (a customer, or us towards an operator) to the SMSC.</summary>
    EsmeToSmsc,

    /// <summary>From the SMSC (us towards a customer, or an operator towards us) to the ESME.</summary>
    SmscToEsme,
}

/// <summary>Which commands each state allows (SMPP v3.4 §2.3, table 2-1).</summary>
public static class SessionStateRules
{
    public static bool IsBound(this SessionState state) =>
        state is SessionState.BoundTransmitter or SessionState.BoundReceiver or SessionState.BoundTransceiver;

    /// <summary>Whether the ESME may send submit_sm, submit_multi, data_sm, query_sm, cancel_sm and replace_sm.</summary>
    public static bool CanSubmit(this SessionState state) =>
        state is SessionState.BoundTransmitter or SessionState.BoundTransceiver;

    /// <summary>Whether the SMSC may send deliver_sm, data_sm and alert_notification to the ESME.</summary>
    public static bool CanReceive(this SessionState state) =>
        state is SessionState.BoundReceiver or SessionState.BoundTransceiver;

    /// <summary>
    /// Whether a PDU with <paramref name="commandId"/> may travel in <paramref name="direction"/> while the session is
    /// in <paramref name="state"/>. A server answers a request that fails this with ESME_RINVBNDSTS. Responses are
    /// allowed wherever their request was, and also while unbinding, so in-flight requests can still complete.
    /// </summary>
    public static bool IsAllowed(this SessionState state, CommandId commandId, PduDirection direction)
    {
        if (state == SessionState.Closed || !PduTable.IsKnown(commandId))
        {
            return false;
        }

        if (commandId == CommandId.GenericNack)
        {
            return true;
        }

        var isResponse = commandId.IsResponse();
        if (isResponse && state == SessionState.Unbinding)
        {
            return true;
        }

        var request = commandId.ToRequest();
        var requestDirection = isResponse ? Opposite(direction) : direction;
        var esmeSends = requestDirection == PduDirection.EsmeToSmsc;
        return request switch
        {
            CommandId.BindTransmitter or CommandId.BindReceiver or CommandId.BindTransceiver =>
                esmeSends && state == (isResponse ? SessionState.Binding : SessionState.Open),
            CommandId.Outbind => !isResponse && !esmeSends && state == SessionState.Open,
            CommandId.EnquireLink => true,
            CommandId.Unbind => state.IsBound() || state == SessionState.Unbinding,
            CommandId.SubmitSm or CommandId.SubmitMulti or CommandId.QuerySm or CommandId.CancelSm or CommandId.ReplaceSm =>
                esmeSends && state.CanSubmit(),
            CommandId.DeliverSm => !esmeSends && state.CanReceive(),
            CommandId.AlertNotification => !isResponse && !esmeSends && state.CanReceive(),
            CommandId.DataSm => esmeSends ? state.CanSubmit() : state.CanReceive(),
            _ => false,
        };
    }

    private static PduDirection Opposite(PduDirection direction) =>
        direction == PduDirection.EsmeToSmsc ? PduDirection.SmscToEsme : PduDirection.EsmeToSmsc;
}
