namespace ApiShield.Filtering;

internal static class FilteringDefaults
{
    public const int MaxTokenSize = 1024 * 1024;

    public const int MinTokenSize = 1024;

    public const int MaxTokenSizeLimit = 64 * 1024 * 1024;

    public const int MaxDepth = 64;

    public const int MaxScopes = 64;

    public const int MinHashKeyBytes = 32;

    /// <summary>The most trailing characters a masked string may keep.</summary>
    public const int MaxKeepLast = 64;

    /// <summary>Filtered output is passed on once this much has accumulated, bounding memory and time to first byte.</summary>
    public const int OutputChunkSize = 16 * 1024;
}
