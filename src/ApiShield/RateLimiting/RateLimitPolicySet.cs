using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace ApiShield.RateLimiting;

/// <summary>Every configured policy, compiled at startup, and the policies of each endpoint, resolved on first use.</summary>
internal sealed class RateLimitPolicySet
{
    private readonly Dictionary<string, RateLimitPolicy> _policies = new(StringComparer.OrdinalIgnoreCase);
    private readonly RateLimitPolicy[] _defaults;
    private readonly ConcurrentDictionary<Endpoint, EndpointRateLimits> _endpoints = new();

    public RateLimitPolicySet(IOptions<ApiShieldOptions> options)
    {
        var rateLimiting = options.Value.RateLimiting;
        foreach (var (name, policy) in rateLimiting.Policies)
        {
            _policies[name] = new RateLimitPolicy(name, policy);
        }

        // Option validation has already refused unknown default policies.
        _defaults = rateLimiting.DefaultPolicies.Select(name => _policies[name]).ToArray();
    }

    public bool IsEmpty => _policies.Count == 0;

    public IEnumerable<RateLimitPolicy> Policies => _policies.Values;

    public bool Contains(string name) => _policies.ContainsKey(name);

    public EndpointRateLimits For(Endpoint endpoint)
    {
        if (_endpoints.TryGetValue(endpoint, out var limits))
        {
            return limits;
        }

        return _endpoints.GetOrAdd(endpoint, Resolve(endpoint));
    }

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
