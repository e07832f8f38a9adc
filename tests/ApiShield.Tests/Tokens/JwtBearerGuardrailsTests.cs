using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;

namespace ApiShield.Tests.Tokens;

[TestFixture]
public sealed class JwtBearerGuardrailsTests
{
    private const string UserJwtsKey = "iYMxj3blXS9DTMNiCc6D+ePZeSBs7+KUorFz98GXKGU=";

    private static Dictionary<string, string?> UserJwtsSettings() => new()
    {
        ["Authentication:Schemes:Bearer:Authority"] = null,
        ["Authentication:Schemes:Bearer:ValidIssuer"] = "dotnet-user-jwts",
        ["Authentication:Schemes:Bearer:ValidAudiences:0"] = "http://localhost:5080",
        ["Authentication:Schemes:Bearer:SigningKeys:0:Id"] = "abc",
        ["Authentication:Schemes:Bearer:SigningKeys:0:Issuer"] = "dotnet-user-jwts",
        ["Authentication:Schemes:Bearer:SigningKeys:0:Value"] = UserJwtsKey,
        ["Authentication:Schemes:Bearer:SigningKeys:0:Length"] = "32",
    };

    private static async Task<string> StartupErrorAsync(string environment, Dictionary<string, string?> settings)
    {
        var error = Assert.CatchAsync(async () =>
        {
            await using var api = await TestApi.StartAsync(new TestApiOptions { Environment = environment, Settings = settings });
        });
        Assert.That(error, Is.InstanceOf<OptionsValidationException>());
        return error!.Message;
    }

    [Test]
    public async Task Validate_UserJwtsInProduction_FailsNamingBothKeys()
    {
        var message = await StartupErrorAsync("Production", UserJwtsSettings());

        Assert.Multiple(() =>
        {
            Assert.That(message, Does.Contain("Authentication:Schemes:Bearer:SigningKeys").And.Contain("ApiShield:Tokens:AllowSymmetricKeys"));
            Assert.That(message, Does.Contain("Authentication:Schemes:Bearer:ValidIssuer").And.Contain("ApiShield:Tokens:AllowDevelopmentIssuer"));
        });
    }

    [Test]
    public async Task Validate_UserJwtsInDevelopment_Starts()
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions { Environment = "Development", Settings = UserJwtsSettings() });

        Assert.That(api.App, Is.Not.Null);
    }

    [Test]
    public async Task Validate_UserJwtsInProductionExplicitlyAllowed_StartsAndLogsWarnings()
    {
        var settings = UserJwtsSettings();
        settings["ApiShield:Tokens:AllowSymmetricKeys"] = "true";
        settings["ApiShield:Tokens:AllowDevelopmentIssuer"] = "true";

        await using var api = await TestApi.StartAsync(new TestApiOptions { Settings = settings });

        Assert.That(api.Logs.GetSnapshot().Count(r => r.Id.Id == 203), Is.EqualTo(2));
    }

    [Test]
    public async Task Validate_InsecureMetadataInProduction_FailsNamingKey()
    {
        var message = await StartupErrorAsync("Production", new() { ["Authentication:Schemes:Bearer:RequireHttpsMetadata"] = "false" });

        Assert.That(message, Does.Contain("Authentication:Schemes:Bearer:RequireHttpsMetadata").And.Contain("ApiShield:Tokens:AllowInsecureMetadata"));
    }

    [Test]
    public async Task Validate_InsecureMetadataAllowed_Starts()
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            Settings = { ["Authentication:Schemes:Bearer:RequireHttpsMetadata"] = "false", ["ApiShield:Tokens:AllowInsecureMetadata"] = "true" },
        });

        Assert.That(api.Logs.GetSnapshot().Any(r => r.Id.Id == 203), Is.True);
    }

    [Test]
    public async Task Validate_NoAudience_FailsNamingKey()
    {
        var message = await StartupErrorAsync("Production", new() { ["Authentication:Schemes:Bearer:ValidAudience"] = null });

        Assert.That(message, Does.Contain("Authentication:Schemes:Bearer:ValidAudiences"));
    }

    [TestCase("ValidateAudience")]
    [TestCase("ValidateIssuer")]
    public async Task Validate_ValidationSwitchedOff_FailsNamingKey(string setting)
    {
        var message = await StartupErrorAsync("Development", new() { ["Authentication:Schemes:Bearer:" + setting] = "false" });

        Assert.That(message, Does.Contain("Authentication:Schemes:Bearer:" + setting + " must not be false"));
    }

    [Test]
    public async Task Validate_NoAuthorityNorKeys_FailsNamingKey()
    {
        var message = await StartupErrorAsync("Production", new()
        {
            ["Authentication:Schemes:Bearer:Authority"] = null,
            ["Authentication:Schemes:Bearer:ValidIssuer"] = "https://issuer.example",
        });

        Assert.That(message, Does.Contain("Authentication:Schemes:Bearer:Authority"));
    }

    [Test]
    public async Task Validate_NoIssuerAndNoAuthority_FailsNamingKey()
    {
        var settings = UserJwtsSettings();
        settings["Authentication:Schemes:Bearer:ValidIssuer"] = null;

        var message = await StartupErrorAsync("Development", settings);

        Assert.That(message, Does.Contain("Authentication:Schemes:Bearer:ValidIssuer"));
    }
}
