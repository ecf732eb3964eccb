namespace Taifa.Domain.Operators;

/// <summary>How the gateway binds to an operator's SMSC (<c>Taifa:Operators:&lt;name&gt;:BindMode</c>).</summary>
public enum OperatorBindMode
{
    /// <summary>One bind_transceiver session: submits out, receipts in.</summary>
    Transceiver = 0,

    /// <summary>Two sessions to the same SMSC: bind_transmitter for submits and bind_receiver for receipts.</summary>
    TransmitterAndReceiver = 1,
}
