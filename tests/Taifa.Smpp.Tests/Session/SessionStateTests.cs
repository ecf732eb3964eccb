using Taifa.Smpp.Pdus;
using Taifa.Smpp.Session;

namespace Taifa.Smpp.Tests.Session;

public class SessionStateTests
{
    private const PduDirection FromEsme = PduDirection.EsmeToSmsc;
    private const PduDirection FromSmsc = PduDirection.SmscToEsme;

    [Theory]
    [InlineData(SessionState.Open, false, false)]
    [InlineData(SessionState.Binding, false, false)]
    [InlineData(SessionState.BoundTransmitter, true, false)]
    [InlineData(SessionState.BoundReceiver, false, true)]
    [InlineData(SessionState.BoundTransceiver, true, true)]
    [InlineData(SessionState.Unbinding, false, false)]
    [InlineData(SessionState.Closed, false, false)]
    public void Submitting_and_receiving_follow_the_bind_type(SessionState state, bool canSubmit, bool canReceive)
    {
        Assert.Equal(canSubmit, state.CanSubmit());
        Assert.Equal(canReceive, state.CanReceive());
        Assert.Equal(canSubmit || canReceive, state.IsBound());
    }

    [Theory]
    [InlineData(SessionState.Open, CommandId.BindTransmitter, FromEsme, true)]
    [InlineData(SessionState.Open, CommandId.BindTransmitter, FromSmsc, false)]
    [InlineData(SessionState.BoundTransmitter, CommandId.BindTransceiver, FromEsme, false)]
    [InlineData(SessionState.Binding, CommandId.BindTransmitterResp, FromSmsc, true)]
    [InlineData(SessionState.Open, CommandId.BindTransmitterResp, FromSmsc, false)]
    [InlineData(SessionState.Open, CommandId.SubmitSm, FromEsme, false)]
    [InlineData(SessionState.BoundTransmitter, CommandId.SubmitSm, FromEsme, true)]
    [InlineData(SessionState.BoundReceiver, CommandId.SubmitSm, FromEsme, false)]
    [InlineData(SessionState.BoundTransceiver, CommandId.SubmitSm, FromEsme, true)]
    [InlineData(SessionState.BoundTransmitter, CommandId.SubmitSmResp, FromSmsc, true)]
    [InlineData(SessionState.Unbinding, CommandId.SubmitSmResp, FromSmsc, true)]
    [InlineData(SessionState.Unbinding, CommandId.SubmitSm, FromEsme, false)]
    [InlineData(SessionState.BoundTransmitter, CommandId.DeliverSm, FromSmsc, false)]
    [InlineData(SessionState.BoundReceiver, CommandId.DeliverSm, FromSmsc, true)]
    [InlineData(SessionState.BoundReceiver, CommandId.DeliverSmResp, FromEsme, true)]
    [InlineData(SessionState.BoundReceiver, CommandId.DeliverSm, FromEsme, false)]
    [InlineData(SessionState.BoundTransmitter, CommandId.DataSm, FromEsme, true)]
    [InlineData(SessionState.BoundTransmitter, CommandId.DataSm, FromSmsc, false)]
    [InlineData(SessionState.BoundReceiver, CommandId.DataSm, FromSmsc, true)]
    [InlineData(SessionState.Open, CommandId.Outbind, FromSmsc, true)]
    [InlineData(SessionState.BoundReceiver, CommandId.AlertNotification, FromSmsc, true)]
    [InlineData(SessionState.BoundTransmitter, CommandId.AlertNotification, FromSmsc, false)]
    [InlineData(SessionState.BoundTransceiver, CommandId.Unbind, FromSmsc, true)]
    [InlineData(SessionState.Open, CommandId.Unbind, FromEsme, false)]
    [InlineData(SessionState.Unbinding, CommandId.UnbindResp, FromSmsc, true)]
    [InlineData(SessionState.Open, CommandId.EnquireLink, FromEsme, true)]
    [InlineData(SessionState.BoundReceiver, CommandId.EnquireLinkResp, FromSmsc, true)]
    [InlineData(SessionState.Open, CommandId.GenericNack, FromSmsc, true)]
    [InlineData(SessionState.Closed, CommandId.EnquireLink, FromEsme, false)]
    [InlineData(SessionState.BoundTransceiver, (CommandId)0x0000_0111, FromEsme, false)]
    public void Commands_are_allowed_by_state_and_direction(SessionState state, CommandId commandId, PduDirection direction, bool allowed)
    {
        Assert.Equal(allowed, state.IsAllowed(commandId, direction));
    }
}
