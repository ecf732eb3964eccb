using System.ComponentModel.DataAnnotations;

namespace Taifa.Silo.Options;

/// <summary>The "Taifa" configuration section.</summary>
public sealed class TaifaOptions
{
    public const string Section = "Taifa";

    /// <summary>Bearer token for the admin API. Unset in the embedded default: one is generated and logged.</summary>
    public string? AdminToken { get; set; }

    /// <summary>Node component of generated message ids (0..1023). Unset: taken from the database in production mode, random otherwise.</summary>
    [Range(0, 1023)]
    public int? NodeId { get; set; }

    /// <summary>Apply the database schema at start-up (production mode). Turn off when a Kubernetes Job applies it.</summary>
    public bool ApplySchemaOnStartup { get; set; } = true;

    [Required]
    public SmppListenerOptions Smpp { get; set; } = new();

    [Required]
    public ApiOptions Api { get; set; } = new();

    [Required]
    public DemoOptions Demo { get; set; } = new();
}

public sealed class SmppListenerOptions
{
    /// <summary>TCP port of the SMPP listener; 0 disables it.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 2775;

    [Range(typeof(TimeSpan), "00:00:05", "1.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(300);
}

public sealed class ApiOptions
{
    /// <summary>Largest request body accepted by the customer API; larger bodies answer 1009.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 256 * 1024;

    /// <summary>Most recipients in one comma-separated `mobile` field.</summary>
    [Range(1, 100_000)]
    public int MaxRecipients { get; set; } = 1000;

    /// <summary>Longest message accepted, in SMS parts; longer messages answer 1009.</summary>
    [Range(1, 255)]
    public int MaxParts { get; set; } = 10;
}

public sealed class DemoOptions
{
    /// <summary>Create the demo account at start-up. On by default only in the embedded (in-memory) mode.</summary>
    public bool? Enabled { get; set; }

    /// <summary>A fixed API key for the demo account (64 hex characters); unset: generated and logged.</summary>
    [RegularExpression("^[0-9a-f]{64}$")]
    public string? ApiKey { get; set; }

    public string SenderId { get; set; } = "MYSENDER";

    public decimal CreditBalance { get; set; } = 500.00m;

    public decimal PricePerSms { get; set; } = 1.00m;
}
