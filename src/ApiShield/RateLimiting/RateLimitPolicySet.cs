using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace ApiShield.RateLimiting;

/// <summary>Every configured policy, compiled at startup, and the policies of each endpoint, resolved on first use.</summary>
internal sealed class RateLimitPolicySet
{
    private readonly Dictionary<string, RateLimitPolicy> _policies = new(StringComparer.OrdinalIgnoreCase);
    private readonly RateLimitPolicy[] _defaults;
    // Weak keys: a dynamic endpoint source (YARP, a reloaded route table) replaces its Endpoint objects, and the old
    // ones must not live as long as the application.
    private readonly ConditionalWeakTable<Endpoint, EndpointRateLimits> _endpoints = [];
    private readonly ConditionalWeakTable<Endpoint, EndpointRateLimits>.CreateValueCallback _resolve;

    public RateLimitPolicySet(IOptions<ApiShieldOptions> options)
    {
        _resolve = Resolve;
        var rateLimiting = options.Value.RateLimiting;
        foreach (var (name, policy) in rateLimiting.Policies)
        {
            _policies[name] = new RateLimitPolicy(name, policy);
        }

        // Option validation has already refused unknown default policies; a name listed twice (in any case) counts once.
        _defaults = rateLimiting.DefaultPolicies.Select(name => _policies[name]).Distinct().ToArray();
    }

    public bool IsEmpty => _policies.Count == 0;

    public bool Contains(string name) => _policies.ContainsKey(name);

    public EndpointRateLimits For(Endpoint endpoint)
        => _endpoints.TryGetValue(endpoint, out var limits) ? limits : _endpoints.GetValue(endpoint, _resolve);

    private EndpointRateLimits Resolve(Endpoint endpoint)
    {
        // The nearest metadata wins: an action's attribute over its controller's, an endpoint's convention over its group's.
        var metadata = endpoint.Metadata.GetMetadata<IRateLimitsMetadata>();
        if (metadata is null)
        {
            return _defaults.Length == 0 ? EndpointRateLimits.None : new EndpointRateLimits(_defaults, null);
        }

        if (metadata.PolicyNames.Count == 0)
        {
            return EndpointRateLimits.None;
        }

        var policies = new List<RateLimitPolicy>(metadata.PolicyNames.Count);
        foreach (var name in metadata.PolicyNames)
        {
            if (!_policies.TryGetValue(name, out var policy))
            {
                return new EndpointRateLimits([], name);
            }

            if (!policies.Contains(policy))
            {
                policies.Add(policy);
            }
        }

        return new EndpointRateLimits(policies.ToArray(), null);
    }
}
