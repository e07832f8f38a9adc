using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using static ApiShield.Tests.RateLimiting.RateLimitTestApi;

namespace ApiShield.Tests.RateLimiting;

[TestFixture]
public sealed class RateLimitingOptionsValidationTests
{
    private const string P = "ApiShield:RateLimiting:Policies:orders:";

    private static async Task<string> StartupErrorAsync(Dictionary<string, string?> settings, Action<WebApplication>? map = null)
    {
        var error = Assert.CatchAsync(async () =>
        {
            await using var api = await StartAsync(settings, map ?? (_ => { }));
        });
        Assert.That(error, Is.InstanceOf<OptionsValidationException>().Or.InstanceOf<InvalidOperationException>());
        return error!.Message;
    }

    [TestCase("PermitLimit", "-5", "PermitLimit")]
    [TestCase("PermitLimit", "0", "PermitLimit")]
    [TestCase("Window", "00:00:00", "Window")]
    [TestCase("Window", "-00:00:01", "Window")]
    [TestCase("Burst", "0", "Burst")]
    [TestCase("Segments", "0", "Segments")]
    [TestCase("Partition", "Claim", "PartitionClaim")]
    [TestCase("Tiers:gold:PermitLimit", "10", "TierClaim")]
    public async Task Validate_BadPolicyValue_FailsNamingKey(string key, string value, string namedKey)
    {
        var settings = new Dictionary<string, string?>
        {
            [P + "Kind"] = key == "Segments" ? "Quota" : "Rate",
            [P + "PermitLimit"] = "10",
            [P + key] = value,
        };

        var message = await StartupErrorAsync(settings);

        Assert.That(message, Does.Contain(P + namedKey));
    }

    // Values inside every single range that the stores still cannot count with: a rolling quota whose segments are
    // shorter than a microsecond divides by zero on every request; a burst that takes millennia to refill overflows
    // the tolerance (Burst x Window / PermitLimit, in microseconds) and refuses everyone.
    [TestCase("Quota", "00:00:00.0000001", "Segments", "10", "Window")]
    [TestCase("Rate", "30.00:00:00", "Burst", "10000000", "Burst")]
    [TestCase("Rate", "30.00:00:00", "Tiers:gold:Burst", "10000000", "Tiers:gold:Burst")]
    [TestCase("SpikeArrest", "00:00:01", "Tiers:gold:PermitLimit", "2000000", "Tiers:gold:PermitLimit")]
    public async Task Validate_ValueTheStoresCannotCountWith_FailsNamingKey(string kind, string window, string key, string value, string namedKey)
    {
        var settings = new Dictionary<string, string?>
        {
            [P + "Kind"] = kind,
            [P + "PermitLimit"] = "1",
            [P + "Window"] = window,
            [P + "TierClaim"] = "plan",
            [P + "Tiers:gold:PermitLimit"] = "1",
            [P + key] = value,
        };

        var message = await StartupErrorAsync(settings);

        Assert.That(message, Does.Contain(P + namedKey));
    }

    [Test]
    public async Task Validate_UnknownKind_FailsNamingKey()
    {
        var message = await StartupErrorAsync(new() { [P + "Kind"] = "LeakyFaucet", [P + "PermitLimit"] = "10" });

        Assert.That(message, Does.Contain(P + "Kind"));
    }

    [Test]
    public async Task Validate_MissingLimit_FailsNamingKey()
    {
        var message = await StartupErrorAsync(new() { [P + "Kind"] = "Rate" });

        Assert.That(message, Does.Contain(P + "PermitLimit"));
    }

    [Test]
    public async Task Validate_UnknownTimeZone_FailsNamingKey()
    {
        var message = await StartupErrorAsync(new() { [P + "Kind"] = "Quota", [P + "PermitLimit"] = "10", [P + "Calendar"] = "Day", [P + "TimeZone"] = "Mars/Olympus_Mons" });

        Assert.That(message, Does.Contain(P + "TimeZone"));
    }

    [Test]
    public async Task Validate_BurstOnSpikeArrest_FailsNamingKey()
    {
        var message = await StartupErrorAsync(new() { [P + "Kind"] = "SpikeArrest", [P + "PermitLimit"] = "10", [P + "Burst"] = "5" });

        Assert.That(message, Does.Contain(P + "Burst"));
    }

    [Test]
    public async Task Validate_BadPolicyName_FailsNamingKey()
    {
        var message = await StartupErrorAsync(new() { ["ApiShield:RateLimiting:Policies:or\"ders:Kind"] = "Rate", ["ApiShield:RateLimiting:Policies:or\"ders:PermitLimit"] = "1" });

        Assert.That(message, Does.Contain("ApiShield:RateLimiting:Policies:or\"ders"));
    }

    [Test]
    public async Task Validate_UnknownDefaultPolicy_FailsNamingKey()
    {
        var message = await StartupErrorAsync(new() { ["ApiShield:RateLimiting:DefaultPolicies:0"] = "nope" });

        Assert.That(message, Does.Contain("ApiShield:RateLimiting:DefaultPolicies:0"));
    }

    [TestCase("StoreTimeout", "00:00:00")]
    [TestCase("BreakDuration", "00:00:00")]
    [TestCase("FailuresBeforeBreak", "0")]
    [TestCase("IPv6PrefixLength", "8")]
    public async Task Validate_BadEngineSetting_FailsNamingKey(string key, string value)
    {
        var message = await StartupErrorAsync(new() { ["ApiShield:RateLimiting:" + key] = value });

        Assert.That(message, Does.Contain("ApiShield:RateLimiting:" + key));
    }

    [Test]
    public async Task Audit_EndpointNamingUnknownPolicy_FailsNamingEndpointAndPolicy()
    {
        var message = await StartupErrorAsync(
            Policy("orders", "Rate", 10),
            app => app.MapGet("/orders", () => "ok").WithRateLimits("orders", "ordres"));

        Assert.Multiple(() =>
        {
            Assert.That(message, Does.Contain("/orders"));
            Assert.That(message, Does.Contain("'ordres'"));
            Assert.That(message, Does.Contain("ApiShield:RateLimiting:Policies:ordres"));
        });
    }

    [Test]
    public async Task Defaults_ArePinned()
    {
        var options = new ApiShield.RateLimiting.RateLimitingOptions();
        var policy = new ApiShield.RateLimiting.RateLimitPolicyOptions();

        Assert.Multiple(() =>
        {
            Assert.That(options.Policies, Is.Empty);
            Assert.That(options.DefaultPolicies, Is.Empty);
            Assert.That(options.EmitHeaders, Is.True);
            Assert.That(options.IPv6PrefixLength, Is.EqualTo(64));
            Assert.That(options.StoreTimeout, Is.EqualTo(TimeSpan.FromMilliseconds(250)));
            Assert.That(options.FailuresBeforeBreak, Is.EqualTo(3));
            Assert.That(options.BreakDuration, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(policy.Kind, Is.EqualTo(ApiShield.RateLimiting.RateLimitKind.Rate));
            Assert.That(policy.PermitLimit, Is.Zero, "no silent default limit");
            Assert.That(policy.Window, Is.EqualTo(TimeSpan.FromMinutes(1)));
            Assert.That(policy.Burst, Is.Null);
            Assert.That(policy.Calendar, Is.EqualTo(ApiShield.RateLimiting.QuotaCalendar.Rolling));
            Assert.That(policy.TimeZone, Is.EqualTo("UTC"));
            Assert.That(policy.Partition, Is.EqualTo(ApiShield.RateLimiting.RateLimitPartitionKind.Client));
            Assert.That(policy.FailureMode, Is.EqualTo(ApiShield.RateLimiting.RateLimitFailureMode.Closed), "fails closed by default");
        });
        await Task.CompletedTask;
    }
}
