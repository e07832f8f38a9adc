namespace ApiShield.RateLimiting;

/// <summary>The shared rate-limit store did not answer in time or answered with an error.</summary>
internal sealed class RateLimitStoreUnavailableException : Exception
{
    public RateLimitStoreUnavailableException()
    {
    }

    public RateLimitStoreUnavailableException(string message)
        : base(message)
    {
    }

    public RateLimitStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
