namespace Taifa.Silo.Tests.Infrastructure;

/// <summary>Waiting for the gateway to reach a state, polled every 100 ms, failing with what was awaited.</summary>
public static class Waits
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public static async Task Eventually(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var limit = within ?? Patience;
        var deadline = DateTime.UtcNow + limit;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {limit}: {what}");
            await Task.Delay(100);
        }
    }

    /// <summary>The first non-null answer of <paramref name="probe"/>.</summary>
    public static async Task<T> Eventually<T>(Func<T?> probe, string what, TimeSpan? within = null)
        where T : class
    {
        T? found = null;
        await Eventually(() => Task.FromResult((found = probe()) is not null), what, within);
        return found!;
    }
}
