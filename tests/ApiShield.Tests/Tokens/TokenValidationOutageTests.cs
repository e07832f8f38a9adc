using System.Net;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;

namespace ApiShield.Tests.Tokens;

/// <summary>What callers see when the identity provider's metadata cannot be fetched.</summary>
[TestFixture]
public sealed class TokenValidationOutageTests
{
    [Test]
    public async Task Authenticate_ProviderUnreachable_Returns503WithRetryAfterNever500()
    {
        var idp = new TestIdentityProvider { Unavailable = true };
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            IdentityProvider = idp,
            Map = app =>
            {
                app.MapGet("/orders", () => "orders").RequireScope("orders:read");
                app.MapGet("/open", () => "open").AllowAnonymous();
            },
        });
        var token = api.Token(t => t.Scope("orders:read"));

        using var required = await api.GetAsync("/orders", token);
        using var optional = await api.GetAsync("/open", token);

        await ProblemAssert.IsProblemAsync(required, HttpStatusCode.ServiceUnavailable, "token-validation-unavailable");
        Assert.That(required.Headers.RetryAfter, Is.Not.Null);
        Assert.That(optional.StatusCode, Is.EqualTo(HttpStatusCode.OK), "an anonymous endpoint still serves");
    }
}
