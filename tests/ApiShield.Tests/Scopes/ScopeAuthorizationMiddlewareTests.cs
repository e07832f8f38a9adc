using System.Net;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using System.Diagnostics.Metrics;

namespace ApiShield.Tests.Scopes;

[TestFixture]
public sealed class ScopeAuthorizationMiddlewareTests
{
    private const string Required = "orders:read";
    private const string Other = "inventory:read";
    private const string InsufficientScopeChallenge =
        "Bearer error=\"insufficient_scope\", error_description=\"The access token lacks a required scope.\", scope=\"orders:read\"";

    private readonly Dictionary<(AuthorizationSetup, ClaimSettings), TestApi> _matrixHosts = [];
    private TestApi _api = null!;

    public enum EndpointKind
    {
        ControllerClassAttribute,
        ControllerActionAttribute,
        MinimalApiConvention,
        MinimalApiLambdaAttribute,
        RouteGroupConvention,
    }

    public enum AuthorizationSetup
    {
        None,
        FallbackAuthenticatedUser,
        NamedPolicy,
        DefaultPolicyChanged,
        AuthorizeBeside,
        PermissiveFallbackPolicy,
        PermissiveDefaultPolicy,
    }

    public enum ClaimSettings
    {
        Default,
        IncludeRoles,
        PermissionsClaimType,
    }

    /// <summary>How a token carries a scope; <see cref="Grant"/> puts the given scope into the token in that shape.</summary>
    public sealed record ClaimShape(string Name, ClaimSettings Settings, bool Accepted, Action<IDictionary<string, object?>, string> Grant)
    {
        public override string ToString() => Name;
    }

    public static IEnumerable<ClaimShape> ClaimShapes()
    {
        yield return new("scope_single_string", ClaimSettings.Default, true, (t, s) => t["scope"] = s);
        yield return new("scope_space_delimited", ClaimSettings.Default, true, (t, s) => t["scope"] = $"profile {s} orders:write");
        yield return new("scope_extra_whitespace", ClaimSettings.Default, true, (t, s) => t["scope"] = $"  profile   {s}  ");
        yield return new("scope_json_array", ClaimSettings.Default, true, (t, s) => t["scope"] = new[] { "profile", s });
        yield return new("scope_json_array_single", ClaimSettings.Default, true, (t, s) => t["scope"] = new[] { s });
        yield return new("scp_string", ClaimSettings.Default, true, (t, s) => t["scp"] = $"profile {s}");
        yield return new("scp_json_array", ClaimSettings.Default, true, (t, s) => t["scp"] = new[] { s, "profile" });
        yield return new("scope_and_scp_split", ClaimSettings.Default, true, (t, s) =>
        {
            t["scope"] = "profile";
            t["scp"] = s;
        });
        yield return new("roles_without_opt_in_refused", ClaimSettings.Default, false, (t, s) => t["roles"] = new[] { s });
        yield return new("roles_with_include_roles", ClaimSettings.IncludeRoles, true, (t, s) => t["roles"] = new[] { s });
        yield return new("permissions_custom_claim_type", ClaimSettings.PermissionsClaimType, true, (t, s) => t["permissions"] = new[] { "profile", s });
        yield return new("permissions_not_configured_refused", ClaimSettings.Default, false, (t, s) => t["permissions"] = new[] { s });
        yield return new("scope_when_claim_types_replaced_refused", ClaimSettings.PermissionsClaimType, false, (t, s) => t["scope"] = s);
    }

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _api = await TestApi.StartAsync(new TestApiOptions
        {
            ConfigureServices = b => ListedControllers.AddControllersOnly(
                b.Services,
                typeof(ClassAndActionScopedController),
                typeof(RequireAllScopedController),
                typeof(AnonymousScopedController),
                typeof(AnyScopeController)),
            Map = app =>
            {
                app.MapGet("/any-of", () => "ok").RequireScope("orders:read", "orders:admin");
                app.MapGet("/all-of-chained", () => "ok").RequireScope("a").RequireScope("b");
                app.MapGet("/all-of-explicit", () => "ok").RequireAllScopes("a", "b");
                app.MapGet("/all-of-attribute", [RequireScope("a", "b", RequireAll = true)] () => "ok");
                app.MapGet("/exact", () => "ok").RequireScope(Required);
                app.MapGet("/anonymous-scoped", () => "ok").AllowAnonymous().RequireScope(Required);
                app.MapGet("/anonymous-scoped-attribute", [AllowAnonymous, RequireScope(Required)] () => "ok");
                app.MapGet("/any-scope", () => "ok").AllowAnyScope();
                app.MapGet("/any-scope-attribute", [AllowAnyScope] () => "ok");
                app.MapGet("/undeclared", () => "ok");
                app.MapGet("/anonymous", () => "ok").AllowAnonymous();
                var group = app.MapGroup("/group").RequireScope("a");
                group.MapGet("/nested", () => "ok").RequireScope("b");
                app.MapControllers();
            },
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _api.DisposeAsync();
        foreach (var host in _matrixHosts.Values)
        {
            await host.DisposeAsync();
        }
    }

    // ---- Matrix: claim shapes × endpoint kinds × host authorization setups ----

    [Test, Combinatorial]
    public async Task InvokeAsync_Matrix_GrantsOnlyWithScopeAndToken(
        [ValueSource(nameof(ClaimShapes))] ClaimShape shape,
        [Values] EndpointKind kind,
        [Values] AuthorizationSetup setup)
    {
        var api = await MatrixHostAsync(setup, shape.Settings);
        var path = PathOf(kind);

        using var granted = await api.GetAsync(path, api.Token(t => shape.Grant(t.Claims, Required)));
        using var lacking = await api.GetAsync(path, api.Token(t => shape.Grant(t.Claims, Other)));
        using var anonymous = await api.GetAsync(path, token: null);

        if (shape.Accepted)
        {
            Assert.That(granted.StatusCode, Is.EqualTo(HttpStatusCode.OK), await granted.Content.ReadAsStringAsync());
            Assert.That(await granted.Content.ReadAsStringAsync(), Is.EqualTo("ok"));
        }
        else
        {
            await AssertInsufficientScopeAsync(granted);
        }

        await AssertInsufficientScopeAsync(lacking);
        await ProblemAssert.IsProblemAsync(anonymous, HttpStatusCode.Unauthorized, "token-missing");
        Assert.That(ProblemAssert.WwwAuthenticate(anonymous), Is.EqualTo("Bearer"));
    }

    [Test]
    public async Task InvokeAsync_MatrixEndpointWithoutToken_NeverReachesHandlerUnderPermissiveSetups(
        [Values(AuthorizationSetup.PermissiveFallbackPolicy, AuthorizationSetup.PermissiveDefaultPolicy)] AuthorizationSetup setup)
    {
        var api = await MatrixHostAsync(setup, ClaimSettings.Default);

        // A valid token without any scope claim at all, and an invalid token: neither reaches a handler.
        using var noScope = await api.GetAsync(PathOf(EndpointKind.MinimalApiConvention), api.Token());
        using var forged = await api.GetAsync(PathOf(EndpointKind.MinimalApiConvention), api.Token(t =>
        {
            t.Scope(Required);
            t.Key = TestIdentityProvider.CreateRsaKey();
        }));

        await AssertInsufficientScopeAsync(noScope);
        await ProblemAssert.IsProblemAsync(forged, HttpStatusCode.Unauthorized, "invalid-token");
    }

    public enum HostPipeline
    {
        RoutingAndAuthenticationBeforeApiShield,
        AuthorizationAfterApiShield,
        AuthorizationBeforeApiShield,
        UseApiShieldTwice,
    }

    [Test, Combinatorial]
    public async Task InvokeAsync_HostWiresMiddlewareItself_ScopeStillEnforced(
        [Values] HostPipeline pipeline,
        [Values(AuthorizationSetup.FallbackAuthenticatedUser, AuthorizationSetup.PermissiveFallbackPolicy)] AuthorizationSetup setup)
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            ConfigureServices = b =>
            {
                ListedControllers.AddControllersOnly(b.Services, typeof(ClassScopedController));
                ConfigureAuthorization(b.Services, setup);
            },
            Pipeline = app =>
            {
                switch (pipeline)
                {
                    case HostPipeline.RoutingAndAuthenticationBeforeApiShield:
                        app.UseRouting();
                        app.UseAuthentication();
                        app.UseApiShield();
                        break;
                    case HostPipeline.AuthorizationAfterApiShield:
                        app.UseRouting();
                        app.UseApiShield();
                        app.UseAuthorization();
                        break;
                    case HostPipeline.AuthorizationBeforeApiShield:
                        app.UseRouting();
                        app.UseAuthentication();
                        app.UseAuthorization();
                        app.UseApiShield();
                        break;
                    case HostPipeline.UseApiShieldTwice:
                        app.UseApiShield();
                        app.UseApiShield();
                        break;
                }
            },
            Map = app =>
            {
                app.MapGet("/minimal/convention", () => "ok").RequireScope(Required);
                app.MapGroup("/group").RequireScope(Required).MapGet("/item", () => "ok");
                app.MapControllers();
            },
        });
        foreach (var kind in new[] { EndpointKind.ControllerClassAttribute, EndpointKind.MinimalApiConvention, EndpointKind.RouteGroupConvention })
        {
            var path = PathOf(kind);
            using var granted = await api.GetAsync(path, api.Token(t => t.Scope(Required)));
            using var lacking = await api.GetAsync(path, api.Token(t => t.Scope(Other)));
            using var anonymous = await api.GetAsync(path, token: null);

            Assert.That(granted.StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
            await AssertInsufficientScopeAsync(lacking);

            // When the host authorizes before ApiShield, its fallback policy may challenge first (JwtBearer's own 401).
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), path);
            Assert.That(ProblemAssert.WwwAuthenticate(anonymous), Is.EqualTo("Bearer"), path);
        }
    }

    private static string PathOf(EndpointKind kind) => kind switch
    {
        EndpointKind.ControllerClassAttribute => "/mvc/class",
        EndpointKind.ControllerActionAttribute => "/mvc/action",
        EndpointKind.MinimalApiConvention => "/minimal/convention",
        EndpointKind.MinimalApiLambdaAttribute => "/minimal/attribute",
        EndpointKind.RouteGroupConvention => "/group/item",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private async Task<TestApi> MatrixHostAsync(AuthorizationSetup setup, ClaimSettings claims)
    {
        if (_matrixHosts.TryGetValue((setup, claims), out var existing))
        {
            return existing;
        }

        var settings = new Dictionary<string, string?>();
        if (claims == ClaimSettings.IncludeRoles)
        {
            settings["ApiShield:Scopes:IncludeRoles"] = "true";
        }
        else if (claims == ClaimSettings.PermissionsClaimType)
        {
            settings["ApiShield:Scopes:ClaimTypes:0"] = "permissions";
        }

        var api = await TestApi.StartAsync(new TestApiOptions
        {
            Settings = settings,
            ConfigureServices = b =>
            {
                ListedControllers.AddControllersOnly(b.Services, typeof(ClassScopedController), typeof(ActionScopedController));
                ConfigureAuthorization(b.Services, setup);
            },
            Map = app =>
            {
                Decorate(app.MapGet("/minimal/convention", () => "ok").RequireScope(Required), setup);
                Decorate(app.MapGet("/minimal/attribute", [RequireScope(Required)] () => "ok"), setup);
                var group = Decorate(app.MapGroup("/group").RequireScope(Required), setup);
                group.MapGet("/item", () => "ok");
                Decorate(app.MapControllers(), setup);
            },
        });
        _matrixHosts[(setup, claims)] = api;
        return api;
    }

    private static void ConfigureAuthorization(IServiceCollection services, AuthorizationSetup setup)
    {
        switch (setup)
        {
            case AuthorizationSetup.FallbackAuthenticatedUser:
                services.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
                break;
            case AuthorizationSetup.NamedPolicy:
                services.AddAuthorizationBuilder().AddPolicy("p", p => p.RequireAuthenticatedUser().RequireClaim("sub"));
                break;
            case AuthorizationSetup.DefaultPolicyChanged:
                services.AddAuthorizationBuilder().SetDefaultPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireClaim("client_id").Build());
                break;
            case AuthorizationSetup.PermissiveFallbackPolicy:
                services.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAssertion(_ => true).Build());
                break;
            case AuthorizationSetup.PermissiveDefaultPolicy:
                services.AddAuthorizationBuilder().SetDefaultPolicy(new AuthorizationPolicyBuilder().RequireAssertion(_ => true).Build());
                break;
        }
    }

    private static TBuilder Decorate<TBuilder>(TBuilder builder, AuthorizationSetup setup)
        where TBuilder : IEndpointConventionBuilder => setup switch
        {
            AuthorizationSetup.NamedPolicy => builder.RequireAuthorization("p"),
            AuthorizationSetup.DefaultPolicyChanged or AuthorizationSetup.PermissiveDefaultPolicy => builder.RequireAuthorization(),

            // The metadata [Authorize] puts on an endpoint.
            AuthorizationSetup.AuthorizeBeside => builder.WithMetadata(new AuthorizeAttribute()),
            _ => builder,
        };

    // ---- Semantics ----

    [Test]
    public async Task InvokeAsync_AnyOfRequirement_AcceptsEitherScope()
    {
        using var first = await _api.GetAsync("/any-of", _api.Token(t => t.Scope("orders:read")));
        using var second = await _api.GetAsync("/any-of", _api.Token(t => t.Scope("orders:admin")));
        using var neither = await _api.GetAsync("/any-of", _api.Token(t => t.Scope("orders:write")));

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await AssertInsufficientScopeAsync(neither, "orders:read orders:admin");
    }

    [TestCase("/all-of-chained", "b")]
    [TestCase("/all-of-explicit", "a b")]
    [TestCase("/all-of-attribute", "a b")]
    [TestCase("/mvc/class-and-action", "b")]
    [TestCase("/mvc/require-all", "a b")]
    [TestCase("/group/nested", "b")]
    public async Task InvokeAsync_AllOfRequirements_NeedEveryScope(string path, string challengedWithOnlyA)
    {
        using var both = await _api.GetAsync(path, _api.Token(t => t.Scope("a b")));
        using var bothAsArray = await _api.GetAsync(path, _api.Token(t => t.Scope(new[] { "b", "a" })));
        using var onlyA = await _api.GetAsync(path, _api.Token(t => t.Scope("a")));
        using var onlyB = await _api.GetAsync(path, _api.Token(t => t.Scope("b")));

        Assert.That(both.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(bothAsArray.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await AssertInsufficientScopeAsync(onlyA, challengedWithOnlyA);
        Assert.That(onlyB.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [TestCase("orders")]
    [TestCase("Orders:Read")]
    [TestCase("ORDERS:READ")]
    [TestCase("orders:read:all")]
    [TestCase("orders:rea")]
    [TestCase("xorders:read")]
    [TestCase("orders:read,orders:write")]
    [TestCase("orders:read\torders:write")]
    public async Task InvokeAsync_ScopeThatIsNotAnExactMatch_Returns403(string granted)
    {
        using var response = await _api.GetAsync("/exact", _api.Token(t => t.Scope(granted)));

        await AssertInsufficientScopeAsync(response);
    }

    public static IEnumerable<TestCaseData> ScopeClaimsThatAreNotScopeLists()
    {
        yield return new TestCaseData(new Dictionary<string, object> { ["note"] = "see orders:read here" }).SetArgDisplayNames("object_with_spaced_string");
        yield return new TestCaseData(new Dictionary<string, object> { ["orders:read"] = true }).SetArgDisplayNames("object_keyed_by_scope");
        yield return new TestCaseData((object)new object[] { "profile", new[] { "x orders:read y" } }).SetArgDisplayNames("nested_array");
        yield return new TestCaseData((object)new object[] { "profile", new Dictionary<string, object> { ["s"] = "x orders:read y" } }).SetArgDisplayNames("array_of_object");
        yield return new TestCaseData(true).SetArgDisplayNames("boolean");
        yield return new TestCaseData(42).SetArgDisplayNames("number");
    }

    [TestCaseSource(nameof(ScopeClaimsThatAreNotScopeLists))]
    public async Task InvokeAsync_ScopeClaimIsNotAStringOrStringArray_Returns403(object claimValue)
    {
        using var response = await _api.GetAsync("/exact", _api.Token(t => t.Scope(claimValue)));

        await AssertInsufficientScopeAsync(response);
    }

    [TestCase("/anonymous-scoped")]
    [TestCase("/anonymous-scoped-attribute")]
    [TestCase("/mvc/anonymous-scoped")]
    public async Task InvokeAsync_AllowAnonymousBesideScope_StillRequiresTokenAndScope(string path)
    {
        using var granted = await _api.GetAsync(path, _api.Token(t => t.Scope(Required)));
        using var lacking = await _api.GetAsync(path, _api.Token(t => t.Scope(Other)));
        using var anonymous = await _api.GetAsync(path, token: null);
        using var forged = await _api.GetAsync(path, _api.Token(t =>
        {
            t.Scope(Required);
            t.Key = TestIdentityProvider.CreateRsaKey();
        }));

        Assert.That(granted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await AssertInsufficientScopeAsync(lacking);
        await ProblemAssert.IsProblemAsync(anonymous, HttpStatusCode.Unauthorized, "token-missing");
        await ProblemAssert.IsProblemAsync(forged, HttpStatusCode.Unauthorized, "invalid-token");
    }

    [TestCase("/any-scope")]
    [TestCase("/any-scope-attribute")]
    [TestCase("/mvc/any-scope")]
    [TestCase("/undeclared")]
    public async Task InvokeAsync_NoScopeDeclared_RequiresValidTokenOnly(string path)
    {
        using var noScopeClaim = await _api.GetAsync(path, _api.Token());
        using var someScope = await _api.GetAsync(path, _api.Token(t => t.Scope(Other)));
        using var anonymous = await _api.GetAsync(path, token: null);
        using var forged = await _api.GetAsync(path, _api.Token(t => t.Key = TestIdentityProvider.CreateRsaKey()));

        Assert.That(noScopeClaim.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(someScope.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await ProblemAssert.IsProblemAsync(anonymous, HttpStatusCode.Unauthorized, "token-missing");
        await ProblemAssert.IsProblemAsync(forged, HttpStatusCode.Unauthorized, "invalid-token");
    }

    [Test]
    public async Task InvokeAsync_RealmConfigured_InsufficientScopeChallengeCarriesRealm()
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            Settings = { ["ApiShield:Tokens:Realm"] = "orders-api" },
            Map = app => app.MapGet("/exact", () => "ok").RequireScope(Required),
        });

        using var response = await api.GetAsync("/exact", api.Token(t => t.Scope(Other)));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "insufficient-scope");
        Assert.That(
            ProblemAssert.WwwAuthenticate(response),
            Is.EqualTo("Bearer realm=\"orders-api\", error=\"insufficient_scope\", error_description=\"The access token lacks a required scope.\", scope=\"orders:read\""));
    }

    // ---- Telemetry ----

    [Test]
    public async Task InvokeAsync_MissingScope_CountsRejectionAndLogsEvent300WithoutClaimValues()
    {
        using var collector = new MetricCollector<long>(
            _api.Services.GetRequiredService<IMeterFactory>(), "ApiShield", "apishield.scopes.rejections");
        _api.Logs.Clear();

        using var lacking = await _api.GetAsync("/exact", _api.Token(t => t.Scope("granted:secret-value")));
        using var granted = await _api.GetAsync("/exact", _api.Token(t => t.Scope(Required)));
        using var anonymous = await _api.GetAsync("/exact", token: null);

        Assert.That(lacking.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(granted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));

        var measurements = collector.GetMeasurementSnapshot();
        Assert.That(measurements, Has.Count.EqualTo(1));
        Assert.That(measurements[0].Value, Is.EqualTo(1));

        var events = _api.Logs.GetSnapshot().Where(r => r.Id.Id == 300).ToList();
        Assert.That(events, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(events[0].Id.Name, Is.EqualTo("ScopeMissing"));
            Assert.That(events[0].Level, Is.EqualTo(LogLevel.Information));
            Assert.That(events[0].Message, Does.Contain(Required));
            Assert.That(events[0].Message, Does.Not.Contain("secret-value"));
        });
    }

    private static async Task AssertInsufficientScopeAsync(HttpResponseMessage response, string scope = Required)
    {
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "insufficient-scope");
        Assert.That(
            ProblemAssert.WwwAuthenticate(response),
            Is.EqualTo(scope == Required
                ? InsufficientScopeChallenge
                : $"Bearer error=\"insufficient_scope\", error_description=\"The access token lacks a required scope.\", scope=\"{scope}\""));
    }
}
