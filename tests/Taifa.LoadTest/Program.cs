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

string apiKey;
string senderId;
Func<CancellationToken, Task<decimal>> readBalance;
CustomerClient customer;
try
{
    if (options.ApiKey is { } givenKey)
    {
        apiKey = givenKey;
        senderId = options.SenderId;
        customer = new CustomerClient(http, apiKey);
        readBalance = customer.BalanceAsync;
    }
    else
    {
        var admin = new AdminClient(http, options.AdminToken!);
        senderId = "BENCH" + Convert.ToHexString(BitConverter.GetBytes(Random.Shared.Next()))[..6];
        var account = await admin.OpenAccountAsync($"load test {DateTimeOffset.UtcNow:O}", 10_000_000m, 1.00m, senderId, cancellation.Token);
        apiKey = account.ApiKey;
        customer = new CustomerClient(http, apiKey);
        readBalance = token => admin.BalanceAsync(account.AccountId, token);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Opened account {account.AccountId} with sender ID {senderId}"));
    }
}
catch (Exception exception) when (exception is HttpRequestException or InvalidOperationException or JsonException or TaskCanceledException)
{
    await Console.Error.WriteLineAsync($"Set-up failed against {options.Url}: {exception.Message}");
    return 2;
}

var mode = CreateMode(options, customer, senderId);

decimal before;
try
{
    before = await readBalance(cancellation.Token);
}
catch (Exception exception) when (exception is HttpRequestException or InvalidOperationException or JsonException or TaskCanceledException)
{
    await Console.Error.WriteLineAsync($"Could not read the balance before the run: {exception.Message}");
    return 2;
}

Console.WriteLine($"Running {mode.Name} ({mode.Shape}) for {options.Warmup.TotalSeconds:0} s warm-up + {options.Duration.TotalSeconds:0} s measured...");
var run = new LoadRun(options.Warmup, options.Duration);
await mode.RunAsync(run, cancellation.Token);

var after = await readBalance(CancellationToken.None);
var verifier = new LedgerVerifier(customer, Math.Min(options.Concurrency, 32));
var verification = await verifier.VerifyAsync(run, before, after, LoadOptions.VerifyAllLimit, options.VerifySample, CancellationToken.None);
var queueDepth = await QueueDepthAsync(http);

var report = new LoadReport(mode.Name, mode.Shape, options, run, verification, queueDepth);
var json = report.ToJson();
Console.WriteLine();
Console.Write(report.ToTable());
Console.WriteLine(json);
if (options.SummaryFile is { } path) await File.WriteAllTextAsync(path, json + "\n");

if (options.Smoke && run.StatusCounts.Keys.Any(code => code != StatusCodes.Success))
{
    await Console.Error.WriteLineAsync("Smoke run failed: every send should have been accepted.");
    return 1;
}

return verification.Passed ? 0 : 1;

// The SMPP mode (binds, window per bind) joins here.
static ILoadMode CreateMode(LoadOptions options, CustomerClient customer, string senderId) => options.Mode switch
{
    "rest" => new RestMode(customer, new SendWorkload(options.MessageMix, options.Recipients), senderId, options.Concurrency),
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
