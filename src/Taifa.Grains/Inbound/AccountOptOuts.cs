using Taifa.Abstractions.Inbound;

namespace Taifa.Grains.Inbound;

/// <summary>
/// An account's opt-out list in its grain's memory, so that a send checks each recipient without a database round
/// trip: read from the store once per activation (at the first send or change), then changed only through the account,
/// store first. Numbers are held as the 12-digit 254… form's value (8 bytes each rather than a string).
/// </summary>
public sealed class AccountOptOuts(long accountId, IInboundStore store, TimeProvider time)
{
    private HashSet<long>? _numbers;
    private Task<HashSet<long>>? _loading;

    /// <summary>Loads the list if this activation has not yet; false when the store could not be read (the send answers 1005).</summary>
    public async ValueTask<bool> Ready()
    {
        if (_numbers is not null) return true;
        _loading ??= Load();
        try
        {
            _numbers = await _loading;
            return true;
        }
        catch (Exception)
        {
            _loading = null;
            return false;
        }
    }

    /// <summary>Whether the recipient opted out. Only after <see cref="Ready"/> answered true.</summary>
    public bool Contains(string? mobileNumber) => mobileNumber is not null && _numbers is { } numbers && numbers.Contains(Key(mobileNumber));

    public async Task Add(string mobileNumber, OptOutSource source)
    {
        await store.AddOptOut(accountId, mobileNumber, source, time.GetUtcNow());
        if (await Ready()) _numbers!.Add(Key(mobileNumber));
    }

    public async Task<bool> Remove(string mobileNumber)
    {
        var removed = await store.RemoveOptOut(accountId, mobileNumber);
        if (await Ready()) _numbers!.Remove(Key(mobileNumber));
        return removed;
    }

    private async Task<HashSet<long>> Load() => [.. (await store.OptOuts(accountId)).Select(e => Key(e.MobileNumber))];

    private static long Key(string mobileNumber) => long.TryParse(mobileNumber, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : mobileNumber.GetHashCode(StringComparison.Ordinal);
}
