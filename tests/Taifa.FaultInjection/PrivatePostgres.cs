using System.Diagnostics;
using System.Globalization;
using Taifa.Cluster.Tests.Infrastructure;

namespace Taifa.FaultInjection;

/// <summary>
/// A throwaway PostgreSQL 15 server of our own (initdb in a temporary directory, loopback only, its own port), so
/// restarting it disturbs nobody else's tests on the machine's shared server. Stopped the way
/// <c>pg_ctlcluster 15 main restart</c> stops a server (fast shutdown: open connections are cut, then a clean
/// checkpoint). Run as root, the server runs as the <c>postgres</c> user, which initdb insists on.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private readonly string _directory;
    private readonly string _bin;

    private PrivatePostgres(string directory, string bin, int port)
    {
        _directory = directory;
        _bin = bin;
        Port = port;
    }

    public int Port { get; }

    /// <summary>For <c>TAIFA_TEST_PG</c>: the cluster tests' databases are created here.</summary>
    public string AdminConnectionString =>
        $"Host=127.0.0.1;Port={Port};Username=taifa;Password=taifa;Database=postgres;Timeout=5";

    private string DataDirectory => Path.Combine(_directory, "data");

    public static async Task<PrivatePostgres> StartAsync()
    {
        var bin = Environment.GetEnvironmentVariable("TAIFA_PG_BIN") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : "/usr/lib/postgresql/15/bin";
        if (!File.Exists(Path.Combine(bin, "initdb")))
        {
            throw new InvalidOperationException($"no initdb in {bin}: install postgresql-15 (infra/local/postgres-up.sh does) or set TAIFA_PG_BIN");
        }

        var directory = Path.Combine(Path.GetTempPath(), $"taifa-faults-pg-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(directory);
        if (IsRoot) await RunAsync("chown", ["postgres:postgres", directory]);
        var server = new PrivatePostgres(directory, bin, FreePorts.Next());
        await server.RunPostgresToolAsync("initdb", ["-D", server.DataDirectory, "-U", "taifa", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        await server.StartServerAsync();
        // A run that times out or is interrupted exits without disposing: the server must not outlive it.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.StopImmediately();
        return server;
    }

    /// <summary>Fast shutdown: every connection is cut at once, as in a restart of the real server.</summary>
    public Task StopAsync() => RunPostgresToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-s", "-w", "stop"]);

    public Task StartServerAsync()
    {
        var options = string.Create(CultureInfo.InvariantCulture,
            $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c max_connections=200");
        return RunPostgresToolAsync("pg_ctl", ["-D", DataDirectory, "-l", Path.Combine(_directory, "server.log"), "-o", options, "-s", "-w", "start"]);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunPostgresToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-s", "-w", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // Already stopped (a failed phase may leave it down): the directory goes all the same.
        }

        Directory.Delete(_directory, recursive: true);
    }

    private void StopImmediately()
    {
        if (!File.Exists(Path.Combine(DataDirectory, "postmaster.pid"))) return;
        var path = Path.Combine(_bin, "pg_ctl");
        var start = IsRoot ? new ProcessStartInfo("runuser") : new ProcessStartInfo(path);
        if (IsRoot)
        {
            foreach (var argument in new[] { "-u", "postgres", "--", path }) start.ArgumentList.Add(argument);
        }

        foreach (var argument in new[] { "-D", DataDirectory, "-m", "immediate", "-s", "stop" }) start.ArgumentList.Add(argument);
        using var process = Process.Start(start);
        process?.WaitForExit(TimeSpan.FromSeconds(10));
    }

    private static bool IsRoot => Environment.UserName == "root";

    private Task RunPostgresToolAsync(string tool, IReadOnlyList<string> arguments)
    {
        var path = Path.Combine(_bin, tool);
        return IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", path, .. arguments]) : RunAsync(path, arguments);
    }

    /// <summary>Runs a command without capturing its output (a server it starts must not hold our pipes open).</summary>
    private static async Task RunAsync(string file, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} did not finish within {CommandTimeout}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}");
        }
    }
}
