using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace ApiShield.RateLimiting;

/// <summary>
/// Turns a request into the partition a policy counts it in. Values are typed (<c>c:</c> client, <c>s:</c> subject,
/// <c>k:</c> claim, <c>f:</c> custom function, <c>ip:</c> address, <c>g</c> global) so an anonymous caller's address
/// can never share a counter with a client whose id looks like an address. For Redis they are hashed: no raw address
/// or user id leaves the process.
/// </summary>
internal sealed class RateLimitPartitioner(bool hashPartitions, int ipv6PrefixLength)
{
    private const int HashBytes = 16;

    public string Resolve(RateLimitPolicy policy, HttpContext context)
    {
        var value = ResolveValue(policy, context);
        return hashPartitions ? Hash(value) : value;
    }

    internal static string Hash(string value)
    {
        var byteCount = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        var buffer = byteCount <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(byteCount));
        try
        {
            var written = Encoding.UTF8.GetBytes(value, buffer);
            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer[..written], digest);
            return Convert.ToHexStringLower(digest[..HashBytes]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private string ResolveValue(RateLimitPolicy policy, HttpContext context)
    {
        if (policy.PartitionBy is { } partitionBy)
        {
            return partitionBy(context) is { } custom ? "f:" + custom : Address(context);
        }

        var user = context.User;
        var authenticated = user.Identity?.IsAuthenticated == true;
        return policy.Partition switch
        {
            RateLimitPartitionKind.Global => "g",
            RateLimitPartitionKind.IpAddress => Address(context),
            RateLimitPartitionKind.Client when authenticated && ClientOf(user) is { } client => "c:" + client,

            // A token naming no client application (dotnet user-jwts mints such) is counted by its subject.
            RateLimitPartitionKind.Client when authenticated && SubjectOf(user) is { } subject => "s:" + subject,
            RateLimitPartitionKind.Subject when authenticated && SubjectOf(user) is { } subject => "s:" + subject,
            RateLimitPartitionKind.Claim when authenticated && RateLimitClaims.SingleValue(user, policy.PartitionClaim!) is { } claim => "k:" + claim,
            _ => Address(context),
        };
    }

    // A repeated identity claim (a JSON array) identifies no one: the next claim in line decides (for a partition
    // claim, the address).
    private static string? ClientOf(ClaimsPrincipal user)
        => RateLimitClaims.SingleValue(user, "client_id") ?? RateLimitClaims.SingleValue(user, "azp") ?? RateLimitClaims.SingleValue(user, "appid");

    private static string? SubjectOf(ClaimsPrincipal user)
        => RateLimitClaims.SingleValue(user, "sub") ?? RateLimitClaims.SingleValue(user, ClaimTypes.NameIdentifier);

    // The connection's address only: behind a proxy the host runs ForwardedHeadersMiddleware with its trusted
    // proxies, which is the one place X-Forwarded-For may be believed.
    private string Address(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "ip:unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6 && ipv6PrefixLength < 128)
        {
            address = Mask(address, ipv6PrefixLength);
        }

        return "ip:" + address.ToString();
    }

    private static IPAddress Mask(IPAddress address, int prefixLength)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        for (var bit = prefixLength; bit < 128; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPAddress(bytes);
    }
}
