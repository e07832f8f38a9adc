using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Options;

namespace ApiShield.Diagnostics;

/// <summary>The <c>WWW-Authenticate</c> values of RFC 6750 §3, built once per distinct value.</summary>
internal sealed class BearerChallenges
{
    private readonly string? _realm;
    private readonly ConcurrentDictionary<string, string> _invalidRequest = new();
    private readonly ConcurrentDictionary<string, string> _invalidToken = new();

    public BearerChallenges(IOptions<ApiShieldOptions> options)
    {
        _realm = options.Value.Tokens.Realm;
        Missing = Build(error: null, description: null, scope: null);
    }

    /// <summary>RFC 6750 §3.1: no error code when the request carried no credentials.</summary>
    public string Missing { get; }

    /// <summary><c>invalid_request</c>; <paramref name="description"/> must be one of a fixed set of phrases.</summary>
    public string InvalidRequest(string description) =>
        _invalidRequest.GetOrAdd(description, static (d, self) => self.Build("invalid_request", d, scope: null), this);

    /// <summary><c>invalid_token</c>; <paramref name="description"/> must be one of a fixed set of phrases.</summary>
    public string InvalidToken(string description) =>
        _invalidToken.GetOrAdd(description, static (d, self) => self.Build("invalid_token", d, scope: null), this);

    public string InsufficientScope(string scope) =>
        Build("insufficient_scope", "The access token lacks a required scope.", scope);

    private string Build(string? error, string? description, string? scope)
    {
        var builder = new StringBuilder("Bearer");
        var first = true;
        Append(builder, "realm", _realm, ref first);
        Append(builder, "error", error, ref first);
        Append(builder, "error_description", description, ref first);
        Append(builder, "scope", scope, ref first);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, string name, string? value, ref bool first)
    {
        if (value is null)
        {
            return;
        }

        builder.Append(first ? " " : ", ").Append(name).Append("=\"");

        // RFC 6750 §3: attribute values are quoted strings; escape what RFC 9110 §5.6.4 requires.
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        builder.Append('"');
        first = false;
    }
}
