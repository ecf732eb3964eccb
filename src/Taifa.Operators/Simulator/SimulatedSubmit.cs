using Taifa.Smpp.Pdus;

namespace Taifa.Operators.Simulator;

/// <summary>One submit_sm the simulator accepted, as it arrived.</summary>
public sealed record SimulatedSubmit(
    string OperatorMessageId,
    string SystemId,
    SmppAddress Source,
    SmppAddress Destination,
    ReadOnlyMemory<byte> ShortMessage,
    byte DataCoding,
    byte EsmClass,
    byte RegisteredDelivery,
    DateTimeOffset ReceivedAt)
{
    /// <summary>As the ESME sent it (SMPP §7.1.1; empty: the SMSC's default).</summary>
    public string ValidityPeriod { get; init; } = "";
}

/// <summary>What the simulator has done since it started.</summary>
public sealed record SmscSimulatorCounters
{
    /// <summary>TCP connections accepted, including those closed at once by <see cref="SimulatorBehaviour.CloseOnAccept"/>.</summary>
    public long ConnectionsAccepted { get; init; }

    public long BindsAccepted { get; init; }

    public long BindsRefused { get; init; }

    /// <summary>Sessions bound now.</summary>
    public int ActiveBinds { get; init; }

    public long SubmitsReceived { get; init; }

    public long SubmitsAccepted { get; init; }

    /// <summary>Answered with the reject status.</summary>
    public long SubmitsRejected { get; init; }

    public long SubmitsThrottled { get; init; }

    /// <summary>Answered ESME_RSYSERR.</summary>
    public long SubmitsFailed { get; init; }

    /// <summary>The most submits received and not yet answered at one time.</summary>
    public int MaxOutstandingSubmits { get; init; }

    /// <summary>deliver_sm receipts sent, retries included.</summary>
    public long ReceiptAttempts { get; init; }

    /// <summary>Receipts answered ESME_ROK: done with.</summary>
    public long ReceiptsAcknowledged { get; init; }

    /// <summary>Receipts not acknowledged yet, including those waiting for their delay or for a receiver.</summary>
    public long ReceiptsPending { get; init; }

    public long EnquireLinksReceived { get; init; }

    public long UnbindsReceived { get; init; }
}
