using ApiShield.Tests.TestSupport;
using Microsoft.Extensions.Options;

namespace ApiShield.Tests.DependencyInjection;

[TestFixture]
public sealed class ConfigurationRangeAttributeTests
{
    // The options source generator formats its own RangeAttribute copy without ErrorMessage; these pin that every
    // range message names its configuration key.
    [TestCase("ApiShield:Https:HstsMaxAge", "3651.00:00:00")]
    [TestCase("ApiShield:Tokens:ClockSkew", "00:10:00")]
    [TestCase("ApiShield:Tokens:MaxTokenLifetime", "00:00:10")]
    [TestCase("ApiShield:Tokens:MaxTokenLength", "1")]
    [TestCase("ApiShield:Threats:Json:MaxDepth", "0")]
    public void Startup_OutOfRange_MessageNamesKey(string key, string value)
    {
        var ex = Assert.ThrowsAsync<OptionsValidationException>(() => TestApi.StartAsync(new TestApiOptions { Settings = { [key] = value } }));

        Assert.That(ex!.Message, Does.Contain(key + " must be"));
    }
}
