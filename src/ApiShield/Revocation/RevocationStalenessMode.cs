namespace ApiShield.Revocation;

/// <summary>What the revocation check does once the node's replica is staler than <see cref="RevocationOptions.MaxStaleness"/>.</summary>
public enum RevocationStalenessMode
{
    /// <summary>Refuse authenticated requests with 503 and <c>Retry-After</c> until the replica is current again.</summary>
    FailClosed = 0,

    /// <summary>Keep serving from the stale replica; revocations made during the outage are not seen until it ends.</summary>
    FailOpen = 1,
}
