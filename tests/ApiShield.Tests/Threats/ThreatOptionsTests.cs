using ApiShield.Tests.TestSupport;
using ApiShield.Threats;
using Microsoft.Extensions.Options;

namespace ApiShield.Tests.Threats;

[TestFixture]
public sealed class ThreatOptionsTests
{
    [Test]
    public void Defaults_ArePinned()
    {
        var threats = new ApiShieldOptions().Threats;

        Assert.Multiple(() =>
        {
            Assert.That(threats.Mode, Is.EqualTo(ThreatMode.Block));
            Assert.That(threats.StrictConfigurationAudit, Is.False);

            Assert.That(threats.Json.Enabled, Is.True);
            Assert.That(threats.Json.MaxBodySize, Is.EqualTo(1024 * 1024));
            Assert.That(threats.Json.MaxDepth, Is.EqualTo(32));
            Assert.That(threats.Json.MaxObjectEntries, Is.EqualTo(1000));
            Assert.That(threats.Json.MaxArrayLength, Is.EqualTo(10_000));
            Assert.That(threats.Json.MaxPropertyNameLength, Is.EqualTo(256));
            Assert.That(threats.Json.MaxStringLength, Is.EqualTo(65_536));
            Assert.That(threats.Json.MaxNumberLength, Is.EqualTo(64));
            Assert.That(threats.Json.RejectDuplicateProperties, Is.True);

            Assert.That(threats.Injection.Enabled, Is.False);
            Assert.That(threats.Injection.RuleSets, Is.EqualTo(InjectionRuleSets.Sql | InjectionRuleSets.Script));
            Assert.That(threats.Injection.Targets, Is.EqualTo(InjectionTargets.Path | InjectionTargets.Query | InjectionTargets.Headers | InjectionTargets.JsonBody));
            Assert.That(threats.Injection.Patterns, Is.Empty);
            Assert.That(threats.Injection.ExcludedHeaders, Is.Empty, "empty stands for the built-in list");
            Assert.That(new InjectionMatcher(threats.Injection).ExcludedHeaders, Is.EquivalentTo(new[] { "Authorization", "Cookie" }));

            Assert.That(threats.Headers.Enabled, Is.True);
            Assert.That(threats.Headers.CacheControl, Is.EqualTo("no-store"));
            Assert.That(threats.Headers.XContentTypeOptions, Is.EqualTo("nosniff"));
            Assert.That(threats.Headers.ContentSecurityPolicy, Is.EqualTo("default-src 'none'; frame-ancestors 'none'"));
            Assert.That(threats.Headers.XFrameOptions, Is.EqualTo("DENY"));
            Assert.That(threats.Headers.ReferrerPolicy, Is.EqualTo("no-referrer"));
            Assert.That(threats.Headers.RemoveServerHeaders, Is.True);
        });
    }

    [TestCase("Json:MaxBodySize", "0")]
    [TestCase("Json:MaxBodySize", "1073741825")]
    [TestCase("Json:MaxDepth", "0")]
    [TestCase("Json:MaxDepth", "1025")]
    [TestCase("Json:MaxObjectEntries", "0")]
    [TestCase("Json:MaxArrayLength", "-1")]
    [TestCase("Json:MaxPropertyNameLength", "0")]
    [TestCase("Json:MaxStringLength", "0")]
    [TestCase("Json:MaxNumberLength", "0")]
    [TestCase("Headers:ContentSecurityPolicy", "default-src 'none'\r\nX-Evil: 1")]
    [TestCase("Injection:ExcludedHeaders:0", " ")]
    [TestCase("Injection:Patterns:0", "(?<=a)b")]
    public void Startup_InvalidValue_FailsNamingKey(string key, string value)
    {
        var ex = Assert.ThrowsAsync<OptionsValidationException>(() => TestApi.StartAsync(new TestApiOptions
        {
            Settings = { ["ApiShield:Threats:" + key] = value },
        }));

        Assert.That(ex!.Message, Does.Contain("ApiShield:Threats:" + key));
    }

    [Test]
    public void Startup_InjectionWithNothingToMatch_FailsNamingKeys()
    {
        var ex = Assert.ThrowsAsync<OptionsValidationException>(() => TestApi.StartAsync(new TestApiOptions
        {
            Settings = { ["ApiShield:Threats:Injection:Enabled"] = "true", ["ApiShield:Threats:Injection:RuleSets"] = "None" },
        }));

        Assert.That(ex!.Message, Does.Contain("ApiShield:Threats:Injection:RuleSets").And.Contain("ApiShield:Threats:Injection:Patterns"));
    }

    [Test]
    public void Startup_InjectionOnJsonBodyWithJsonOff_FailsNamingKeys()
    {
        var ex = Assert.ThrowsAsync<OptionsValidationException>(() => TestApi.StartAsync(new TestApiOptions
        {
            Settings = { ["ApiShield:Threats:Injection:Enabled"] = "true", ["ApiShield:Threats:Json:Enabled"] = "false" },
        }));

        Assert.That(ex!.Message, Does.Contain("ApiShield:Threats:Json:Enabled"));
    }
}
