namespace ApiShield.Filtering;

/// <summary>
/// Endpoint metadata marking a JSON path in the endpoint's responses as sensitive. Written by
/// <see cref="SensitivePathAttribute"/> and
/// <see cref="FilteringEndpointConventionBuilderExtensions.WithSensitivePath{TBuilder}(TBuilder, string, SensitiveAction, string?, int)"/>.
/// </summary>
public interface ISensitivePathMetadata
{
    /// <summary>The JSON path, for example <c>$.items[*].card.number</c> or <c>$..ssn</c>.</summary>
    string Path { get; }

    /// <summary>What happens to a matching value the caller may not see.</summary>
    SensitiveAction Action { get; }

    /// <summary>The scope that lets a caller see the value unchanged, or <see langword="null"/> when no caller may.</summary>
    string? VisibleWithScope { get; }

    /// <summary>For <see cref="SensitiveAction.Mask"/>, how many trailing characters of a string stay visible.</summary>
    int KeepLast { get; }
}
