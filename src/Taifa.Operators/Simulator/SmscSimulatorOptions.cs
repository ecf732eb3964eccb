using System.Net;

namespace Taifa.Operators.Simulator;

/// <summary>How the simulator writes a message id.</summary>
public enum SimulatedIdFormat
{
    Decimal,

    /// <summary>Upper-case hexadecimal.</summary>
    Hex,
}

/// <summary>Settings fixed for the life of an <see cref="SmscSimulator"/>; see <see cref="SimulatorBehaviour"/> for those that switch at run time.</summary>
public sealed class SmscSimulatorOptions
{
    /// <summary>A name for logs and the system_id of bind responses.</summary>
    public string Name { get; set; } = "SMSCSIM";

    public IPAddress Address { get; set; } = IPAddress.Loopback;

    /// <summary>0 takes an ephemeral port; <see cref="SmscSimulator.EndPoint"/> tells which.</summary>
    public int Port { get; set; }

    /// <summary>The only system_id allowed to bind; null accepts any.</summary>
    public string? SystemId { get; set; }

    /// <summary>The password <see cref="SystemId"/> must bind with; null accepts any.</summary>
    public string? Password { get; set; }

    /// <summary>How long after accepting a message its receipt is sent.</summary>
    public TimeSpan ReceiptDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long to wait before trying a receipt again: after a refusal or no answer, or while no receiver is bound.</summary>
    public TimeSpan ReceiptRetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a deliver_sm waits for its deliver_sm_resp.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many deliver_sm may be unanswered on one session.</summary>
    public int ReceiptWindowSize { get; set; } = 10;

    /// <summary>The id format of submit_sm_resp.</summary>
    public SimulatedIdFormat SubmitIdFormat { get; set; } = SimulatedIdFormat.Decimal;

    /// <summary>The id format in receipts; real SMSCs are known to answer in hex and receipt in decimal.</summary>
    public SimulatedIdFormat ReceiptIdFormat { get; set; } = SimulatedIdFormat.Decimal;

    /// <summary>Receipt ids are padded with leading zeros to this many digits (0: no padding).</summary>
    public int ReceiptIdWidth { get; set; }

    /// <summary>
    /// The number of the first message id. Null starts from the clock (milliseconds since 1970 times 1000), so a
    /// restarted simulator does not hand out ids a durable id mapping has already seen.
    /// </summary>
    public ulong? FirstMessageId { get; set; }

    /// <summary>How many accepted submits <see cref="SmscSimulator.Submits"/> keeps; the oldest go first.</summary>
    public int MaxRecordedSubmits { get; set; } = 100_000;
}
