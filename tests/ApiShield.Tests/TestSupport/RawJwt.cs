using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace ApiShield.Tests.TestSupport;

/// <summary>Builds compact JWS by hand, so that tests can forge exactly the malformed tokens an attacker would.</summary>
internal static class RawJwt
{
    public static string Segment(object value) => Base64UrlEncoder.Encode(JsonSerializer.Serialize(value));

    public static string Encode(IDictionary<string, object> header, IDictionary<string, object?> payload, SecurityKey key, string algorithm)
    {
        var signingInput = Segment(header) + "." + Segment(payload);
        var provider = key.CryptoProviderFactory.CreateForSigning(key, algorithm);
        try
        {
            var signature = provider.Sign(Encoding.ASCII.GetBytes(signingInput));
            return signingInput + "." + Base64UrlEncoder.Encode(signature);
        }
        finally
        {
            key.CryptoProviderFactory.ReleaseSignatureProvider(provider);
        }
    }

    public static string Unsigned(IDictionary<string, object> header, IDictionary<string, object?> payload) =>
        Segment(header) + "." + Segment(payload) + ".";

    public static string HmacWithSecret(IDictionary<string, object> header, IDictionary<string, object?> payload, byte[] secret)
    {
        var signingInput = Segment(header) + "." + Segment(payload);
        var signature = System.Security.Cryptography.HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    public static (Dictionary<string, object> Header, Dictionary<string, object?> Payload) Decode(string token)
    {
        var parts = token.Split('.');
        var header = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64UrlEncoder.Decode(parts[0]))!
            .ToDictionary(p => p.Key, p => (object)p.Value);
        var payload = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64UrlEncoder.Decode(parts[1]))!
            .ToDictionary(p => p.Key, p => (object?)p.Value);
        return (header, payload);
    }
}
