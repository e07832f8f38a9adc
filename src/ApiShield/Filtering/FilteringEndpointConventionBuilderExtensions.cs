using ApiShield.Filtering;
using Microsoft.AspNetCore.Builder;

namespace ApiShield;

/// <summary>Response filtering rules for minimal-API endpoints and route groups.</summary>
public static class FilteringEndpointConventionBuilderExtensions
{
    /// <summary>Marks a JSON path in the endpoint's responses as sensitive, as <see cref="SensitivePathAttribute"/> does.</summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint or route group.</param>
    /// <param name="path">The JSON path, for example <c>$..ssn</c>.</param>
    /// <param name="action">What a caller who may not see the value gets.</param>
    /// <param name="visibleWithScope">The scope that lets a caller see the value, or <see langword="null"/> for nobody.</param>
    /// <param name="keepLast">For <see cref="SensitiveAction.Mask"/>, the trailing characters of a string left visible.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is not a supported JSON path.</exception>
    public static TBuilder WithSensitivePath<TBuilder>(
        this TBuilder builder,
        string path,
        SensitiveAction action = SensitiveAction.Remove,
        string? visibleWithScope = null,
        int keepLast = 0)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        JsonPathParser.Validate(path, nameof(path));
        FilteringOptionsValidation.ThrowIfKeepLastOutOfRange(keepLast);
        if (!Enum.IsDefined(action))
        {
            throw new ArgumentOutOfRangeException(nameof(action));
        }

        var metadata = new SensitivePathMetadata(path, action, visibleWithScope, keepLast);
        builder.Add(endpoint => endpoint.Metadata.Add(metadata));
        return builder;
    }
}
