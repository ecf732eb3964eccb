using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace Taifa.Silo.Intake;

/// <summary>
/// Repeats a grain call that failed because the silo holding its activation vanished. Until the cluster declares that
/// silo dead (a few seconds, docs/reliability.md) the grain's directory entry still names it and every call to it fails at
/// once; after that the grain is activated on a survivor and the same call succeeds. Only for calls that are safe to
/// repeat: reads, and writes keyed so that a repeat changes nothing (a bind registered under its session id).
/// </summary>
public sealed class VanishedSilos(TimeProvider time)
{
    /// <summary>How long a bind or a REST lookup waits for the cluster to notice a dead silo: beyond the death
    /// declaration with the membership defaults (about 3 s, docs/configuration.md), well inside a client's timeout.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(8);

    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(500);

    /// <summary>A call that never reached a live activation: its silo is gone, or the connection to it failed.</summary>
    public static bool IsVanished(Exception exception) =>
        exception is SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException ||
        exception.InnerException is ConnectionFailedException or SiloUnavailableException;

    public Task<T> Call<T>(Func<Task<T>> call) => Call(call, Patience);

    /// <summary>Calls, and repeats while the failure is <see cref="IsVanished"/> and <paramref name="patience"/> lasts; then the last failure is thrown.</summary>
    public async Task<T> Call<T>(Func<Task<T>> call, TimeSpan patience)
    {
        var started = time.GetTimestamp();
        var pause = FirstPause;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception exception) when (IsVanished(exception) && time.GetElapsedTime(started) + pause < patience)
            {
                await Task.Delay(pause, time);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
            }
        }
    }

    public Task Call(Func<Task> call) => Call(async () =>
    {
        await call();
        return true;
    });
}
