namespace ApiShield.RateLimiting;

/// <summary>What one policy said about one request; filled in by a store, read by the middleware for headers.</summary>
internal struct RateLimitVerdict
{
    /// <summary>Whether this policy alone admits the request.</summary>
    public bool Admitted;

    /// <summary>Permits left: after this request when the whole request was admitted, as they were when it was not.</summary>
    public long Remaining;

    /// <summary>Until <see cref="Remaining"/> is back to the full limit when it is above 0, or until the next permit when it is 0.</summary>
    public long ResetMicros;

    /// <summary>When <see cref="Admitted"/> is false: until this policy admits one more request.</summary>
    public long RetryAfterMicros;

    /// <summary>The store could not answer and the policy's failure mode admitted the request unchecked; no header is sent for it.</summary>
    public bool Unchecked;
}
