namespace ApiShield.RateLimiting;

/// <summary>Whose requests a policy counts together.</summary>
public enum RateLimitPartitionKind
{
    /// <summary>The calling client application: the token's <c>client_id</c>, else <c>azp</c>, else <c>appid</c>; a token naming no client by its subject; anonymous callers by IP address.</summary>
    Client,

    /// <summary>The token's subject (<c>sub</c>); anonymous callers by IP address.</summary>
    Subject,

    /// <summary>The value of the claim named by <see cref="RateLimitPolicyOptions.PartitionClaim"/> (a tenant, for example); callers without it by IP address.</summary>
    Claim,

    /// <summary>The client's IP address (<see cref="Microsoft.AspNetCore.Http.ConnectionInfo.RemoteIpAddress"/>); IPv6 addresses by prefix.</summary>
    IpAddress,

    /// <summary>All callers together: one limit for the endpoint.</summary>
    Global,
}
