using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using Taifa.Silo.Hosting;

namespace Taifa.Silo.Intake;

/// <summary>
/// Repeats a grain call that failed because the silo holding its activation vanished. Until the cluster declares that
/// silo dead (a few seconds, docs/reliability.md) the grain's directory entry still names it and every call to it fails at
/// once; after that the grain is activated on a survivor and the same call succeeds. Only for calls that are safe to
/// repeat: reads, and writes keyed so that a repeat changes nothing (a bind registered under its session id).
/// A pause between attempts ends early when the cluster's membership changes (a silo declared dead): the signal that
/// the next attempt can succeed, rather than a longer sleep.
/// </summary>
public sealed class VanishedSilos(IClusterMembershipService membership, RefusedSilos refused, TimeProvider time) : BackgroundService
{
    private TaskCompletionSource _membershipChanged = NewSignal();

    /// <summary>How long a bind or a REST lookup waits for the cluster to notice a dead silo: beyond the death
    /// declaration with the membership defaults (about 3 s, docs/configuration.md), well inside a client's timeout.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(8);

    // A grain call this slow may be waiting on a silo that was killed with it pending: time to look for refusing silos.
    private static readonly TimeSpan SlowCall = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(500);

    /// <summary>A call that never reached a live activation: its silo is gone, or the connection to it failed.</summary>
    public static bool IsVanished(Exception exception) =>
        exception is SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException ||
        exception.InnerException is ConnectionFailedException or SiloUnavailableException;

    public Task<T> Call<T>(Func<Task<T>> call) => Call(call, Patience);

    public Task Call(Func<Task> call) => Call(async () =>
    {
        await call();
        return true;
    });

    /// <summary>
    /// Calls, and repeats while the failure is <see cref="IsVanished"/> and <paramref name="patience"/> lasts; then the last
    /// failure is thrown. A call that fails so, or is slow to answer, also has <see cref="RefusedSilos"/> look for a dead silo.
    /// </summary>
    public async Task<T> Call<T>(Func<Task<T>> call, TimeSpan patience)
    {
        var started = time.GetTimestamp();
        var pause = FirstPause;
        while (true)
        {
            try
            {
                var answer = call();
                if (!answer.IsCompleted && await Task.WhenAny(answer, Task.Delay(SlowCall, time)) != answer) refused.Look();
                return await answer;
            }
            catch (Exception exception) when (IsVanished(exception) && time.GetElapsedTime(started) + pause < patience)
            {
                pause = await Pause(pause, FirstPause, LongestPause);
            }
        }
    }

    /// <summary>
    /// Waits <paramref name="pause"/>, or less if the membership changes meanwhile; returns the next pause: doubled up to
    /// <paramref name="longest"/>, or <paramref name="first"/> again after a change (what failed may work now).
    /// </summary>
    public async Task<TimeSpan> Pause(TimeSpan pause, TimeSpan first, TimeSpan longest)
    {
        // Something failed to reach its silo: if that silo is gone, say so now rather than after the probes.
        refused.Look();
        var changed = Volatile.Read(ref _membershipChanged).Task;
        using var cancel = new CancellationTokenSource();
        var slept = Task.Delay(pause, time, cancel.Token);
        if (await Task.WhenAny(slept, changed) == changed)
        {
            await cancel.CancelAsync();
            return first;
        }

        return TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, longest.Ticks));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var _ in membership.MembershipUpdates.WithCancellation(stoppingToken))
        {
            Interlocked.Exchange(ref _membershipChanged, NewSignal()).TrySetResult();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
