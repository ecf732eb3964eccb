namespace Taifa.Grains.Persistence;

internal static class PersistentStateWrites
{
    /// <summary>
    /// Writes the state; when the write fails, puts the in-memory state back to what storage holds (or, when storage
    /// cannot even be read, has the activation discarded), so a retried call never finds a change that was never saved
    /// and skips it as already done. Rethrows, so the caller knows nothing was saved.
    /// </summary>
    public static async Task WriteOrRevertAsync<T>(this IPersistentState<T> state, Action discardActivation)
    {
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
                discardActivation();
            }

            throw;
        }
    }
}
