using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ApiShield.Scopes;

/// <summary>Decides whether a principal holds a scope, across every claim shape issuers use, without allocating.</summary>
internal sealed class ScopeEvaluator
{
    private static readonly string[] DefaultClaimTypes = ["scope", "scp"];

    private readonly string[] _claimTypes;

    public ScopeEvaluator(IOptions<ApiShieldOptions> options)
    {
        var scopes = options.Value.Scopes;
        var claimTypes = scopes.ClaimTypes.Count > 0 ? [.. scopes.ClaimTypes] : DefaultClaimTypes;
        _claimTypes = scopes.IncludeRoles ? [.. claimTypes, "roles"] : claimTypes;
    }

    public bool Satisfies(ClaimsPrincipal user, IScopeRequirementMetadata requirement)
    {
        var scopes = requirement.Scopes;
        if (scopes.Count == 0)
        {
            // A requirement with nothing in it (custom metadata fed by missing configuration) cannot be met: deny.
            return false;
        }

        if (requirement.RequireAll)
        {
            for (var i = 0; i < scopes.Count; i++)
            {
                if (!HasScope(user, scopes[i]))
                {
                    return false;
                }
            }

            return true;
        }

        for (var i = 0; i < scopes.Count; i++)
        {
            if (HasScope(user, scopes[i]))
            {
                return true;
            }
        }

        return false;
    }

    public bool HasScope(ClaimsPrincipal user, string scope)
    {
        foreach (var identity in user.Identities)
        {
            if (!identity.IsAuthenticated)
            {
                continue;
            }

            foreach (var claim in identity.Claims)
            {
                if (Array.IndexOf(_claimTypes, claim.Type) >= 0 && !IsJson(claim.ValueType) && ContainsScopeToken(claim.Value, scope))
                {
                    return true;
                }
            }
        }

        return false;
    }

    // An object or nested array arrives as its JSON text, whose spaces would otherwise split out scopes it only mentions.
    private static bool IsJson(string valueType) =>
        valueType is JsonClaimValueTypes.Json or JsonClaimValueTypes.JsonArray or JsonClaimValueTypes.JsonNull;

    // RFC 6749 §3.3: a space-delimited list; a JSON-array claim arrives as one claim per element, which is a list of one.
    internal static bool ContainsScopeToken(ReadOnlySpan<char> value, ReadOnlySpan<char> scope)
    {
        foreach (var range in value.Split(' '))
        {
            if (value[range].SequenceEqual(scope))
            {
                return true;
            }
        }

        return false;
    }
}
