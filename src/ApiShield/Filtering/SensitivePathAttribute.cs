using ApiShield.Filtering;

namespace ApiShield;

/// <summary>
/// Marks a JSON path in an endpoint's responses as sensitive, for bodies not built from annotated types (raw JSON,
/// dictionaries, proxied responses).
/// </summary>
/// <remarks>
/// Apply to controllers, actions and minimal-API handlers; repeat it for several paths. Paths use the JSONPath subset
/// <c>$</c>, <c>.name</c>, <c>['name']</c>, <c>[*]</c>, <c>.*</c> and <c>..</c> (any depth). An invalid path throws when
/// the attribute is read, which is at startup.
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method | AttributeTargets.Delegate, AllowMultiple = true, Inherited = true)]
public sealed class SensitivePathAttribute : Attribute, ISensitivePathMetadata
{
    private int _keepLast;

    /// <summary>Marks <paramref name="path"/> as sensitive.</summary>
    /// <param name="path">The JSON path, for example <c>$.items[*].card.number</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is not a supported JSON path.</exception>
    public SensitivePathAttribute(string path)
    {
        Path = JsonPathParser.Validate(path, nameof(path));
    }

    /// <inheritdoc />
    public string Path { get; }

    /// <inheritdoc />
    /// <value>The default value is <see cref="SensitiveAction.Remove"/>.</value>
    public SensitiveAction Action { get; set; } = SensitiveAction.Remove;

    /// <inheritdoc />
    /// <value>The default value is <see langword="null"/>: no caller sees it.</value>
    public string? VisibleWithScope { get; set; }

    /// <inheritdoc />
    /// <value>The default value is 0.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or greater than 64.</exception>
    public int KeepLast
    {
        get => _keepLast;
        set
        {
            _keepLast = FilteringOptionsValidation.ThrowIfKeepLastOutOfRange(value);
        }
    }
}
