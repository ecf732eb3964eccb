namespace Taifa.Grains.Persistence;

internal static class PersistentStateWrites
{
    /// <summary>
    /// Writes the state; when the write fails, puts the in-memory state back to what storage holds (or, when storage
    /// cannot even be read, has the activation discarded), so a retried call never finds a change that was never saved
    /// and skips it as already done. Rethrows, so the caller knows nothing was saved.
    /// </summary>
    public static Task WriteOrRevertAsync<T>(this IPersistentState<T> state, Action discardActivation) =>
        ChangeOrRevertAsync(state, state.WriteStateAsync, discardActivation);

    /// <summary>As <see cref="WriteOrRevertAsync{T}(IPersistentState{T}, Action)"/>, with a write elsewhere that must land
    /// first (null: none); when it fails, the state is put back the same way and nothing is written.</summary>
    public static Task WriteOrRevertAsync<T>(this IPersistentState<T> state, Action discardActivation, Func<Task>? first) =>
        first is null
            ? state.WriteOrRevertAsync(discardActivation)
            : ChangeOrRevertAsync(state, async () =>
            {
                await first();
                await state.WriteStateAsync();
            }, discardActivation);

    /// <summary>Clears the state, with the same revert on failure as <see cref="WriteOrRevertAsync{T}"/>.</summary>
    public static Task ClearOrRevertAsync<T>(this IPersistentState<T> state, Action discardActivation) =>
        ChangeOrRevertAsync(state, state.ClearStateAsync, discardActivation);

    private static async Task ChangeOrRevertAsync<T>(IPersistentState<T> state, Func<Task> change, Action discardActivation)
    {
        try
        {
            await change();
        }
        catch
        {
            try
            {
                await state.ReadStateAsync();
            }
            catch
            {
                discardActivation();
            }

            throw;
        }
    }

    /// <summary>
    /// Writes state that is rewritten whole from what is live. The failed write may still have landed, which would make
    /// every later write a version conflict: read the stored version back, keep the live content, and rethrow, so the
    /// next write simply tries again.
    /// </summary>
    public static async Task WriteLiveAsync<T>(this IPersistentState<T> state)
    {
        var live = state.State;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            try
            {
                await state.ReadStateAsync();
            }
            catch
            {
                // Still unreachable: the next write tries again.
            }

            state.State = live;
            throw;
        }
    }
}
