using Orleans.Storage;

namespace Taifa.Grains.Tests;

/// <summary>Grain storage that fails the writes and clears of one chosen grain on demand, as a database that is down
/// for it would (nothing saved) or one whose answer is lost after the commit (saved, yet the caller sees an error).
/// Reads keep working, so a grain can see what storage really holds.</summary>
public sealed class FailingStorage(IGrainStorage inner) : IGrainStorage
{
    private volatile Failure? _failure;

    /// <summary>Changes to <paramref name="grain"/> fail, unsaved, until the result is disposed.</summary>
    public IDisposable RefuseChangesTo(IAddressable grain) => Fail(grain, saved: false);

    /// <summary>Changes to <paramref name="grain"/> are saved but answer an error, until the result is disposed.</summary>
    public IDisposable LoseAnswersTo(IAddressable grain) => Fail(grain, saved: true);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Change(grainId, () => inner.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Change(grainId, () => inner.ClearStateAsync(stateName, grainId, grainState));

    private Healing Fail(IAddressable grain, bool saved)
    {
        _failure = new Failure(grain.GetGrainId(), saved);
        return new Healing(this);
    }

    private async Task Change(GrainId grainId, Func<Task> change)
    {
        var failure = _failure;
        if (failure is null || failure.Grain != grainId)
        {
            await change();
            return;
        }

        if (failure.Saved) await change();
        throw new InvalidOperationException($"test storage failed the change to {grainId} (saved: {failure.Saved})");
    }

    private sealed record Failure(GrainId Grain, bool Saved);

    private sealed class Healing(FailingStorage storage) : IDisposable
    {
        public void Dispose() => storage._failure = null;
    }
}
