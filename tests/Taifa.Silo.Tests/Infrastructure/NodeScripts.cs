using System.Diagnostics;

namespace Taifa.Silo.Tests.Infrastructure;

/// <summary>
/// The third-party peers the tests drive as child processes (node-smpp and Net::SMPP under tests/interop, puppeteer-core
/// under tests/portal; infra/local/interop-deps.sh installs them): where their scripts are, and running one to its end.
/// </summary>
internal static class NodeScripts
{
    /// <summary>tests/<paramref name="folder"/> of this checkout; fails the test, naming the installer, when <paramref name="installed"/> says a dependency is missing.</summary>
    public static string Directory(string folder, Func<string, bool> installed, string missing)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (!File.Exists(Path.Combine(directory.FullName, "Taifa.Orleans.sln"))) continue;
            var candidate = Path.Combine(directory.FullName, "tests", folder);
            Assert.True(installed(candidate), missing + ": run infra/local/interop-deps.sh");
            return candidate;
        }

        throw new InvalidOperationException($"tests/{folder} not found above " + AppContext.BaseDirectory);
    }

    /// <summary>tests/interop, with node-smpp installed.</summary>
    public static string Interop() =>
        Directory("interop", folder => System.IO.Directory.Exists(Path.Combine(folder, "node_modules", "smpp")), "node-smpp is not installed");

    /// <summary>
    /// node-smpp's SMSC (tests/interop/smsc-server.js), which prints "LISTENING port" and takes commands on its standard
    /// input; stop it with <see cref="Stop"/>.
    /// </summary>
    public static Process StartSmsc() =>
        Process.Start(new ProcessStartInfo("node", ["smsc-server.js", "--lifetime-ms", "60000"])
        {
            WorkingDirectory = Interop(),
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;

    /// <summary>Closes a started script's input (its signal to end) and kills it if it has not ended within 2 s.</summary>
    public static void Stop(Process process)
    {
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromSeconds(2))) process.Kill(entireProcessTree: true);
    }

    /// <summary>
    /// Runs a script to its end within <paramref name="timeout"/> and returns its standard output and error; fails the
    /// test, with that output, when it times out or exits with another code than 0.
    /// </summary>
    public static async Task<string> RunAsync(ProcessStartInfo start, TimeSpan timeout, string what)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }

        var output = await stdout + await stderr;
        Assert.True(process.HasExited && process.ExitCode == 0,
            $"{what} {(process.HasExited ? $"exited {process.ExitCode}" : "timed out")}; its output:\n{output}");
        return output;
    }
}
