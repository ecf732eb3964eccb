using System.Globalization;
using System.Numerics;
using Microsoft.Extensions.Options;
using Taifa.Abstractions.Dispatch;

namespace Taifa.Grains.Dispatch;

/// <summary>Routing by network id, and the canonical form in which an operator's ids are matched.</summary>
public sealed class OperatorRoutes(IOptions<DispatchOptions> options)
{
    private readonly DispatchOptions _options = options.Value;

    public IEnumerable<string> Operators => _options.Operators.Keys;

    public OperatorOptions this[string operatorName] => _options.Operators[operatorName];

    /// <summary>The stream key for a message, or null when no operator serves its network.</summary>
    public string? StreamKeyFor(int networkId, long messageId)
    {
        var name = _options.Operators.FirstOrDefault(o => o.Value.NetworkIds.Contains(networkId)).Key ?? _options.DefaultRoute;
        if (name is null || !_options.Operators.TryGetValue(name, out var route)) return null;
        var shard = (int)((ulong)messageId % (ulong)Math.Max(1, route.Binds));
        return DispatchStreams.Key(name, shard);
    }

    public IEnumerable<string> AllStreamKeys() =>
        _options.Operators.SelectMany(o => Enumerable.Range(0, Math.Max(1, o.Value.Binds)).Select(shard => DispatchStreams.Key(o.Key, shard)));

    /// <summary>
    /// One form for both sides of the match: operators are known to answer submit_sm in hex and receipt in decimal,
    /// or to change case or drop leading zeros, which <see cref="OperatorIdFormat.Decimal"/> and
    /// <see cref="OperatorIdFormat.Hex"/> read past. <see cref="OperatorIdFormat.Text"/> is opaque and kept exactly
    /// (only surrounding blanks go): "ab1" and "AB1", or "0ab1" and "ab1", may be two messages.
    /// </summary>
    public static string Canonical(string operatorMessageId, OperatorIdFormat format)
    {
        var id = operatorMessageId.Trim();
        var number = format switch
        {
            OperatorIdFormat.Decimal when BigInteger.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value) => value,
            OperatorIdFormat.Hex when BigInteger.TryParse("0" + id, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value) => value,
            _ => (BigInteger?)null,
        };
        return number is { } parsed ? "n" + parsed.ToString(CultureInfo.InvariantCulture) : "t" + id;
    }
}
