using Taifa.Domain.Operators;

namespace Taifa.Operators.Client;

/// <summary>Settings of one SMPP client bind to an operator's SMSC. <see cref="Validate"/> checks them.</summary>
public sealed class OperatorBindOptions
{
    /// <summary>A name for logs, such as the operator's.</summary>
    public string Name { get; set; } = "operator";

    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 2775;

    public string SystemId { get; set; } = string.Empty;

    /// <summary>Sent in the bind and never logged.</summary>
    public string Password { get; set; } = string.Empty;

    public string SystemType { get; set; } = string.Empty;

    public OperatorBindMode Mode { get; set; } = OperatorBindMode.Transceiver;

    /// <summary>How many submit_sm may wait for their submit_sm_resp at once.</summary>
    public int WindowSize { get; set; } = 10;

    /// <summary>
    /// The most submit_sm sent per second, as a token bucket that holds a tenth of a second's worth (at least one),
    /// so a burst never exceeds what the operator counts in its own short windows. Zero: no limit.
    /// </summary>
    public double MaxSubmitsPerSecond { get; set; } = 100;

    /// <summary>How often an enquire_link checks the link; an unanswered one counts it dead.</summary>
    public TimeSpan EnquireLinkInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long any request (bind, submit_sm, enquire_link, unbind) waits for its response.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The first wait before reconnecting; it doubles with each failed attempt up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>On dispose: how long to wait for outstanding submit_sm_resp, and then for the unbind_resp.</summary>
    public TimeSpan UnbindTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <exception cref="ArgumentException">A setting is missing or out of range; the message names it.</exception>
    public void Validate()
    {
        Require(!string.IsNullOrWhiteSpace(Host), nameof(Host), "is required");
        Require(Port is > 0 and <= 65535, nameof(Port), "must be 1 to 65535");
        Require(!string.IsNullOrEmpty(SystemId) && SystemId.Length <= 15, nameof(SystemId), "must be 1 to 15 characters");
        Require(Password.Length <= 8, nameof(Password), "must be at most 8 characters");
        Require(SystemType.Length <= 12, nameof(SystemType), "must be at most 12 characters");
        Require(Enum.IsDefined(Mode), nameof(Mode), "is not a bind mode");
        Require(WindowSize >= 1, nameof(WindowSize), "must be at least 1");
        Require(MaxSubmitsPerSecond >= 0 && double.IsFinite(MaxSubmitsPerSecond), nameof(MaxSubmitsPerSecond), "must be 0 (no limit) or more");
        Require(EnquireLinkInterval > TimeSpan.Zero, nameof(EnquireLinkInterval), "must be positive");
        Require(ResponseTimeout > TimeSpan.Zero, nameof(ResponseTimeout), "must be positive");
        Require(ConnectTimeout > TimeSpan.Zero, nameof(ConnectTimeout), "must be positive");
        Require(ReconnectMinDelay > TimeSpan.Zero, nameof(ReconnectMinDelay), "must be positive");
        Require(ReconnectMaxDelay >= ReconnectMinDelay, nameof(ReconnectMaxDelay), "must be at least ReconnectMinDelay");
        Require(UnbindTimeout >= TimeSpan.Zero, nameof(UnbindTimeout), "must not be negative");
    }

    private static void Require(bool condition, string name, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"OperatorBindOptions.{name} {problem}.", name);
        }
    }
}
