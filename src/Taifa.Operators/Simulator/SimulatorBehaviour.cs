using Taifa.Smpp.Pdus;

namespace Taifa.Operators.Simulator;

/// <summary>
/// How the simulator treats binds and submits; switch it at any time with <see cref="SmscSimulator.Behaviour"/>.
/// Shares are probabilities from 0 to 1 drawn per submit; they are checked in the order reject, system error,
/// throttle, so a submit gets at most one of them.
/// </summary>
public sealed record SimulatorBehaviour
{
    public static SimulatorBehaviour Normal { get; } = new();

    /// <summary>The share of submits answered with <see cref="RejectStatus"/>.</summary>
    public double RejectShare { get; init; }

    public CommandStatus RejectStatus { get; init; } = CommandStatus.InvalidDestinationAddress;

    /// <summary>The share of submits answered ESME_RSYSERR.</summary>
    public double SystemErrorShare { get; init; }

    /// <summary>The share of submits answered ESME_RTHROTTLED.</summary>
    public double ThrottleShare { get; init; }

    /// <summary>Submits beyond this many in one second (all sessions together) are answered ESME_RTHROTTLED.</summary>
    public int? ThrottleAbovePerSecond { get; init; }

    /// <summary>How long to wait before answering each submit; lets a test see a window fill up.</summary>
    public TimeSpan ResponseDelay { get; init; }

    /// <summary>Stop reading from every session: requests go unanswered until this is switched off.</summary>
    public bool Stall { get; init; }

    /// <summary>Close every new connection as soon as it is accepted, as an SMSC at capacity or in maintenance does.</summary>
    public bool CloseOnAccept { get; init; }

    /// <summary>Answer every bind ESME_RBINDFAIL.</summary>
    public bool RefuseBinds { get; init; }

    /// <summary>The share of accepted messages whose receipt says UNDELIV.</summary>
    public double UndeliveredShare { get; init; }

    /// <summary>The share of accepted messages whose receipt says EXPIRED.</summary>
    public double ExpiredShare { get; init; }

    /// <summary>Every submit answered with <paramref name="status"/>.</summary>
    public static SimulatorBehaviour RejectAll(CommandStatus status) => new() { RejectShare = 1, RejectStatus = status };
}
