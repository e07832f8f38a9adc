using System.Runtime.CompilerServices;
using ApiShield.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace ApiShield.Tests.RateLimiting;

[TestFixture]
public sealed class RateLimitPolicySetTests
{
    private static RateLimitPolicySet Policies()
    {
        var options = new ApiShieldOptions();
        options.RateLimiting.Policies["p"] = new RateLimitPolicyOptions { Kind = RateLimitKind.Rate, PermitLimit = 1 };
        return new RateLimitPolicySet(Options.Create(options));
    }

    [Test]
    public void For_SameEndpoint_ResolvedOnce()
    {
        var policies = Policies();
        var endpoint = new Endpoint(null, new EndpointMetadataCollection(new RateLimitsAttribute("p")), "e");

        var first = policies.For(endpoint);

        Assert.That(policies.For(endpoint), Is.SameAs(first));
        Assert.That(first.Policies.Select(p => p.Name), Is.EqualTo(new[] { "p" }));
    }

    [Test]
    public void For_EndpointReplacedByADynamicSource_IsNotKeptAlive()
    {
        var policies = Policies();

        var replaced = ResolveAndForget(policies);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);

        Assert.That(replaced.IsAlive, Is.False, "the policy set must not hold endpoints a data source has dropped");
        GC.KeepAlive(policies);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference ResolveAndForget(RateLimitPolicySet policies)
    {
        var endpoint = new Endpoint(null, new EndpointMetadataCollection(new RateLimitsAttribute("p")), "old");
        _ = policies.For(endpoint);
        return new WeakReference(endpoint);
    }
}
