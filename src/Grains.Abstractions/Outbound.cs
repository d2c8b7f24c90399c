using System.Net;
using System.Net.Sockets;

namespace Actors.Contracts;

/// <summary>
/// Section <c>Outbound</c>: where the silos may call on a tenant's behalf (billing service, SMTP).
/// By default only public addresses; loopback is for development and tests that run stubs on
/// 127.0.0.1 (<c>Outbound__AllowLoopback=true</c>), private networks for a deployment whose billing
/// or mail server is internal. Link-local (cloud metadata at 169.254.169.254), unspecified, multicast
/// and reserved addresses are never allowed.
/// </summary>
public sealed class OutboundOptions
{
    public const string Section = "Outbound";

    public bool AllowLoopback { get; set; }

    public bool AllowPrivateNetworks { get; set; }

    /// <summary>
    /// The first error of these settings, or null when they are usable. Two switches, each usable either
    /// way, so there is none to find here: their one constraint, being <c>true</c> or <c>false</c>, is the
    /// binder's, which refuses any other value (naming <c>Outbound:AllowLoopback</c> or
    /// <c>Outbound:AllowPrivateNetworks</c>) when the host checks its options at start.
    /// </summary>
    public string? Refusal() => null;
}

/// <summary>An outbound call refused because its host is, or resolves to, a forbidden address.</summary>
public sealed class OutboundRefusedException(string message) : Exception(message);

/// <summary>The one SSRF check of the project: at settings write (as written) and at call time (as resolved).</summary>
public static class OutboundPolicy
{
    /// <summary>Why a call to <paramref name="address"/> is refused, or null when it is allowed.</summary>
    public static string? Refusal(IPAddress address, OutboundOptions options)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address))
        {
            return options.AllowLoopback ? null : "is a loopback address";
        }
        var b = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            if (b[0] == 0 || b[0] >= 224) return "is an unspecified, multicast or reserved address";
            if (b[0] == 169 && b[1] == 254) return "is a link-local address";
            var isPrivate = b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168)
                || (b[0] == 100 && (b[1] & 0xC0) == 64) || (b[0] == 198 && (b[1] & 0xFE) == 18);
            return isPrivate && !options.AllowPrivateNetworks ? "is a private network address" : null;
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6None) || address.IsIPv6Multicast || b.Take(12).All(x => x == 0))
                return "is an unspecified, multicast or reserved address";
            if (address.IsIPv6LinkLocal) return "is a link-local address";
            var isPrivate = (b[0] & 0xFE) == 0xFC || address.IsIPv6SiteLocal;
            return isPrivate && !options.AllowPrivateNetworks ? "is a private network address" : null;
        }
        return "is not an IP address";
    }

    /// <summary>
    /// Checks a host as written in settings: an IP literal (in any notation <see cref="IPAddress.TryParse(string, out IPAddress)"/>
    /// reads) or <c>localhost</c> is judged now; other names are judged when called, by what they resolve to.
    /// </summary>
    public static string? CheckHost(string host, OutboundOptions options)
    {
        var bare = host.Trim().TrimStart('[').TrimEnd(']').TrimEnd('.');
        if (bare.Length == 0 || Uri.CheckHostName(bare) == UriHostNameType.Unknown)
        {
            return "is not a host name or IP address";
        }
        if (IPAddress.TryParse(bare, out var address))
        {
            return Refusal(address, options);
        }
        if (bare.Equals("localhost", StringComparison.OrdinalIgnoreCase) || bare.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return options.AllowLoopback ? null : "is a loopback address";
        }
        return null;
    }

    /// <summary>Resolves <paramref name="host"/>; answers its addresses if every one is allowed, else throws.</summary>
    public static async Task<IPAddress[]> ResolveAsync(string host, OutboundOptions options, CancellationToken cancellationToken)
    {
        var bare = host.Trim().TrimStart('[').TrimEnd(']');
        if (CheckHost(bare, options) is { } written)
        {
            throw new OutboundRefusedException($"Outbound host '{host}' {written}.");
        }
        var addresses = IPAddress.TryParse(bare, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(bare, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new OutboundRefusedException($"Outbound host '{host}' does not resolve.");
        }
        // All or nothing: a name that resolves to one public and one internal address is refused.
        foreach (var address in addresses)
        {
            if (Refusal(address, options) is { } why)
            {
                throw new OutboundRefusedException($"Outbound host '{host}' resolves to {address}, which {why}.");
            }
        }
        return addresses;
    }

    /// <summary>Connects a socket to an allowed address of the host (the address checked is the one connected to: no DNS rebinding).</summary>
    public static async Task<Socket> ConnectAsync(string host, int port, OutboundOptions options, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(host, options, cancellationToken);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, port, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
