using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics;
using Microsoft.Extensions.Options;
using Taifa.Abstractions.Dispatch;

namespace Taifa.Grains.Dispatch;

/// <summary>Routing by network id, and the canonical form in which an operator's ids are matched.</summary>
public sealed class OperatorRoutes(IOptions<DispatchOptions> options)
{
    private readonly DispatchOptions _options = options.Value;
    private readonly ConcurrentDictionary<int, IReadOnlyList<string>> _routes = new();

    public IEnumerable<string> Operators => _options.Operators.Keys;

    public OperatorOptions this[string operatorName] => _options.Operators[operatorName];

    public FailoverOptions Failover => _options.Failover;

    /// <summary>
    /// The operators that may carry a network's messages, preferred first: <c>Taifa:Routes:&lt;network&gt;</c> when set,
    /// else the operators listing the network by <see cref="OperatorOptions.Priority"/>, else the default route.
    /// </summary>
    public IReadOnlyList<string> RoutesFor(int networkId) => _routes.GetOrAdd(networkId, network =>
    {
        if (_options.Routes.TryGetValue(network.ToString(CultureInfo.InvariantCulture), out var listed) && listed.Length > 0)
        {
            return [.. listed.Select(name => _options.Operators.Keys.First(k => k.Equals(name.Trim(), StringComparison.OrdinalIgnoreCase)))];
        }

        List<string> serving = [.. _options.Operators.Where(o => o.Value.NetworkIds.Contains(network)).OrderBy(o => o.Value.Priority).Select(o => o.Key)];
        if (serving.Count == 0 && _options.DefaultRoute is { } fallback && _options.Operators.ContainsKey(fallback)) serving.Add(fallback);
        return serving;
    });

    /// <summary>The networks named in routes or by operators (any other goes to the default route alone).</summary>
    public IEnumerable<int> Networks =>
        _options.Routes.Keys.Select(key => int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1).Where(id => id >= 0)
            .Concat(_options.Operators.Values.SelectMany(o => o.NetworkIds))
            .Distinct();

    /// <summary>The stream key (the preferred route's shard) for a message, or null when no operator serves its network.</summary>
    public string? StreamKeyFor(int networkId, long messageId) =>
        RoutesFor(networkId) is [var preferred, ..] ? ShardKey(preferred, messageId) : null;

    /// <summary>The shard of <paramref name="operatorName"/> that carries a message.</summary>
    public string ShardKey(string operatorName, long messageId)
    {
        var shard = (int)((ulong)messageId % (ulong)Math.Max(1, _options.Operators[operatorName].Binds));
        return DispatchStreams.Key(operatorName, shard);
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
