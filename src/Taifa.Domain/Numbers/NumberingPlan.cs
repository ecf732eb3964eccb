using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace Taifa.Domain.Numbers;

/// <summary>Maps a normalised mobile number to its operator: ported numbers first, then the longest allocated prefix.</summary>
public sealed class NumberingPlan
{
    private readonly Regex mobileRange;
    private readonly FrozenDictionary<string, MobileNetwork> carrierPrefixes;
    private readonly FrozenDictionary<string, MobileNetwork>.AlternateLookup<ReadOnlySpan<char>> carrierPrefixLookup;
    private readonly int longestPrefix;
    private readonly int shortestPrefix;
    private readonly FrozenDictionary<int, MobileNetwork> networksById;
    private readonly IReadOnlyDictionary<string, MobileNetwork> portedNumbers;

    private NumberingPlan(
        IReadOnlyList<MobileNetwork> networks,
        Regex mobileRange,
        FrozenDictionary<string, MobileNetwork> carrierPrefixes,
        IReadOnlyDictionary<string, MobileNetwork> portedNumbers)
    {
        Networks = networks;
        networksById = networks.ToFrozenDictionary(n => n.Id);
        this.mobileRange = mobileRange;
        this.carrierPrefixes = carrierPrefixes;
        carrierPrefixLookup = carrierPrefixes.GetAlternateLookup<ReadOnlySpan<char>>();
        longestPrefix = carrierPrefixes.Keys.Max(p => p.Length);
        shortestPrefix = carrierPrefixes.Keys.Min(p => p.Length);
        this.portedNumbers = portedNumbers;
    }

    /// <summary>Kenya's allocations as published in libphonenumber's carrier data for +254.</summary>
    public static NumberingPlan Kenya { get; } = new(
        Array.AsReadOnly(KenyaAllocations.Networks),
        KenyaAllocations.MobileRange(),
        KenyaAllocations.CarrierPrefixes.ToFrozenDictionary(e => e.Prefix, e => e.Network),
        FrozenDictionary<string, MobileNetwork>.Empty);

    /// <summary>Every operator, ordered by id.</summary>
    public IReadOnlyList<MobileNetwork> Networks { get; }

    /// <summary>
    /// A plan whose ported numbers are exactly <paramref name="portedNumberToNetworkId"/> (replacing any this plan had);
    /// a ported number's network wins over its prefix.
    /// </summary>
    /// <exception cref="ArgumentException">A key is not a normalised mobile number, or a network id is unknown.</exception>
    public NumberingPlan WithPortedNumbers(IReadOnlyDictionary<string, int> portedNumberToNetworkId)
    {
        var ported = new Dictionary<string, MobileNetwork>(portedNumberToNetworkId.Count, StringComparer.Ordinal);
        foreach (var (number, networkId) in portedNumberToNetworkId)
        {
            if (!MobileNumber.TryNormalize(number, out var normalized) || normalized != number)
            {
                throw new ArgumentException($"Ported number '{number}' is not in normalised 254xxxxxxxxx form.", nameof(portedNumberToNetworkId));
            }

            if (!networksById.TryGetValue(networkId, out var network))
            {
                throw new ArgumentException($"Ported number '{number}' names unknown network {networkId}.", nameof(portedNumberToNetworkId));
            }

            ported.Add(number, network);
        }

        return new NumberingPlan(Networks, mobileRange, carrierPrefixes, ported);
    }

    /// <returns>The operator, or null when the number lies outside every allocated mobile range.</returns>
    public MobileNetwork? Lookup(string normalizedNumber)
    {
        ArgumentNullException.ThrowIfNull(normalizedNumber);
        if (portedNumbers.TryGetValue(normalizedNumber, out var ported))
        {
            return ported;
        }

        if (!mobileRange.IsMatch(normalizedNumber))
        {
            return null;
        }

        var number = normalizedNumber.AsSpan();
        for (var length = Math.Min(longestPrefix, number.Length); length >= shortestPrefix; length--)
        {
            if (carrierPrefixLookup.TryGetValue(number[..length], out var network))
            {
                return network;
            }
        }

        return null;
    }
}
