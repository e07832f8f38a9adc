namespace ApiShield.RateLimiting;

/// <summary>What the engine decided for one request.</summary>
internal enum RateLimitOutcome
{
    /// <summary>Every policy admitted it (or admitted it unchecked by its failure mode).</summary>
    Admitted,

    /// <summary>At least one policy refused it: 429.</summary>
    Rejected,

    /// <summary>The store could not answer and a policy fails closed: 503.</summary>
    Unavailable,
}
