using Orleans.Storage;

namespace Taifa.Grains.Tests;

/// <summary>Grain storage that refuses the writes and clears of chosen grains on demand, as a database that is down
/// for them would; reads keep working, so a grain can see what storage really holds.</summary>
public sealed class FailingStorage(IGrainStorage inner) : IGrainStorage
{
    private volatile Func<GrainId, bool>? _refuse;

    /// <summary>Refuses changes to <paramref name="grain"/> until the result is disposed.</summary>
    public IDisposable RefuseChangesTo(IAddressable grain)
    {
        var id = grain.GetGrainId();
        _refuse = candidate => candidate == id;
        return new Healing(this);
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Refuses(grainId) ? Task.FromException(Refusal(grainId)) : inner.WriteStateAsync(stateName, grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Refuses(grainId) ? Task.FromException(Refusal(grainId)) : inner.ClearStateAsync(stateName, grainId, grainState);

    private bool Refuses(GrainId grainId) => _refuse?.Invoke(grainId) == true;

    private static InvalidOperationException Refusal(GrainId grainId) => new($"test storage refused the change to {grainId}");

    private sealed class Healing(FailingStorage storage) : IDisposable
    {
        public void Dispose() => storage._refuse = null;
    }
}
