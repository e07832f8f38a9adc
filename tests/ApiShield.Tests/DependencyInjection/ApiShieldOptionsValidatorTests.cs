using ApiShield.Https;
using ApiShield.Tests.TestSupport;
using Microsoft.Extensions.Options;

namespace ApiShield.Tests.DependencyInjection;

[TestFixture]
public sealed class ApiShieldOptionsValidatorTests
{
    private static async Task<string> StartupErrorAsync(Dictionary<string, string?> settings, string environment = "Production")
    {
        var error = Assert.CatchAsync(async () =>
        {
            await using var api = await TestApi.StartAsync(new TestApiOptions { Environment = environment, Settings = settings });
        });
        Assert.That(error, Is.InstanceOf<OptionsValidationException>().Or.InstanceOf<InvalidOperationException>());
        return error!.Message;
    }

    [TestCase("ApiShield:Tokens:ClockSkew", "00:10:00")]
    [TestCase("ApiShield:Tokens:ClockSkew", "-00:00:01")]
    [TestCase("ApiShield:Tokens:MaxTokenLifetime", "00:00:10")]
    [TestCase("ApiShield:Tokens:MaxTokenLength", "10")]
    [TestCase("ApiShield:Tokens:MaxTokenLength", "99999999")]
    [TestCase("ApiShield:Https:HstsMaxAge", "-1.00:00:00")]
    public async Task Validate_OutOfRange_FailsNamingKey(string key, string value)
    {
        var message = await StartupErrorAsync(new() { [key] = value });

        Assert.That(message, Does.Contain(key));
    }

    [TestCase("none")]
    [TestCase("NONE")]
    [TestCase("RS1")]
    public async Task Validate_BadAlgorithm_FailsNamingKey(string algorithm)
    {
        var message = await StartupErrorAsync(new() { ["ApiShield:Tokens:ValidAlgorithms:0"] = algorithm });

        Assert.That(message, Does.Contain("ApiShield:Tokens:ValidAlgorithms:0"));
    }

    [Test]
    public async Task Validate_SymmetricAlgorithmInProduction_FailsNamingKey()
    {
        var message = await StartupErrorAsync(new() { ["ApiShield:Tokens:ValidAlgorithms:0"] = "HS256" });

        Assert.That(message, Does.Contain("ApiShield:Tokens:ValidAlgorithms:0").And.Contain("ApiShield:Tokens:AllowSymmetricKeys"));
    }

    [Test]
    public async Task Validate_PreloadWithoutSubdomains_FailsNamingKeys()
    {
        var message = await StartupErrorAsync(new() { ["ApiShield:Https:HstsPreload"] = "true", ["ApiShield:Https:HstsIncludeSubDomains"] = "false" });

        Assert.That(message, Does.Contain("ApiShield:Https:HstsPreload").And.Contain("ApiShield:Https:HstsIncludeSubDomains"));
    }

    [Test]
    public async Task Validate_PreloadWithShortMaxAge_Fails()
    {
        var message = await StartupErrorAsync(new() { ["ApiShield:Https:HstsPreload"] = "true", ["ApiShield:Https:HstsMaxAge"] = "30.00:00:00" });

        Assert.That(message, Does.Contain("ApiShield:Https:HstsMaxAge"));
    }

    [Test]
    public async Task Validate_UnknownLoopbackPolicy_FailsNamingKey()
    {
        var message = await StartupErrorAsync(new() { ["ApiShield:Https:AllowLoopbackHttp"] = "Sometimes" });

        Assert.That(message, Does.Contain("AllowLoopbackHttp"));
    }

    [Test]
    public async Task Validate_RealmWithQuote_FailsNamingKey()
    {
        var message = await StartupErrorAsync(new() { ["ApiShield:Tokens:Realm"] = "a\"b" });

        Assert.That(message, Does.Contain("ApiShield:Tokens:Realm"));
    }

    [Test]
    public async Task Validate_EmptyScopeClaimType_FailsNamingKey()
    {
        var message = await StartupErrorAsync(new() { ["ApiShield:Scopes:ClaimTypes:0"] = " " });

        Assert.That(message, Does.Contain("ApiShield:Scopes:ClaimTypes:0"));
    }

    [Test]
    public void Defaults_AreSecure()
    {
        var options = new ApiShieldOptions();

        Assert.Multiple(() =>
        {
            Assert.That(options.Https.RequireHttps, Is.True);
            Assert.That(options.Https.AllowLoopbackHttp, Is.EqualTo(LoopbackHttpPolicy.DevelopmentOnly));
            Assert.That(options.Https.Hsts, Is.True);
            Assert.That(options.Https.HstsMaxAge, Is.EqualTo(TimeSpan.FromDays(365)));
            Assert.That(options.Https.HstsIncludeSubDomains, Is.True);
            Assert.That(options.Https.HstsPreload, Is.False);
            Assert.That(options.Tokens.ValidAlgorithms, Is.Empty, "empty means the environment's asymmetric default");
            Assert.That(options.Tokens.ClockSkew, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(options.Tokens.MaxTokenLifetime, Is.EqualTo(TimeSpan.FromHours(28)));
            Assert.That(options.Tokens.MaxTokenLength, Is.EqualTo(16384));
            Assert.That(options.Tokens.RequireAccessTokenType, Is.False);
            Assert.That(options.Tokens.AllowSymmetricKeys, Is.False);
            Assert.That(options.Tokens.AllowDevelopmentIssuer, Is.False);
            Assert.That(options.Tokens.AllowInsecureMetadata, Is.False);
            Assert.That(options.Tokens.Realm, Is.Null);
            Assert.That(options.Scopes.ClaimTypes, Is.Empty, "empty means scope and scp");
            Assert.That(options.Scopes.IncludeRoles, Is.False);
            Assert.That(options.Scopes.RequireExplicitScopes, Is.False);
        });
    }
}
