using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ApiShield.Diagnostics;
using ApiShield.Filtering;
using ApiShield.Scopes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ApiShield.Tests.Filtering;

[TestFixture]
public sealed class SensitiveJsonModifierTests
{
    private ServiceProvider _services = null!;
    private ScopeEvaluator _evaluator = null!;
    private HttpContextAccessor _accessor = null!;
    private JsonSerializerOptions _json = null!;

    [SetUp]
    public void SetUp()
    {
        var options = Options.Create(new ApiShieldOptions());
        options.Value.Filtering.HashKey = FilterHarness.HashKey;
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _evaluator = new ScopeEvaluator(options);
        _accessor = new HttpContextAccessor();
        var modifier = new SensitiveJsonModifier(
            _accessor,
            _evaluator,
            new ScopeRegistry(),
            new ApiShieldMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
            options,
            NullLogger<SensitiveJsonModifier>.Instance);
        _json = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = new DefaultJsonTypeInfoResolver().WithAddedModifier(modifier.Modify) };
    }

    [TearDown]
    public void TearDown()
    {
        _accessor.HttpContext = null;
        _services.Dispose();
    }

    // Servers reuse a connection's HttpContext for its next request: the caller resolved for one request must not
    // be served to the next one on the same context and thread.
    [Test]
    public void Redacts_ReusedContextWithNewCaller_UsesNewCaller()
    {
        var context = new DefaultHttpContext();
        _accessor.HttpContext = context;
        context.Features.Set(Feature(User("orders:read")));
        var first = Email(JsonSerializer.Serialize(FilteringSamples.Account, _json));

        context.Features.Set(Feature(User("orders:read pii:read")));
        var second = Email(JsonSerializer.Serialize(FilteringSamples.Account, _json));

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo("****"));
            Assert.That(second, Is.EqualTo("ann@example.com"));
        });
    }

    [Test]
    public void Redacts_FeatureClearedAndUserChanged_ResolvesCallerAgain()
    {
        var context = new DefaultHttpContext { User = User("orders:read pii:read") };
        _accessor.HttpContext = context;
        var first = Email(JsonSerializer.Serialize(FilteringSamples.Account, _json));

        context.Features.Set<FilteringFeature?>(null);
        context.User = User("orders:read");
        var second = Email(JsonSerializer.Serialize(FilteringSamples.Account, _json));

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo("ann@example.com"));
            Assert.That(second, Is.EqualTo("****"));
        });
    }

    [Test]
    public void Redacts_NoRequest_NobodyHoldsTheScope()
    {
        var json = JsonSerializer.Serialize(FilteringSamples.Account, _json);

        Assert.Multiple(() =>
        {
            Assert.That(Email(json), Is.EqualTo("****"));
            Assert.That(json, Does.Not.Contain("fraud"));
        });
    }

    private static ClaimsPrincipal User(string scope) => new(new ClaimsIdentity([new Claim("scope", scope)], "test"));

    private FilteringFeature Feature(ClaimsPrincipal user) => new(new FilterCaller(user, _evaluator, null, NullLogger.Instance), FilterProgram.Empty);

    private static string? Email(string json) => JsonDocument.Parse(json).RootElement.GetProperty("email").GetString();
}
