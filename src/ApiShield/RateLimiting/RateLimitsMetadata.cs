namespace ApiShield.RateLimiting;

internal sealed class RateLimitsMetadata(IReadOnlyList<string> policyNames) : IRateLimitsMetadata
{
    public static readonly RateLimitsMetadata None = new([]);

    public IReadOnlyList<string> PolicyNames { get; } = policyNames;

    public static string[] Validate(string[] policyNames, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(policyNames, parameterName);
        if (policyNames.Length == 0)
        {
            throw new ArgumentException("Name at least one rate-limit policy; use NoRateLimits to exempt an endpoint.", parameterName);
        }

        foreach (var name in policyNames)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name, parameterName);
        }

        return (string[])policyNames.Clone();
    }
}
