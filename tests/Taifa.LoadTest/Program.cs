using System.Globalization;
using System.Net;
using System.Text.Json;
using Taifa.LoadTest;
using Taifa.LoadTest.Gateway;
using Taifa.LoadTest.Modes;
using Taifa.LoadTest.Reporting;
using Taifa.LoadTest.Verification;
using Taifa.LoadTest.Workload;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(LoadOptions.Usage);
    return 0;
}

if (args.Length > 0 && args[0] == "idle-sessions")
{
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.Cancel();
    };
    return await Taifa.LoadTest.Smpp.IdleSessions.RunAsync(args, stop.Token);
}

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (ArgumentException exception)
{
    await Console.Error.WriteLineAsync(exception.Message);
    await Console.Error.WriteLineAsync("Run with --help for usage.");
    return 2;
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

// One pool of keep-alive connections, at most one per worker: the gateway sees exactly --concurrency sockets.
using var handler = new SocketsHttpHandler
{
    MaxConnectionsPerServer = options.Concurrency,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    UseProxy = false,
    UseCookies = false,
    AutomaticDecompression = DecompressionMethods.None,
};
using var http = new HttpClient(handler) { BaseAddress = options.Url, Timeout = options.Timeout };

CustomerClient? customer = null;
Func<CancellationToken, Task<decimal>>? readBalance = null;
string senderId = options.SenderId;
SmppTarget? smppTarget = null;
try
{
    if (options.Mode == "smpp" && options.SystemId is { } systemId)
    {
        smppTarget = new SmppTarget(options.SmppHost, options.SmppPort, systemId, options.Password!);
        if (options.ApiKey is { } givenKey)
        {
            customer = new CustomerClient(http, givenKey);
            readBalance = customer.BalanceAsync;
        }
    }
    else if (options.ApiKey is { } givenKey)
    {
        customer = new CustomerClient(http, givenKey);
        readBalance = customer.BalanceAsync;
    }
    else
    {
        var admin = new AdminClient(http, options.AdminToken!);
        senderId = "BENCH" + Convert.ToHexString(BitConverter.GetBytes(Random.Shared.Next()))[..6];
        var account = await admin.OpenAccountAsync($"load test {DateTimeOffset.UtcNow:O}", 10_000_000m, options.Price, senderId, cancellation.Token);
        customer = new CustomerClient(http, account.ApiKey);
        readBalance = token => admin.BalanceAsync(account.AccountId, token);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Opened account {account.AccountId} with sender ID {senderId}"));
        if (options.Mode == "smpp")
        {
            var username = "lt" + Convert.ToHexString(BitConverter.GetBytes(Random.Shared.NextInt64()))[..12].ToLowerInvariant();
            var password = Convert.ToHexString(BitConverter.GetBytes(Random.Shared.NextInt64()))[..8].ToLowerInvariant();
            await customer.SetSmppCredentialsAsync(username, password, cancellation.Token);
            smppTarget = new SmppTarget(options.SmppHost, options.SmppPort, username, password);
            Console.WriteLine($"Registered SMPP credentials {username}");
        }
    }
}
catch (Exception exception) when (exception is HttpRequestException or InvalidOperationException or JsonException or TaskCanceledException)
{
    await Console.Error.WriteLineAsync($"Set-up failed against {options.Url}: {exception.Message}");
    return 2;
}

var mode = CreateMode(options, customer, senderId, smppTarget);

decimal before = 0m;
try
{
    if (options.Verify && readBalance is not null) before = await readBalance(cancellation.Token);
    await mode.PrepareAsync(cancellation.Token);
}
catch (Exception exception) when (exception is HttpRequestException or InvalidOperationException or JsonException or TaskCanceledException
                                    or System.Net.Sockets.SocketException or TimeoutException)
{
    await Console.Error.WriteLineAsync($"Could not prepare the run: {exception.Message}");
    return 2;
}

Console.WriteLine($"Running {mode.Name} ({mode.Shape}) for {options.Warmup.TotalSeconds:0} s warm-up + {options.Duration.TotalSeconds:0} s measured...");
var cpuBefore = Environment.CpuUsage.TotalTime;
var run = new LoadRun(options.Warmup, options.Duration);
await mode.RunAsync(run, cancellation.Token);
var toolCpu = Environment.CpuUsage.TotalTime - cpuBefore;

LedgerVerifier.Result verification;
if (options.Verify && customer is not null && readBalance is not null)
{
    var after = await readBalance(CancellationToken.None);
    var verifier = new LedgerVerifier(customer, 32);
    verification = await verifier.VerifyAsync(run, before, after, LoadOptions.VerifyAllLimit, options.VerifySample, CancellationToken.None);
}
else
{
    verification = LedgerVerifier.Result.Skipped(run);
}

var queueDepth = await QueueDepthAsync(http);

var report = new LoadReport(mode.Name, mode.Shape, options, run, verification, queueDepth, toolCpu);
var json = report.ToJson();
Console.WriteLine();
Console.Write(report.ToTable());
Console.WriteLine(json);
if (options.SummaryFile is { } path) await File.WriteAllTextAsync(path, json + "\n");

if (options.Smoke && (run.Refused > 0 || run.Accepted.Count == 0))
{
    await Console.Error.WriteLineAsync("Smoke run failed: every send should have been accepted.");
    return 1;
}

return verification.Passed ? 0 : 1;

static ILoadMode CreateMode(LoadOptions options, CustomerClient? customer, string senderId, SmppTarget? smppTarget) => options.Mode switch
{
    "rest" => new RestMode(customer!, new SendWorkload(options.MessageMix, options.Recipients), senderId, options.Concurrency),
    "smpp" => new SmppMode(smppTarget!, new SendWorkload(options.MessageMix, 1), senderId, options.Binds, options.Window, options.Price),
    _ => throw new ArgumentOutOfRangeException(nameof(options), options.Mode, "unknown mode"),
};

static async Task<long> QueueDepthAsync(HttpClient http)
{
    try
    {
        using var document = JsonDocument.Parse(await http.GetByteArrayAsync(new Uri("/v2/sms/health", UriKind.Relative)));
        return document.RootElement.GetProperty("queue_depth").GetInt64();
    }
    catch (Exception exception) when (exception is HttpRequestException or JsonException or KeyNotFoundException or TaskCanceledException)
    {
        return -1;
    }
}
