using System.Net;
using System.Net.Sockets;

namespace Taifa.Silo.Intake;

/// <summary>
/// Which URLs a customer may have the gateway call (dlr_url, and any customer-given URL after it): absolute http(s)
/// to a public host. Loopback, link-local, private (RFC 1918, CGNAT, unique-local), documentation, multicast and other
/// special-purpose addresses are refused, in every spelling (IPv4-mapped, NAT64 and 6to4 forms included), unless
/// <c>Taifa:Api:AllowPrivateCallbackTargets</c> is set (tests, a local demo). Checked twice: at intake on the URL's
/// own text, and at connect time on what its host resolves to then (<see cref="CreateHandler"/>), so a name that
/// resolves to a private address, or is rebound to one after intake, is refused too.
/// </summary>
public sealed class CallbackUrlPolicy(bool allowPrivateTargets)
{
    private static readonly IPNetwork[] Forbidden =
    [
        // IPv4 special-purpose registry (RFC 6890 and successors).
        IPNetwork.Parse("0.0.0.0/8"),
        IPNetwork.Parse("10.0.0.0/8"),
        IPNetwork.Parse("100.64.0.0/10"),
        IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"),
        IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.0.0.0/24"),
        IPNetwork.Parse("192.0.2.0/24"),
        IPNetwork.Parse("192.88.99.0/24"),
        IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("198.18.0.0/15"),
        IPNetwork.Parse("198.51.100.0/24"),
        IPNetwork.Parse("203.0.113.0/24"),
        IPNetwork.Parse("224.0.0.0/4"),
        IPNetwork.Parse("240.0.0.0/4"),

        // IPv6: unspecified, loopback and the deprecated IPv4-compatible form (all inside ::/96), discard, IETF
        // protocol assignments (Teredo among them), documentation, local-use NAT64, unique-local, link-local,
        // site-local, multicast.
        IPNetwork.Parse("::/96"),
        IPNetwork.Parse("64:ff9b:1::/48"),
        IPNetwork.Parse("100::/64"),
        IPNetwork.Parse("2001::/23"),
        IPNetwork.Parse("2001:db8::/32"),
        IPNetwork.Parse("3fff::/20"),
        IPNetwork.Parse("fc00::/7"),
        IPNetwork.Parse("fe80::/10"),
        IPNetwork.Parse("fec0::/10"),
        IPNetwork.Parse("ff00::/8"),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    /// <summary>Names that never lead to a public server: single labels (search-domain and cluster service names) and
    /// the reserved local suffixes.</summary>
    private static readonly string[] LocalSuffixes = [".localhost", ".local", ".internal", ".home.arpa"];

    /// <summary>Intake: the URL is absolute http(s) and its host, as written, is not a refused address or local name.</summary>
    public bool Accepts(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return false;
        }

        if (uri.Host.Length == 0) return false;
        if (allowPrivateTargets) return true;
        var host = uri.DnsSafeHost.TrimEnd('.');
        return IPAddress.TryParse(host, out var address) ? IsPublic(address) : IsPublicName(host);
    }

    /// <summary>True for an address a customer callback may reach.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (Forbidden.Any(network => network.Contains(address))) return false;
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return true;

        // Translation prefixes carry an IPv4 address that a gateway on the way would reach.
        var bytes = address.GetAddressBytes();
        if (Nat64.Contains(address)) return IsPublic(new IPAddress(bytes.AsSpan(12, 4)));
        if (SixToFour.Contains(address)) return IsPublic(new IPAddress(bytes.AsSpan(2, 4)));
        return true;
    }

    /// <summary>
    /// The handler for clients that call customer URLs: no proxy (it would make the connection for us, past the check),
    /// no redirects (a public URL could send us on to a private one), and a connect step that resolves the host itself
    /// and connects only to addresses <see cref="IsPublic"/> allows.
    /// </summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        ConnectCallback = ConnectAsync,
    };

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var target = context.DnsEndPoint;
        var addresses = await Dns.GetHostAddressesAsync(target.Host, cancellationToken);
        var allowed = allowPrivateTargets ? addresses : addresses.Where(IsPublic).ToArray();
        if (allowed.Length == 0)
        {
            throw new CallbackTargetRefusedException($"callback host {target.Host} resolves to no address callbacks may reach");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, target.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static bool IsPublicName(string host) =>
        host.Contains('.', StringComparison.Ordinal) &&
        !LocalSuffixes.Any(suffix => host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A customer URL's host resolved only to addresses <see cref="CallbackUrlPolicy"/> refuses.</summary>
public sealed class CallbackTargetRefusedException(string message) : IOException(message);
