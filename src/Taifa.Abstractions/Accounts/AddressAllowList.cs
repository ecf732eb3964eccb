using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Taifa.Abstractions.Accounts;

/// <summary>
/// An account's optional IP allow-list: CIDR blocks, IPv4 or IPv6 (a bare address is a block of one).
/// Empty allows every address; otherwise a caller whose address is unknown or outside every block is refused.
/// </summary>
public sealed class AddressAllowList
{
    public const int MaxEntries = 100;

    public static readonly AddressAllowList Everyone = new([]);

    private readonly IPNetwork[] _networks;

    private AddressAllowList(IPNetwork[] networks) => _networks = networks;

    public bool IsRestricted => _networks.Length > 0;

    /// <summary>The blocks in canonical CIDR form ("203.0.113.0/24", "2001:db8::/32").</summary>
    public IReadOnlyList<string> Entries => [.. _networks.Select(n => n.ToString())];

    public bool Allows(IPAddress? address)
    {
        if (_networks.Length == 0) return true;
        if (address is null) return false;
        address = Normalize(address);
        foreach (var network in _networks)
        {
            if (network.Contains(address)) return true;
        }

        return false;
    }

    /// <summary>Dual-stack sockets report IPv4 clients as ::ffff:a.b.c.d; compare them as the IPv4 address they are.</summary>
    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>Validates entries as typed by an operator; the error names the first bad one.</summary>
    public static bool TryParse(IEnumerable<string> entries, out AddressAllowList list, out string? error)
    {
        list = Everyone;
        var networks = new List<IPNetwork>();
        foreach (var entry in entries)
        {
            if (!TryParseEntry(entry, out var network, out error)) return false;
            if (!networks.Contains(network)) networks.Add(network);
            if (networks.Count > MaxEntries)
            {
                error = $"At most {MaxEntries} entries.";
                return false;
            }
        }

        error = null;
        list = new AddressAllowList([.. networks]);
        return true;
    }

    /// <summary>Entries already validated by <see cref="TryParse"/> and stored in canonical form.</summary>
    public static AddressAllowList FromStored(IEnumerable<string> entries) =>
        TryParse(entries, out var list, out var error) ? list : throw new InvalidDataException(error);

    private static bool TryParseEntry(string entry, out IPNetwork network, out string? error)
    {
        network = default;
        var text = entry.Trim();
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];

        // IPAddress.TryParse also takes "10", "10.1" and scope ids; an allow-list entry must say exactly what it means.
        if (!IPAddress.TryParse(addressText, out var address) || addressText.Contains('%', StringComparison.Ordinal) ||
            (address.AddressFamily == AddressFamily.InterNetwork && addressText.Count(c => c == '.') != 3) ||
            address.IsIPv4MappedToIPv6)
        {
            error = $"\"{entry}\" is not an IPv4 or IPv6 address or CIDR block.";
            return false;
        }

        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = bits;
        if (slash >= 0 && !(int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out prefix) && prefix <= bits))
        {
            error = $"\"{entry}\": the prefix length must be 0 to {bits}.";
            return false;
        }

        var bytes = address.GetAddressBytes();
        for (var bit = prefix; bit < bits; bit++) bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        var masked = new IPAddress(bytes);
        if (!masked.Equals(address))
        {
            error = $"\"{entry}\" has address bits set past its prefix; the block is {masked}/{prefix}.";
            return false;
        }

        network = new IPNetwork(masked, prefix);
        error = null;
        return true;
    }
}
