using Taifa.Domain.Operators;

namespace Taifa.Grains.Dispatch;

/// <summary>How an operator writes its own message ids, in submit_sm_resp and in receipts.</summary>
public enum OperatorIdFormat
{
    /// <summary>Opaque text, matched exactly (case and leading zeros count).</summary>
    Text = 0,
    Decimal = 1,
    Hex = 2,
}

/// <summary>One mobile operator's SMSC, from "Taifa:Operators:&lt;name&gt;".</summary>
public sealed class OperatorOptions
{
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 2775;
    public string SystemId { get; set; } = "";
    public string Password { get; set; } = "";
    public string SystemType { get; set; } = "";
    public OperatorBindMode BindMode { get; set; } = OperatorBindMode.Transceiver;

    /// <summary>Binds across the cluster; each is owned by one dispatcher shard, placed on any silo.</summary>
    public int Binds { get; set; } = 1;

    public int Window { get; set; } = 50;
    public int MaxMessagesPerSecond { get; set; } = 500;
    public TimeSpan EnquireLinkInterval { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The network ids (numbering plan) this operator delivers to.</summary>
    public int[] NetworkIds { get; set; } = [];

    /// <summary>
    /// Among the operators listing one network (and no <see cref="DispatchOptions.Routes"/> for it), the lowest is
    /// preferred and the others are its failover routes in turn; equal priorities keep the configuration's order.
    /// </summary>
    public int Priority { get; set; }

    public OperatorIdFormat SubmitIdFormat { get; set; } = OperatorIdFormat.Text;
    public OperatorIdFormat ReceiptIdFormat { get; set; } = OperatorIdFormat.Text;

    /// <summary>True for an SMSC that sends one receipt for a whole concatenated message (for any one of its part ids).</summary>
    public bool OneReceiptPerMessage { get; set; }

    /// <summary>
    /// The UTC offset of the SMSC's wall clock, on which its receipts write <c>submit date:</c>; null: the silo's own
    /// time zone. Matters only for a receipt whose operator id was lost with a silo, matched by its submit date.
    /// </summary>
    public TimeSpan? ReceiptClockOffset { get; set; }

    /// <summary>How far the SMSC's clock may be from ours when a receipt is matched by its submit date.</summary>
    public TimeSpan ReceiptClockTolerance { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// When a route's traffic moves to the next route of its network, and when it comes back ("Taifa:Dispatch:Failover").
/// Each dispatcher shard judges its own bind.
/// </summary>
public sealed class FailoverOptions
{
    /// <summary>A bind down this long moves its waiting messages to the next healthy route.</summary>
    public TimeSpan BindDownAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Temporary errors among the submits of <see cref="ErrorWindow"/> at or above this share (0–1] move traffic too.</summary>
    public double ErrorRate { get; set; } = 0.5;

    public TimeSpan ErrorWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Fewer submits than this in the window never count as an error rate.</summary>
    public int MinSubmits { get; set; } = 20;

    /// <summary>Bound again this long (and the error rate under its threshold), the route takes its traffic back.</summary>
    public TimeSpan RecoverAfter { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>The "Taifa:Dispatch" section plus the operators and the routes ("Taifa:Routes").</summary>
public sealed class DispatchOptions
{
    public Dictionary<string, OperatorOptions> Operators { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Per network id, the operators in order of preference (the first takes the traffic while it is
    /// healthy); a network not listed here is routed by the operators' <see cref="OperatorOptions.NetworkIds"/> and
    /// <see cref="OperatorOptions.Priority"/>.</summary>
    public Dictionary<string, string[]> Routes { get; set; } = new(StringComparer.Ordinal);

    public FailoverOptions Failover { get; set; } = new();

    /// <summary>Operator for network ids no operator lists; unset: such messages fail and are refunded.</summary>
    public string? DefaultRoute { get; set; }

    /// <summary>Attempts for temporary operator errors before a message fails (and is refunded).</summary>
    public int MaxAttempts { get; set; } = 6;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a receipt for an SMPP customer waits for one of its receiver sessions to bind.</summary>
    public TimeSpan SmppReceiptRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a final status is offered to a dlr_url that does not answer 2xx (with back-off) before giving up.</summary>
    public TimeSpan DlrRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a message may wait for an operator to take it when its send names no validity; then it expires.</summary>
    public TimeSpan DefaultValidity { get; set; } = TimeSpan.FromHours(48);
}
