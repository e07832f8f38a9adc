namespace ApiShield.Filtering;

internal sealed class SensitivePathMetadata(string path, SensitiveAction action, string? visibleWithScope, int keepLast) : ISensitivePathMetadata
{
    public string Path { get; } = path;

    public SensitiveAction Action { get; } = action;

    public string? VisibleWithScope { get; } = visibleWithScope;

    public int KeepLast { get; } = keepLast;
}
