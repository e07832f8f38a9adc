namespace ApiShield.Filtering;

/// <summary>Sensitive-data filtering of JSON responses, bound to <c>ApiShield:Filtering</c>.</summary>
/// <remarks>
/// Rules from <see cref="SensitiveAttribute"/>, from <see cref="Rules"/> and from endpoint metadata
/// (<see cref="SensitivePathAttribute"/>, <c>WithSensitivePath</c>) are compiled into one rule set per endpoint. Every
/// JSON media type (<c>application/json</c>, <c>application/problem+json</c>, any <c>+json</c>), NDJSON and
/// server-sent events are filtered, for every status code; other media types pass untouched.
/// </remarks>
public sealed class FilteringOptions
{
    /// <summary>Rules for bodies not built from annotated types: JSON paths and property-name patterns.</summary>
    /// <value>The default value is an empty list.</value>
    public IList<SensitiveRuleOptions> Rules { get; } = new List<SensitiveRuleOptions>();

    /// <summary>The content detectors to run, for example <c>"PaymentCard, Iban, Secrets"</c>.</summary>
    /// <value>The default value is <see cref="SensitiveDataDetectors.None"/>.</value>
    /// <remarks>Detectors parse every string of every JSON response in scope; turn on only those you need.</remarks>
    public SensitiveDataDetectors Detectors { get; set; }

    /// <summary>What happens to a detected value.</summary>
    /// <value>The default value is <see cref="SensitiveAction.Mask"/>: the detected characters are replaced by asterisks.</value>
    /// <remarks><see cref="SensitiveAction.Remove"/> and <see cref="SensitiveAction.Hash"/> act on the whole string that contains the detected value.</remarks>
    public SensitiveAction DetectorAction { get; set; } = SensitiveAction.Mask;

    /// <summary>JSON paths under which detectors run.</summary>
    /// <value>The default value is an empty list: detectors run on the whole document.</value>
    public IList<string> DetectorPaths { get; } = new List<string>();

    /// <summary>The largest single JSON token (a string, a number, a property name, with the whitespace before it) held in memory, in bytes.</summary>
    /// <value>The default value is 1048576 (1 MiB).</value>
    /// <remarks>
    /// Memory per response stays bounded by this value whatever the body size. A larger token cannot be filtered and is
    /// handled by <see cref="FailureMode"/>.
    /// </remarks>
    public int MaxTokenSize { get; set; } = FilteringDefaults.MaxTokenSize;

    /// <summary>What happens when a response body cannot be filtered.</summary>
    /// <value>The default value is <see cref="FilterFailureMode.FailClosed"/>.</value>
    public FilterFailureMode FailureMode { get; set; } = FilterFailureMode.FailClosed;

    /// <summary>The base64-encoded key (at least 32 bytes) for <see cref="SensitiveAction.Hash"/>.</summary>
    /// <value>The default value is <see langword="null"/>; required when any rule hashes.</value>
    /// <remarks>Keep it secret and stable: whoever holds it can test guesses against hashed values, and a new key breaks correlation.</remarks>
    public string? HashKey { get; set; }
}
