using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ApiShield.Tests.TestSupport;

/// <summary>Endpoints for threat-protection tests.</summary>
internal static class JsonTestEndpoints
{
    /// <summary>
    /// POST <paramref name="pattern"/>: binds the body as System.Text.Json does for any minimal API and reads every name
    /// and string, as a typed model would (an invalid string there throws, which would surface as a 500).
    /// </summary>
    public static RouteHandlerBuilder MapModel(this WebApplication app, string pattern) =>
        app.MapPost(pattern, (JsonElement body) => Results.Text("ok:" + Walk(body))).AllowAnonymous();

    /// <summary>POST <paramref name="pattern"/>: reads the raw body and returns its length and SHA-256.</summary>
    public static RouteHandlerBuilder MapEcho(this WebApplication app, string pattern) =>
        app.MapPost(pattern, async (HttpRequest request) =>
        {
            using var copy = new MemoryStream();
            await request.Body.CopyToAsync(copy);
            return Results.Text(Fingerprint(copy.ToArray()));
        }).Accepts<JsonElement>("application/json").AllowAnonymous();

    public static string Fingerprint(byte[] body) => body.Length + ":" + Convert.ToHexString(SHA256.HashData(body));

    private static int Walk(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var count = 0;
                foreach (var property in element.EnumerateObject())
                {
                    count += property.Name.Length + Walk(property.Value);
                }

                return count;
            case JsonValueKind.Array:
                var sum = 0;
                foreach (var item in element.EnumerateArray())
                {
                    sum += Walk(item);
                }

                return sum;
            case JsonValueKind.String:
                return element.GetString()!.Length;
            default:
                return 1;
        }
    }
}
