using System.Net;
using System.Security.Claims;
using ApiShield.RateLimiting;
using Microsoft.AspNetCore.Http;

namespace ApiShield.Tests.RateLimiting;

[TestFixture]
public sealed class RateLimitPartitionerTests
{
    private static RateLimitPolicy Policy(RateLimitPartitionKind kind = RateLimitPartitionKind.IpAddress, Func<HttpContext, string?>? partitionBy = null)
        => new("p", new RateLimitPolicyOptions { Kind = RateLimitKind.Rate, PermitLimit = 1, Partition = kind, PartitionClaim = "tenant", PartitionBy = partitionBy });

    private static DefaultHttpContext Request(string? address = null, params (string Type, string Value)[] claims)
    {
        var context = new DefaultHttpContext();
        if (address is not null)
        {
            context.Connection.RemoteIpAddress = IPAddress.Parse(address);
        }

        if (claims.Length > 0)
        {
            context.User = new ClaimsPrincipal(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value)), "Bearer"));
        }

        return context;
    }

    [Test]
    public void Resolve_IPv6_GroupsByPrefix()
    {
        var partitioner = new RateLimitPartitioner(hashPartitions: false, ipv6PrefixLength: 64);

        var a = partitioner.Resolve(Policy(), Request("2001:db8:1:2:aaaa::1"));
        var b = partitioner.Resolve(Policy(), Request("2001:db8:1:2:bbbb::2"));
        var c = partitioner.Resolve(Policy(), Request("2001:db8:1:3::1"));

        Assert.That(a, Is.EqualTo(b));
        Assert.That(a, Is.Not.EqualTo(c));
    }

    [Test]
    public void Resolve_IPv4MappedIPv6_IsTheIPv4Address()
    {
        var partitioner = new RateLimitPartitioner(hashPartitions: false, ipv6PrefixLength: 64);

        Assert.That(partitioner.Resolve(Policy(), Request("::ffff:192.0.2.1")), Is.EqualTo(partitioner.Resolve(Policy(), Request("192.0.2.1"))));
        Assert.That(partitioner.Resolve(Policy(), Request("192.0.2.1")), Is.Not.EqualTo(partitioner.Resolve(Policy(), Request("192.0.2.2"))));
    }

    [Test]
    public void Resolve_Hashed_NeverContainsTheRawValue()
    {
        var partitioner = new RateLimitPartitioner(hashPartitions: true, ipv6PrefixLength: 64);

        var address = partitioner.Resolve(Policy(), Request("192.0.2.55"));
        var client = partitioner.Resolve(Policy(RateLimitPartitionKind.Client), Request("192.0.2.55", ("client_id", "acme-app")));

        Assert.Multiple(() =>
        {
            Assert.That(address, Does.Match("^[0-9a-f]{32}$"));
            Assert.That(client, Does.Match("^[0-9a-f]{32}$"));
            Assert.That(address, Is.Not.EqualTo(client));
            Assert.That(address, Does.Not.Contain("192"));
        });
    }

    [Test]
    public void Resolve_CustomFunction_UsesItsValueAndFallsBackToAddressOnNull()
    {
        var partitioner = new RateLimitPartitioner(hashPartitions: false, ipv6PrefixLength: 64);
        var policy = Policy(partitionBy: c => c.Request.Headers["X-Api-Key"].FirstOrDefault());

        var keyed = Request("192.0.2.1");
        keyed.Request.Headers["X-Api-Key"] = "k1";

        Assert.That(partitioner.Resolve(policy, keyed), Is.EqualTo("f:k1"));
        Assert.That(partitioner.Resolve(policy, Request("192.0.2.1")), Is.EqualTo("ip:192.0.2.1"));
    }

    [Test]
    public void Resolve_ClaimMissing_FallsBackToAddress()
    {
        var partitioner = new RateLimitPartitioner(hashPartitions: false, ipv6PrefixLength: 64);

        Assert.That(partitioner.Resolve(Policy(RateLimitPartitionKind.Claim), Request("192.0.2.9", ("sub", "x"))), Is.EqualTo("ip:192.0.2.9"));
        Assert.That(partitioner.Resolve(Policy(RateLimitPartitionKind.Claim), Request("192.0.2.9", ("tenant", "t1"))), Is.EqualTo("k:t1"));
    }

    [Test]
    public void Resolve_NoAddress_SharesOneUnknownPartition()
    {
        var partitioner = new RateLimitPartitioner(hashPartitions: false, ipv6PrefixLength: 64);

        Assert.That(partitioner.Resolve(Policy(), Request()), Is.EqualTo("ip:unknown"));
    }

    [Test]
    public void Resolve_ClientIdWithConflictingValues_FallsBackToSubject_SameValueTwiceStillCounts()
    {
        var partitioner = new RateLimitPartitioner(hashPartitions: false, ipv6PrefixLength: 64);
        var policy = Policy(RateLimitPartitionKind.Client);
        var copied = Request("192.0.2.9", ("client_id", "a"), ("sub", "u"));
        copied.User.AddIdentity(new ClaimsIdentity([new Claim("client_id", "a")], "Copy"));

        Assert.That(partitioner.Resolve(policy, Request("192.0.2.9", ("client_id", "victim"), ("client_id", "me"), ("sub", "u"))), Is.EqualTo("s:u"));
        Assert.That(partitioner.Resolve(policy, Request("192.0.2.9", ("client_id", "a"), ("client_id", "b"), ("azp", "c"))), Is.EqualTo("c:c"));
        Assert.That(partitioner.Resolve(policy, copied), Is.EqualTo("c:a"));
    }

    [Test]
    public void Resolve_PartitionClaimWithConflictingValues_FallsBackToAddress()
    {
        // "tenant": ["victim", "me"] must not spend the victim tenant's quota because its value came first.
        var partitioner = new RateLimitPartitioner(hashPartitions: false, ipv6PrefixLength: 64);
        var policy = Policy(RateLimitPartitionKind.Claim);

        Assert.That(partitioner.Resolve(policy, Request("192.0.2.9", ("tenant", "victim"), ("tenant", "me"))), Is.EqualTo("ip:192.0.2.9"));
        Assert.That(partitioner.Resolve(policy, Request("192.0.2.9", ("tenant", "t1"), ("tenant", "t1"))), Is.EqualTo("k:t1"));
    }
}
