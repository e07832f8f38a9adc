using ApiShield.Revocation;
using ApiShield.Stores.Redis;

namespace ApiShield.Tests.Revocation;

[TestFixture]
public sealed class RevocationOptionsTests
{
    [Test]
    public void Defaults_AreSecure()
    {
        var options = new RevocationOptions();
        var redis = new RedisOptions();

        Assert.Multiple(() =>
        {
            Assert.That(options.Enabled, Is.False);
            Assert.That(options.RequireTokenId, Is.True);
            Assert.That(options.BurnTokensSeenOverHttp, Is.True);
            Assert.That(options.MaxStaleness, Is.EqualTo(TimeSpan.FromMinutes(5)));
            Assert.That(options.StalenessMode, Is.EqualTo(RevocationStalenessMode.FailClosed));
            Assert.That(options.MaxTokenLifetime, Is.Null);
            Assert.That(options.SyncInterval, Is.EqualTo(TimeSpan.FromMilliseconds(500)));
            Assert.That(redis.ConnectionString, Is.Null);
            Assert.That(redis.InstanceName, Is.EqualTo("apishield:"));
        });
    }

    [TestCase("ApiShield:Revocation:MaxStaleness", "00:00:00", "ApiShield:Revocation:MaxStaleness must be between")]
    [TestCase("ApiShield:Revocation:SyncInterval", "00:05:00", "ApiShield:Revocation:SyncInterval must be between")]
    [TestCase("ApiShield:Revocation:StalenessMode", "7", "ApiShield:Revocation:StalenessMode must be FailClosed or FailOpen.")]
    [TestCase("ApiShield:Redis:InstanceName", "a{b", "ApiShield:Redis:InstanceName must not contain")]
    public void Validation_BadValue_StopsStartupNamingTheKey(string key, string value, string message)
    {
        var exception = Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
        {
            await using var api = await TestSupport.TestApi.StartAsync(new TestSupport.TestApiOptions { Settings = { [key] = value } });
        });

        Assert.That(exception!.Message, Does.Contain(message));
    }
}
