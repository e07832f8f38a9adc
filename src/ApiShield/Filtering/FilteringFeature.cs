using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ApiShield.Filtering;

/// <summary>
/// Per-request state shared by the two filtering layers: the caller, and which layer applies the rules from
/// <see cref="SensitiveAttribute"/> so that no member is checked twice.
/// </summary>
internal sealed class FilteringFeature(FilterCaller caller, FilterProgram program)
{
    private bool _cacheHeadersSet;

    public FilterCaller Caller { get; } = caller;

    public FilterProgram Program { get; } = program;

    /// <summary>The streamed body applies the attribute rules of <see cref="FilterProgram.CoveredTypes"/>.</summary>
    public bool StreamAppliesTypeRules { get; private set; }

    /// <summary>The serializer has applied an attribute rule to this response.</summary>
    public bool SerializerApplied { get; private set; }

    /// <summary>Called at the body's first byte: the stream takes the attribute rules unless the serializer already applied one.</summary>
    public bool ClaimTypeRulesForStream()
    {
        if (!SerializerApplied && Program.TypeRoots.Length > 0)
        {
            StreamAppliesTypeRules = true;
        }

        return StreamAppliesTypeRules;
    }

    /// <summary>Whether the serializer should leave <paramref name="declaringType"/>'s members to the streamed body.</summary>
    public bool StreamCovers(Type declaringType) => StreamAppliesTypeRules && Program.CoveredTypes.Contains(declaringType);

    public void MarkSerializerApplied() => SerializerApplied = true;

    /// <summary>
    /// Marks <paramref name="response"/> as caller-dependent, once: what this caller sees depends on their scopes, so no
    /// shared cache may give it to anyone else.
    /// </summary>
    public void PreventSharedCaching(HttpResponse response)
    {
        if (_cacheHeadersSet)
        {
            return;
        }

        _cacheHeadersSet = true;
        response.Headers.CacheControl = "private, no-store";
        response.Headers.Append(HeaderNames.Vary, HeaderNames.Authorization);
    }
}
