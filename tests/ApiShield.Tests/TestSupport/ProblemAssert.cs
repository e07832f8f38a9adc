using System.Net;
using System.Text.Json;

namespace ApiShield.Tests.TestSupport;

internal static class ProblemAssert
{
    /// <summary>Asserts an RFC 9457 problem response of the given status and ApiShield problem type.</summary>
    public static async Task<JsonElement> IsProblemAsync(HttpResponseMessage response, HttpStatusCode status, string problemName)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(status), body);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), body);
        });
        var json = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Multiple(() =>
        {
            Assert.That(json.GetProperty("type").GetString(), Is.EqualTo("tag:apishield.dev,2026:problem:" + problemName));
            Assert.That(json.GetProperty("status").GetInt32(), Is.EqualTo((int)status));
            Assert.That(json.GetProperty("title").GetString(), Is.Not.Empty);
        });
        return json;
    }

    public static string? WwwAuthenticate(HttpResponseMessage response) =>
        response.Headers.TryGetValues("WWW-Authenticate", out var values) ? string.Join(", ", values) : null;
}
