using System.ComponentModel.DataAnnotations;
using Taifa.Abstractions.Accounts;

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

    /// <summary>How long a stopping silo drains (answers what is in flight, unbinds SMPP sessions, leaves the cluster); below Kubernetes' terminationGracePeriodSeconds.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>At SIGTERM, how long the silo keeps serving with readiness false before it unbinds SMPP clients and stops listening.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Required]
    public SmppListenerOptions Smpp { get; set; } = new();

    [Required]
    public ApiOptions Api { get; set; } = new();

    [Required]
    public DemoOptions Demo { get; set; } = new();

    [Required]
    public SecurityOptions Security { get; set; } = new();
}

public sealed class SmppListenerOptions
{
    /// <summary>TCP port of the SMPP listener; 0 disables it.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 2775;

    /// <summary>A session that sends nothing for this long is sent unbind and closed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>Live binds one account may hold across the cluster; one more answers ESME_RBINDFAIL.</summary>
    [Range(1, 1000)]
    public int MaxBindsPerAccount { get; set; } = 10;

    /// <summary>submit_sm a session may have awaiting their submit_sm_resp; one more answers ESME_RTHROTTLED.</summary>
    [Range(1, 100_000)]
    public int Window { get; set; } = 200;

    /// <summary>Message parts per second one account may submit through one silo (token bucket, one second of burst).</summary>
    [Range(1, 1_000_000)]
    public int MaxPartsPerSecond { get; set; } = 10_000;

    /// <summary>Largest command_length accepted; a longer PDU answers generic_nack ESME_RINVCMDLEN and closes the session.</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxCommandLength { get; set; } = 64 * 1024;

    /// <summary>Answers queued for a client that does not read them; past this no more requests are read, and a client that
    /// reads none for 5 s is disconnected.</summary>
    [Range(16, 1_000_000)]
    public int MaxQueuedOutbound { get; set; } = 2048;

    /// <summary>Benchmarks only: bound sessions answer every valid submit_sm with ESME_ROK and a generated id without
    /// touching grains (nothing is recorded, sent or charged), measuring the listener's own ceiling. Binds still
    /// authenticate normally.</summary>
    public bool NullResponder { get; set; }
}

public sealed class ApiOptions
{
    /// <summary>Largest request body accepted by the customer API; larger bodies answer 1009.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 256 * 1024;

    /// <summary>Most recipients in one comma-separated `mobile` field.</summary>
    [Range(1, 100_000)]
    public int MaxRecipients { get; set; } = 1000;

    /// <summary>How long a sendsms Idempotency-Key is remembered.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan IdempotencyRetention { get; set; } = TimeSpan.FromHours(24);

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

public sealed class SecurityOptions
{
    /// <summary>Failed logins (REST keys and SMPP binds together) from one client address within <see cref="FailureWindow"/>
    /// that lock the address out; counted per silo.</summary>
    [Range(1, 1_000_000)]
    public int MaxFailuresPerAddress { get; set; } = 20;

    /// <summary>Failed binds under one SMPP system_id within <see cref="FailureWindow"/> that lock the system_id out, cluster-wide.</summary>
    [Range(1, 1_000_000)]
    public int MaxFailuresPerSystemId { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(5);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>CIDR blocks of reverse proxies (a Kubernetes ingress) whose X-Forwarded-For is believed for REST calls.
    /// Empty: the header is ignored and the socket's remote address is the client.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    public LoginLimit SystemIdLimit => new(MaxFailuresPerSystemId, FailureWindow, LockoutDuration);
}
