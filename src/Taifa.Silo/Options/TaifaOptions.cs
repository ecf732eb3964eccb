using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Taifa.Abstractions.Accounts;

namespace Taifa.Silo.Options;

/// <summary>The "Taifa" configuration section.</summary>
public sealed class TaifaOptions
{
    public const string Section = "Taifa";

    /// <summary>Bearer token for the admin API. Unset in the embedded default: one is generated and logged.</summary>
    public string? AdminToken { get; set; }

    /// <summary>
    /// Node component of generated message ids (0..1023). Unset: leased from the database in production mode (ids
    /// unique for the life of the database), random otherwise. Set, it is the operator's word that no other silo uses it.
    /// </summary>
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

    [Required, ValidateObjectMembers]
    public SmppListenerOptions Smpp { get; set; } = new();

    [Required, ValidateObjectMembers]
    public ApiOptions Api { get; set; } = new();

    [Required, ValidateObjectMembers]
    public HttpLimitsOptions Http { get; set; } = new();

    [Required, ValidateObjectMembers]
    public DemoOptions Demo { get; set; } = new();

    [Required, ValidateObjectMembers]
    public SecurityOptions Security { get; set; } = new();

    [Required, ValidateObjectMembers]
    public PortalOptions Portal { get; set; } = new();

    [Required, ValidateObjectMembers]
    public PaymentsOptions Payments { get; set; } = new();

    [Required, ValidateObjectMembers]
    public SimulatorsOptions Simulators { get; set; } = new();

    [Required, ValidateObjectMembers]
    public OperationsDashboardOptions Dashboard { get; set; } = new();

    [Required, ValidateObjectMembers]
    public KubernetesOptions Kubernetes { get; set; } = new();

    /// <summary>
    /// A section as bound while the host is built, for the few choices made before the service provider exists
    /// (which silo parts to add); the same values are validated on start with the rest.
    /// </summary>
    public static T BoundAtBuild<T>(IConfiguration configuration, string name) where T : new() =>
        configuration.GetSection($"{Section}:{name}").Get<T>() ?? new T();
}

/// <summary>The Orleans Dashboard, behind the admin token.</summary>
public sealed class OperationsDashboardOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Where it is served; anything shorter than two characters means the default.</summary>
    public string? Path { get; set; } = "/dashboard";
}

public sealed class KubernetesOptions
{
    /// <summary>Orleans' Kubernetes hosting: pod name, namespace and IP from the downward API.</summary>
    public bool Enabled { get; set; }
}

/// <summary>The built-in SMSC simulators, one per network, started when no operator is configured.</summary>
public sealed class SimulatorsOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>How long after accepting a message a simulator sends its receipt.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ReceiptDelay { get; set; } = TimeSpan.FromSeconds(1);
}

public sealed class PaymentsOptions
{
    [Required, ValidateObjectMembers]
    public MpesaOptions Mpesa { get; set; } = new();
}

/// <summary>M-Pesa C2B callbacks (docs/api.md#m-pesa-c2b-top-ups). Without a callback token the endpoints answer 404.</summary>
public sealed class MpesaOptions
{
    /// <summary>The secret in the <c>token</c> query parameter of the URLs registered with Daraja (at least 16 characters).</summary>
    [MinLength(16)]
    public string? CallbackToken { get; set; }

    /// <summary>CIDR blocks Daraja's callbacks come from; empty: any address (the token still guards).</summary>
    public List<string> AllowedAddresses { get; set; } = [];
}

public sealed class SmppListenerOptions
{
    /// <summary>TCP port of the SMPP listener; 0 disables it.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 2775;

    /// <summary>
    /// The IP address the SMPP port and the SMPP over TLS port listen on (such as 127.0.0.1 behind a proxy on the same
    /// host); unset, every interface. Anything but an IPv4 or IPv6 address fails start.
    /// </summary>
    public string? ListenAddress { get; set; }

    /// <summary>A connection that has not bound this long after it opened is closed, whatever it sends meanwhile.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan BindTimeout { get; set; } = TimeSpan.FromSeconds(30);

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

    /// <summary>SMPP over TLS on a second port; off unless its port is set.</summary>
    [Required, ValidateObjectMembers]
    public SmppTlsOptions Tls { get; set; } = new();
}

/// <summary>
/// The certificate comes from <see cref="CertificatePath"/> (PKCS#12 with its password, or a PEM certificate with
/// <see cref="KeyPath"/>); unset, from Kestrel:Certificates:Default, the one HTTPS uses.
/// </summary>
public sealed class SmppTlsOptions
{
    /// <summary>TCP port of SMPP over TLS (conventionally 3550); 0 turns it off.</summary>
    [Range(0, 65535)]
    public int Port { get; set; }

    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    public string? KeyPath { get; set; }
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

    /// <summary>
    /// How long a send (REST or SMPP) whose account call failed ambiguously (its silo died, a timeout) is repeated
    /// for a definite answer; past it the request gets no answer rather than a false "not accepted".
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan SendDeadline { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Let dlr_url (and any customer-given URL) reach loopback, private and other non-public addresses.
    /// Off: such URLs answer 1009 and are refused again at connect time. For tests and a local demo only.</summary>
    public bool AllowPrivateCallbackTargets { get; set; }
}

/// <summary>
/// Kestrel's limits, set on purpose rather than inherited: they bound what one slow or oversized HTTP client can hold
/// (headers, connections, a trickled body). Kestrel answers a breach itself (400, 408, 413, 414, 431) with an empty
/// body and closes the connection; no request reaches the APIs.
/// </summary>
public sealed class HttpLimitsOptions
{
    /// <summary>Request line (method, path and query) size; longer answers 414.</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxRequestLineSize { get; set; } = 8 * 1024;

    /// <summary>Total size of the request headers; larger answers 431.</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxRequestHeadersTotalSize { get; set; } = 32 * 1024;

    /// <summary>Number of request headers; more answers 431.</summary>
    [Range(8, 1000)]
    public int MaxRequestHeaderCount { get; set; } = 64;

    /// <summary>Time to receive the whole request line and headers; a client trickling them is answered 408 and closed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>An idle keep-alive connection is closed after this; above the 60 s idle timeout of common load
    /// balancers, so the balancer, not the silo, closes first.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(130);

    /// <summary>After <see cref="MinRequestBodyGracePeriod"/>, a request body arriving slower than this (bytes per
    /// second, averaged) is cut off: the connection is closed.</summary>
    [Range(1, 1024 * 1024)]
    public double MinRequestBodyBytesPerSecond { get; set; } = 1024;

    /// <summary>Kestrel wants more than one second.</summary>
    [Range(typeof(TimeSpan), "00:00:02", "00:10:00")]
    public TimeSpan MinRequestBodyGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest request body Kestrel reads at all (every route); the customer API's own, smaller limit
    /// (Taifa:Api:MaxBodyBytes) answers 1009 first.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public long MaxRequestBodySize { get; set; } = 1024 * 1024;

    /// <summary>Open connections per listening port (HTTP and SMPP alike); beyond it new connections are closed at once.
    /// Unset: no limit but the process's file descriptors.</summary>
    [Range(1, 1_000_000)]
    public long? MaxConcurrentConnections { get; set; }

    /// <summary>Concurrent requests on one HTTP/2 connection (HTTP/2 is offered over HTTPS only).</summary>
    [Range(1, 1000)]
    public int Http2MaxStreamsPerConnection { get; set; } = 100;
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
