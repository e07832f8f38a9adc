using Microsoft.IdentityModel.Tokens;

namespace ApiShield.Tokens;

internal static class TokenDefaults
{
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    // Entra ID's continuous-access-evaluation tokens live up to 28 hours, the longest default of the major providers.
    public static readonly TimeSpan MaxTokenLifetime = TimeSpan.FromHours(28);

    public const int MaxTokenLength = 16 * 1024;

    public static readonly string[] AsymmetricAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    public static readonly string[] SymmetricAlgorithms =
    [
        SecurityAlgorithms.HmacSha256, SecurityAlgorithms.HmacSha384, SecurityAlgorithms.HmacSha512,
    ];

    // RFC 9068 §2.1 and §4: "at+jwt", which RFC 8725 §3.11 lets appear with the "application/" prefix.
    public static readonly string[] AccessTokenTypes = ["at+jwt", "application/at+jwt"];

    public const string DevelopmentIssuer = "dotnet-user-jwts";
}
