using System.Diagnostics;
using System.Net;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ApiShield.Tests.Tokens;

[TestFixture]
public sealed class JwtBearerHardeningTests
{
    private const string InvalidSignature = "Bearer error=\"invalid_token\", error_description=\"The access token's signature is invalid.\"";
    private const string InvalidToken = "Bearer error=\"invalid_token\", error_description=\"The access token is invalid.\"";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Test]
    public async Task PostConfigure_KeyRotated_NewKidAcceptedWithoutRestart()
    {
        await using var api = await StartAsync();
        var before = api.Token();
        using (var warm = await api.GetAsync("/orders", before))
        {
            Assert.That(warm.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var rotated = api.Idp.Rotate();
        var after = api.Token();
        Assert.That(RawJwt.Decode(after).Header["kid"].ToString(), Is.EqualTo(rotated.KeyId));

        // IdentityModel refreshes in the background after an unknown kid: poll until the new key is in use.
        var status = await PollAsync(api, after, HttpStatusCode.OK);
        using var withdrawn = await api.GetAsync("/orders", before);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), "a token signed with the rotated key was not accepted");
            Assert.That(api.Idp.JwksRequests, Is.InRange(2, 3));
            Assert.That(withdrawn.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a key withdrawn from the JWKS must stop validating");
        });

    }

    [Test]
    public async Task PostConfigure_FloodOfUnknownKids_DoesNotFetchMetadataPerRequest()
    {
        await using var api = await StartAsync();
        using (var warm = await api.GetAsync("/orders", api.Token()))
        {
            Assert.That(warm.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var attacker = TestIdentityProvider.CreateRsaKey();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 200; i++)
        {
            var token = api.Token(t =>
            {
                t.Key = attacker;
                t.Header["kid"] = Guid.NewGuid().ToString("N");
            });
            using var response = await api.GetAsync("/orders", token);
            statuses.Add(response.StatusCode);
            Assert.That(ProblemAssert.WwwAuthenticate(response), Is.EqualTo(InvalidSignature));
        }

        Assert.Multiple(() =>
        {
            Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(api.Idp.JwksRequests, Is.LessThanOrEqualTo(3), "JWKS fetched per unknown kid");
            Assert.That(api.Idp.DiscoveryRequests, Is.LessThanOrEqualTo(3), "discovery fetched per unknown kid");
        });

        using var legitimate = await api.GetAsync("/orders", api.Token());
        Assert.That(legitimate.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task PostConfigure_Defaults_ClockSkewIs30Seconds()
    {
        await using var api = await StartAsync();
        Assert.That(Bearer(api).TokenValidationParameters.ClockSkew, Is.EqualTo(TimeSpan.FromSeconds(30)));

        var token = api.Token(t => t.Claims["exp"] = api.Time.GetUtcNow().AddMinutes(1).ToUnixTimeSeconds());
        // 'exp' is whole seconds and the clock is not: 29 s past it is inside the skew, 31 s past it is not.
        api.Time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(29));
        using var within = await api.GetAsync("/orders", token);
        api.Time.Advance(TimeSpan.FromSeconds(2));
        using var beyond = await api.GetAsync("/orders", token);

        Assert.Multiple(() =>
        {
            Assert.That(within.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(beyond.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task PostConfigure_Defaults_RequireExpirationTime()
    {
        await using var api = await StartAsync();
        var parameters = Bearer(api).TokenValidationParameters;

        using var response = await api.GetAsync("/orders", api.Token(t => t.Claims["exp"] = null));

        Assert.Multiple(() =>
        {
            Assert.That(parameters.RequireExpirationTime, Is.True);
            Assert.That(parameters.ValidateLifetime, Is.True);
            Assert.That(ProblemAssert.WwwAuthenticate(response), Is.EqualTo("Bearer error=\"invalid_token\", error_description=\"The access token has no expiration time.\""));
        });
    }

    [Test]
    public async Task PostConfigure_Defaults_MaxTokenLengthIs16384()
    {
        await using var api = await StartAsync();
        var handler = Bearer(api).TokenHandlers.OfType<JsonWebTokenHandler>().Single();
        var atLimit = TokenOfLength(api, 16_384);
        var overLimit = TokenOfLength(api, 16_385);

        using var accepted = await api.GetAsync("/orders", atLimit);
        using var refused = await api.GetAsync("/orders", overLimit);

        Assert.Multiple(() =>
        {
            Assert.That(handler.MaximumTokenSizeInBytes, Is.EqualTo(16_384));
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(ProblemAssert.WwwAuthenticate(refused), Is.EqualTo("Bearer error=\"invalid_token\", error_description=\"The access token is longer than this API accepts.\""));
        });
    }

    [Test]
    public async Task PostConfigure_Defaults_ClaimNamesNotMapped()
    {
        await using var api = await StartAsync();
        var token = api.Token(t =>
        {
            t.Scope("orders:read");
            t.Claims["scp"] = "orders:write";
            t.Claims["roles"] = new[] { "admin" };
        });

        using var response = await api.GetAsync("/claims", token);
        var claims = (await response.Content.ReadAsStringAsync()).Split(',');

        Assert.Multiple(() =>
        {
            Assert.That(Bearer(api).MapInboundClaims, Is.False);
            Assert.That(claims, Does.Contain("sub").And.Contain("scope").And.Contain("scp").And.Contain("roles"));
            Assert.That(claims, Has.None.Contains("schemas."));
        });
    }

    [Test]
    public async Task PostConfigure_Production_AlgorithmAllowListExcludesHmacAndNone()
    {
        await using var api = await StartAsync();

        var algorithms = Bearer(api).TokenValidationParameters.ValidAlgorithms;

        Assert.That(algorithms, Is.EquivalentTo(new[] { "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512" }));
    }

    [Test]
    public async Task PostConfigure_Development_AllowsHmacForUserJwts()
    {
        var secret = new SymmetricSecurityKey(RandomBytes(32)) { KeyId = "user-jwts" };
        await using var api = await StartAsync("Development", [], secret);

        using var response = await api.GetAsync("/orders", api.Token(t => t.Key = secret));

        Assert.Multiple(() =>
        {
            Assert.That(Bearer(api).TokenValidationParameters.ValidAlgorithms, Does.Contain("HS256"));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task PostConfigure_AllowListWithoutHmac_RefusesHmacEvenWithSymmetricKey()
    {
        var secret = new SymmetricSecurityKey(RandomBytes(32)) { KeyId = "shared" };
        await using var api = await StartAsync("Production", new()
        {
            ["ApiShield:Tokens:AllowSymmetricKeys"] = "true",
            ["ApiShield:Tokens:ValidAlgorithms:0"] = "RS256",
        }, secret);

        using var hmac = await api.GetAsync("/orders", api.Token(t => t.Key = secret));
        using var rsa = await api.GetAsync("/orders", api.Token());

        Assert.Multiple(() =>
        {
            Assert.That(hmac.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(ProblemAssert.WwwAuthenticate(hmac), Does.StartWith("Bearer error=\"invalid_token\""));
            Assert.That(rsa.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task PostConfigure_CritHeader_RefusedBeforeHostEvents()
    {
        var hostSawToken = false;
        await using var api = await StartAsync("Production", [], configure: o => o.Events = new JwtBearerEvents
        {
            OnTokenValidated = _ =>
            {
                hostSawToken = true;
                return Task.CompletedTask;
            },
        });
        var token = api.Token(t =>
        {
            t.Header["crit"] = new[] { "urn:example:ext" };
            t.Header["urn:example:ext"] = true;
        });

        using var response = await api.GetAsync("/orders", token);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(ProblemAssert.WwwAuthenticate(response), Is.EqualTo(InvalidToken));
            Assert.That(hostSawToken, Is.False);
        });
    }

    [Test]
    public async Task PostConfigure_HostTokenValidatedEvent_StillRuns()
    {
        var hostSawToken = false;
        await using var api = await StartAsync("Production", [], configure: o => o.Events = new JwtBearerEvents
        {
            OnTokenValidated = _ =>
            {
                hostSawToken = true;
                return Task.CompletedTask;
            },
        });

        using var response = await api.GetAsync("/orders", api.Token());

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(hostSawToken, Is.True);
        });
    }

    private static Task<TestApi> StartAsync(
        string environment = "Production",
        Dictionary<string, string?>? settings = null,
        SecurityKey? extraKey = null,
        Action<JwtBearerOptions>? configure = null) =>
        TestApi.StartAsync(new TestApiOptions
        {
            Environment = environment,
            Settings = settings ?? [],
            ConfigureServicesAfter = b => b.Services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o =>
            {
                if (extraKey is not null)
                {
                    o.TokenValidationParameters.IssuerSigningKey = extraKey;
                }

                configure?.Invoke(o);
            }),
            Map = app =>
            {
                app.MapGet("/orders", (HttpContext c) => c.User.FindFirst("sub")?.Value);
                app.MapGet("/claims", (HttpContext c) => string.Join(",", c.User.Claims.Select(x => x.Type).Distinct().Order()));
            },
        });

    private static JwtBearerOptions Bearer(TestApi api) =>
        api.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);

    private static async Task<HttpStatusCode> PollAsync(TestApi api, string token, HttpStatusCode wanted)
    {
        var clock = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            using var response = await api.GetAsync("/orders", token);
            status = response.StatusCode;
            if (status == wanted)
            {
                break;
            }

            await Task.Delay(10);
        }
        while (clock.Elapsed < Deadline);

        return status;
    }

    private static string TokenOfLength(TestApi api, int length)
    {
        string Mint(int pad, int extra) => api.Token(t =>
        {
            t.Claims["jti"] = "fixed";
            t.Claims["pad"] = new string('a', pad);
            t.Header["x"] = new string('b', extra);
        });

        // Base64url grows in steps of one or two characters: start near the length, vary header and payload until exact.
        var start = Math.Max(0, ((length - Mint(0, 0).Length) * 3 / 4) - 8);
        for (var pad = start; pad < start + 32; pad++)
        {
            for (var extra = 0; extra < 3; extra++)
            {
                var token = Mint(pad, extra);
                if (token.Length == length)
                {
                    return token;
                }
            }
        }

        throw new InvalidOperationException("No token of length " + length);
    }

    private static byte[] RandomBytes(int count) => System.Security.Cryptography.RandomNumberGenerator.GetBytes(count);
}
