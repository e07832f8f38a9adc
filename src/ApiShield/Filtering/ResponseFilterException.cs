namespace ApiShield.Filtering;

/// <summary>The body cannot be filtered. <see cref="Reason"/> is a fixed, value-free phrase safe to log.</summary>
internal sealed class ResponseFilterException(string reason, Exception? inner = null) : Exception(reason, inner)
{
    public string Reason { get; } = reason;
}
