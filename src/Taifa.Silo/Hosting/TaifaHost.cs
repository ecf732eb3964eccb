using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.HttpOverrides;
using Taifa.Abstractions.Accounts;
using Serilog;
using Taifa.Domain.Ids;
using Taifa.Domain.Numbers;
using Taifa.Grains.Persistence;
using Taifa.Silo.Api;
using Taifa.Silo.Database;
using Taifa.Silo.Database.Ledger;
using Taifa.Silo.Dispatch;
using Taifa.Silo.Inbound;
using Taifa.Silo.Intake;
using Taifa.Silo.Options;
using Taifa.Silo.Portal;
using Taifa.Silo.Smpp;
using Taifa.Silo.Storage;

namespace Taifa.Silo.Hosting;

/// <summary>The whole gateway in one process: Orleans silo, customer and admin REST APIs, SMPP listener.</summary>
public static class TaifaHost
{
    public static void AddTaifa(this WebApplicationBuilder builder)
    {
        builder.Services.AddSerilog((services, logger) => logger
            .ReadFrom.Configuration(builder.Configuration)
            .ReadFrom.Services(services)
            .MinimumLevel.Override("Microsoft.AspNetCore", Serilog.Events.LogEventLevel.Warning)
            .MinimumLevel.Override("Orleans", Serilog.Events.LogEventLevel.Warning)
            .MinimumLevel.Override("Polly", Serilog.Events.LogEventLevel.Warning)
            // HttpClient logs four lines per request with the full URL: one dlr_url attempt each would flood the log.
            .MinimumLevel.Override("System.Net.Http", Serilog.Events.LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .WriteTo.Console(),
            // Each host gets its own logger; freezing the static one would fail when tests start two hosts in one process.
            preserveStaticLogger: true);

        builder.Services.BindValidated<TaifaOptions>(TaifaOptions.Section)
            .Validate(options => AddressAllowList.TryParse(options.Security.TrustedProxies, out _, out _),
                "Taifa:Security:TrustedProxies must list IPv4 or IPv6 addresses or CIDR blocks")
            .Validate(options => AddressAllowList.TryParse(options.Payments.Mpesa.AllowedAddresses, out _, out _),
                "Taifa:Payments:Mpesa:AllowedAddresses must list IPv4 or IPv6 addresses or CIDR blocks");

        // Decided here, before anything else asks.
        StorageMode.Of(builder);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(NumberingPlan.Kenya);
        builder.Services.AddSingleton<RecipientParser>();
        builder.Services.AddSingleton(services => new CallbackUrlPolicy(
            services.GetRequiredService<IOptions<TaifaOptions>>().Value.Api.AllowPrivateCallbackTargets));
        builder.Services.AddSingleton<AddressLockouts>();
        builder.Services.AddSingleton<RefusedSilos>();
        builder.Services.AddSingleton<VanishedSilos>();
        builder.Services.AddHostedService(services => services.GetRequiredService<VanishedSilos>());
        builder.Services.AddSingleton<ApiKeyAccounts>();
        builder.Services.AddSingleton<MessageHistory>();
        builder.Services.AddSingleton<DeliverySummary>();
        builder.Services.AddSingleton<AccountSends>();
        builder.Services.AddSingleton<WriteFailures, PostgresWriteFailures>();
        builder.Services.AddSingleton(services => services.GetRequiredService<NodeIdentity>().CreateGenerator(services.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<NodeIdentity>();
        builder.Services.AddHostedService<MessageIdNodeKeeper>();
        builder.Services.AddSingleton(services => new AdminToken(services.GetRequiredService<NodeIdentity>().AdminToken));

        builder.ConfigureTaifaEndpoints(smpp: builder.AddTaifaSmpp());
        builder.AddTaifaSilo();
        builder.AddTaifaLedger();
        builder.AddTaifaDispatch();
        builder.AddTaifaInbound();
        builder.AddTaifaOperations();
        builder.Services.AddHostedService<DemoAccount>();
        builder.AddTaifaPortal();

        builder.Services.AddOpenApi(CustomerApi.OpenApiDocument);
        builder.Services.AddOpenApi(AdminApi.OpenApiDocument, openApi => openApi.AddSchemaTransformer<AdminSchemas>());
        builder.Services.AddProblemDetails();
    }

    public static void UseTaifa(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<StorageMode>().IsPostgres)
        {
            app.Logger.LogWarning("EMBEDDED MODE: in-memory storage and localhost clustering. Accounts, balances and messages " +
                                  "will NOT survive a restart. Set ConnectionStrings__Taifa to a PostgreSQL database for production.");
        }

        app.UseTrustedForwardedFor();
        app.UseSerilogRequestLogging(options =>
        {
            // The host's configured logger, not the static bootstrap one: request lines go to the same sinks and levels.
            options.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
            options.MessageTemplate =
                "HTTP {RequestMethod} {RequestPath} {StatusCode} outcome {Outcome} account {AccountId} in {Elapsed:0.0} ms";
            options.GetLevel = RequestLogLevel;
        });
        app.Use((http, next) =>
        {
            // Defaults for the request log line; handlers overwrite them once they know the caller and outcome.
            var log = http.RequestServices.GetRequiredService<IDiagnosticContext>();
            log.Set("Outcome", "-");
            log.Set("AccountId", "-");
            return next(http);
        });
        app.UseTaifaErrorHandling();

        app.MapTaifaOperations();
        app.MapTaifaDashboard();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapCustomerApi();
        app.MapAdminApi();
        app.MapInboundApi();
        app.MapPaymentsApi();
        app.MapMessageHistoryApi();
        app.MapTaifaPortal();
    }

    private const double SlowRequestMs = 1000;

    /// <summary>
    /// A line per successful request would be thousands of lines a second at full load (the counters in /metrics
    /// cover those): they log at Debug. Client errors (4xx) log at Information, slow requests at Warning, failures at Error.
    /// A failure the error handler answered has its line from there already (with the reason): this one is Debug.
    /// A 503 from <c>/ready</c> is the probe's answer (draining, starting), not a failure: Information.
    /// </summary>
    private static Serilog.Events.LogEventLevel RequestLogLevel(HttpContext http, double elapsedMs, Exception? exception) =>
        ErrorHandling.Handled(http) ? Serilog.Events.LogEventLevel.Debug
        : exception is null && http.Request.Path == "/ready" ? Serilog.Events.LogEventLevel.Information
        : exception is not null || http.Response.StatusCode >= 500 ? Serilog.Events.LogEventLevel.Error
        : elapsedMs > SlowRequestMs ? Serilog.Events.LogEventLevel.Warning
        : http.Response.StatusCode >= 400 ? Serilog.Events.LogEventLevel.Information
        : Serilog.Events.LogEventLevel.Debug;

    /// <summary>
    /// X-Forwarded-For is believed only from the configured proxies (a Kubernetes ingress), and only its last entry, the
    /// one that proxy added: anything before it was written by the client. With no proxy configured the header is
    /// ignored, so a client cannot choose the address its failed logins and allow-list checks are counted under.
    /// </summary>
    private static void UseTrustedForwardedFor(this WebApplication app)
    {
        var proxies = app.Services.GetRequiredService<IOptions<TaifaOptions>>().Value.Security.TrustedProxies;
        if (proxies.Count == 0) return;
        var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor, ForwardLimit = 1 };
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var entry in AddressAllowList.FromStored(proxies).Entries) forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(entry));
        app.UseForwardedHeaders(forwarded);
    }

    /// <summary>The "migrate" command: applies the schema and exits (for a Kubernetes Job).</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        var connectionString = app.Services.GetRequiredService<StorageMode>().ConnectionString
            ?? throw new InvalidOperationException("migrate needs ConnectionStrings__Taifa (a PostgreSQL connection string).");
        await DatabaseSchema.ApplyAsync(connectionString, app.Logger);
    }

    /// <summary>In production mode, applies the schema before the silo joins the cluster (unless turned off).</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        if (app.Services.GetRequiredService<StorageMode>().ConnectionString is not { } connectionString) return;
        var options = app.Services.GetRequiredService<IOptions<TaifaOptions>>().Value;
        if (options.ApplySchemaOnStartup) await DatabaseSchema.ApplyAsync(connectionString, app.Logger);
        await app.Services.GetRequiredService<NodeIdentity>().InitializeAsync(connectionString, app.Services.GetRequiredService<TimeProvider>());
    }
}

/// <summary>Per-process identity: the node component of message ids and the admin token.</summary>
public sealed class NodeIdentity(IOptions<TaifaOptions> options, ILogger<NodeIdentity> logger)
{
    private int? _nodeId = options.Value.NodeId;
    private string? _adminToken = options.Value.AdminToken;

    public int NodeId => _nodeId ??= Random.Shared.Next(0, 1024);

    /// <summary>The node this silo holds in the database (production mode, no Taifa:NodeId set); kept by <see cref="MessageIdNodeKeeper"/>.</summary>
    public MessageIdNodeLease? Lease { get; set; }

    /// <summary>A generator for <see cref="NodeId"/>; with a lease, it starts after the node's earlier holders and stays within the reservation.</summary>
    public MessageIdGenerator CreateGenerator(TimeProvider time)
    {
        if (Lease is not { } lease) return new MessageIdGenerator(NodeId, time);
        var generator = new MessageIdGenerator(lease.NodeId, time, lease.StartAfter);
        generator.ReserveUntil(lease.ReservedUntil);
        return generator;
    }

    public string AdminToken
    {
        get
        {
            if (_adminToken is { Length: > 0 }) return _adminToken;
            _adminToken = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
            logger.LogWarning("Taifa__AdminToken is not set: generated admin token for this run is {GeneratedAdminToken}", _adminToken);
            return _adminToken;
        }
    }

    /// <summary>
    /// Leases a node id in the database, so that no two silos sharing it use one at once and each holder of a node
    /// starts its ids after the last holder's (<see cref="MessageIdNodes"/>): ids are unique for the life of the database.
    /// </summary>
    public async Task InitializeAsync(string connectionString, TimeProvider time)
    {
        if (_nodeId is not null) return;
        Lease = await MessageIdNodes.ClaimAsync(connectionString, time.GetUtcNow());
        _nodeId = Lease.NodeId;
        logger.LogInformation("Message id node {NodeId} leased from the database; its ids start after {StartAfter}", _nodeId,
            MessageIdGenerator.Epoch.AddMilliseconds(Lease.StartAfter));
    }

}
