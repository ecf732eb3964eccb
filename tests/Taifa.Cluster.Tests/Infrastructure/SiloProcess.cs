using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace Taifa.Cluster.Tests.Infrastructure;

/// <summary>
/// One <c>dotnet Taifa.Silo.dll</c> child process on loopback ports of its own, with its output captured (in
/// memory for failure messages, and in a log file under <see cref="SiloBinaries.RunDirectory"/>). Disposing kills
/// whatever is still running.
/// </summary>
public sealed partial class SiloProcess : IAsyncDisposable
{
    private const int SigKill = 9;
    private const int SigTerm = 15;
    private const int OutputTailLines = 80;

    private readonly Process _process;
    private readonly Queue<string> _tail = new();
    private readonly StreamWriter _log;
    private readonly Stopwatch _sinceSignal = new();
    private int _linesWritten;

    private SiloProcess(string name, Process process, int httpPort, int smppPort, string logPath, StreamWriter log)
    {
        Name = name;
        _process = process;
        HttpPort = httpPort;
        SmppPort = smppPort;
        LogPath = logPath;
        _log = log;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public string Name { get; }

    public int HttpPort { get; }

    public int SmppPort { get; }

    public string LogPath { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>A client for this silo's HTTP port; answers may take up to a minute (a silo waiting on a dead one).</summary>
    public HttpClient Http { get; }

    /// <summary>Starts the process; it is not ready yet (see <see cref="WaitReadyAsync"/>).</summary>
    public static SiloProcess Start(string name, string logDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var httpPort = FreePorts.Next();
        var smppPort = FreePorts.Next();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(SiloBinaries.SiloDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(SiloBinaries.SiloDll);
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}";
        start.Environment["Taifa__Smpp__Port"] = smppPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Orleans__Endpoints__SiloPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Orleans__Endpoints__GatewayPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Orleans__Endpoints__AdvertisedIPAddress"] = "127.0.0.1";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment) start.Environment[key] = value;

        Directory.CreateDirectory(logDirectory);
        var logPath = Path.Combine(logDirectory, $"{name}.log");
        var log = new StreamWriter(logPath, append: true, Encoding.UTF8) { AutoFlush = true };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var silo = new SiloProcess(name, process, httpPort, smppPort, logPath, log);
        process.OutputDataReceived += (_, line) => silo.Capture(line.Data);
        process.ErrorDataReceived += (_, line) => silo.Capture(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>Waits for <c>GET /ready</c> to answer 200; fails with what it saw and the process's output otherwise.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        var last = "no answer yet";
        using var probe = new HttpClient { BaseAddress = Http.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        while (waited.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"silo {Name} exited with code {_process.ExitCode} before GET /ready answered 200\n{OutputTail()}");
            }

            try
            {
                using var answer = await probe.GetAsync(new Uri("/ready", UriKind.Relative));
                if (answer.StatusCode == HttpStatusCode.OK) return;
                last = $"{(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException exception)
            {
                last = exception.Message;
            }
            catch (TaskCanceledException)
            {
                last = "a /ready request timed out after 5 s";
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"silo {Name} (pid {ProcessId}) did not answer 200 on {Http.BaseAddress}ready within {timeout}; last answer: {last}\n{OutputTail()}");
    }

    /// <summary>Sends SIGTERM (a graceful drain) and starts the clock <see cref="WaitForExitAsync"/> reads.</summary>
    public void Terminate() => Signal(SigTerm);

    /// <summary>Sends SIGKILL: the process dies at once, without leaving the cluster.</summary>
    public void Kill() => Signal(SigKill);

    /// <summary>Waits for the process to exit; returns the time since the last signal, or fails with the output.</summary>
    public async Task<TimeSpan> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"silo {Name} (pid {ProcessId}) was still running {_sinceSignal.Elapsed} after its last signal (allowed {timeout})\n{OutputTail()}");
        }

        return _sinceSignal.Elapsed;
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>The last lines the process wrote, for failure messages.</summary>
    public string OutputTail()
    {
        lock (_tail)
        {
            return $"--- last {_tail.Count} lines of silo {Name} (full log: {LogPath}) ---\n{string.Join('\n', _tail)}";
        }
    }

    /// <summary>How many lines the process has written so far: a mark for <see cref="OutputLinesFrom"/>.</summary>
    public int LinesWritten
    {
        get
        {
            lock (_tail) return _linesWritten;
        }
    }

    /// <summary>Every captured line from the <paramref name="mark"/>th on (see <see cref="LinesWritten"/>).</summary>
    public IReadOnlyList<string> OutputLinesFrom(int mark)
    {
        lock (_tail) return [.. File.ReadLines(LogPath).Skip(mark)];
    }

    /// <summary>Every captured line containing <paramref name="text"/>.</summary>
    public IReadOnlyList<string> OutputLinesContaining(string text)
    {
        return [.. File.ReadLines(LogPath).Where(line => line.Contains(text, StringComparison.Ordinal))];
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signal(SigKill);
            await _process.WaitForExitAsync();
        }

        _process.WaitForExit(); // flushes the asynchronous output readers
        Http.Dispose();
        _process.Dispose();
        lock (_tail)
        {
            _log.Dispose();
        }
    }

    private void Capture(string? line)
    {
        if (line is null) return;
        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > OutputTailLines) _tail.Dequeue();
            _log.WriteLine(line);
            _linesWritten++;
        }
    }

    private void Signal(int signal)
    {
        _sinceSignal.Restart();
        if (_process.HasExited) return;
        if (SendSignal(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
