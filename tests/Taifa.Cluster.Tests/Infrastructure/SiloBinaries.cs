using System.Reflection;

namespace Taifa.Cluster.Tests.Infrastructure;

/// <summary>
/// The silo's build output, copied once per test run into a private directory: others may rebuild
/// <c>src/Taifa.Silo</c> while the tests run, and a process must not load half of an old build and half of a new one.
/// </summary>
public static class SiloBinaries
{
    private static readonly Lazy<string> Copied = new(Copy, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Root of everything this test run writes: the silo copy and one log file per silo process.</summary>
    public static string RunDirectory { get; } =
        Path.Combine(Path.GetTempPath(), "taifa-cluster-tests", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}");

    /// <summary>Full path of the copied <c>Taifa.Silo.dll</c>.</summary>
    public static string SiloDll => Copied.Value;

    private static string Copy()
    {
        var source = typeof(SiloBinaries).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "SiloOutput").Value!;
        if (!File.Exists(Path.Combine(source, "Taifa.Silo.dll")))
        {
            throw new InvalidOperationException($"no silo build in {source}: build the solution (or src/Taifa.Silo) in the same configuration first");
        }

        var target = Path.Combine(RunDirectory, "silo");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination, overwrite: true);
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(target, recursive: true);
            }
            catch (IOException)
            {
                // A silo still being reaped holds nothing we need; the temp directory is cleaned eventually.
            }
        };
        return Path.Combine(target, "Taifa.Silo.dll");
    }
}
