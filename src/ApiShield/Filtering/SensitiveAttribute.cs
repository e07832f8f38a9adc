using ApiShield.Filtering;
using Microsoft.Extensions.Compliance.Classification;

namespace ApiShield;

/// <summary>
/// Marks a property of a response type as sensitive: ApiShield removes it (or masks or hashes it, see
/// <see cref="Otherwise"/>) from JSON responses unless the caller holds <see cref="VisibleWithScope"/>.
/// </summary>
/// <remarks>
/// <para>
/// The attribute is a Microsoft.Extensions.Compliance <see cref="DataClassificationAttribute"/> with the classification
/// <see cref="DataClassification"/>, so the same annotation drives log redaction: register a redactor for that
/// classification (<c>AddRedaction(r =&gt; r.SetRedactor&lt;ErasingRedactor&gt;(SensitiveAttribute.DataClassification))</c>)
/// and <c>[LogProperties]</c> logging redacts the member.
/// </para>
/// <para>
/// Apply it to the property (for positional records, either <c>[property: Sensitive]</c> or on the parameter). It takes
/// effect wherever the type is serialized with the host's HTTP JSON options, and in the streamed body of endpoints that
/// declare the type (<c>TypedResults</c>, <c>Produces&lt;T&gt;</c>, <c>[ProducesResponseType]</c>).
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, AllowMultiple = false, Inherited = true)]
public sealed class SensitiveAttribute : DataClassificationAttribute
{
    private int _keepLast;

    /// <summary>Marks the member as sensitive.</summary>
    public SensitiveAttribute()
        : base(DataClassification)
    {
    }

    /// <summary>The classification this attribute carries: taxonomy <c>ApiShield</c>, value <c>Sensitive</c>.</summary>
    public static DataClassification DataClassification { get; } = new("ApiShield", "Sensitive");

    /// <summary>The scope that lets a caller see the value unchanged.</summary>
    /// <value>The default value is <see langword="null"/>: no caller sees it.</value>
    public string? VisibleWithScope { get; set; }

    /// <summary>What a caller without <see cref="VisibleWithScope"/> gets instead of the value.</summary>
    /// <value>The default value is <see cref="SensitiveAction.Remove"/>.</value>
    public SensitiveAction Otherwise { get; set; } = SensitiveAction.Remove;

    /// <summary>For <see cref="SensitiveAction.Mask"/>, how many trailing characters of a string stay visible.</summary>
    /// <value>The default value is 0: the whole string is masked.</value>
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
