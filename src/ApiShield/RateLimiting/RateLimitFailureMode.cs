namespace ApiShield.RateLimiting;

/// <summary>What a policy does while its shared store (Redis) cannot answer.</summary>
public enum RateLimitFailureMode
{
    /// <summary>Refuse the request with 503 and <c>Retry-After</c>: no request is admitted that the limit was not checked for.</summary>
    Closed,

    /// <summary>Admit the request unchecked: the API stays available, the limit is not enforced while the store is down.</summary>
    Open,

    /// <summary>Enforce the policy on this node's in-memory store: each node admits up to the limit, so N nodes admit up to N times it.</summary>
    Local,
}
