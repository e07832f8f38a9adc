using System.Net;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ApiShield.Tests.Scopes;

[TestFixture]
public sealed class ScopeDeclarationAuditTests
{
    private static readonly Dictionary<string, string?> Strict = new() { ["ApiShield:Scopes:RequireExplicitScopes"] = "true" };

    [Test]
    public void Audit_StrictModeWithUndeclaredEndpoints_FailsStartupListingEach()
    {
        var exception = Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var api = await TestApi.StartAsync(new TestApiOptions
            {
                Settings = new(Strict),
                ConfigureServices = b => ListedControllers.AddControllersOnly(b.Services, typeof(UndeclaredController), typeof(ClassScopedController)),
                Map = app =>
                {
                    app.MapGet("/declared", () => "ok").RequireScope("orders:read");
                    app.MapGet("/undeclared", () => "ok");
                    app.MapPost("/orders/{id:int}", (int id) => id);
                    app.MapGroup("/admin").MapPut("/settings", () => "ok");
                    app.MapControllers();
                },
            });
        });

        var message = exception!.Message;
        Assert.Multiple(() =>
        {
            Assert.That(message, Does.Contain("ApiShield:Scopes:RequireExplicitScopes"));
            Assert.That(message, Does.Contain("GET /undeclared"));
            Assert.That(message, Does.Contain("POST /orders/{id:int}"));
            Assert.That(message, Does.Contain("PUT /admin/settings"));
            Assert.That(message, Does.Contain("GET /mvc/undeclared"));
            Assert.That(message, Does.Contain("DELETE /mvc/undeclared/{id:int}"));
            Assert.That(message.Split(Environment.NewLine).Select(l => l.Trim()), Does.Not.Contain("GET /declared"));
            Assert.That(message, Does.Not.Contain("/mvc/class"));
        });
    }

    [Test]
    public async Task Audit_StrictModeWithEveryEndpointDeclared_StartsAndEnforces()
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            Settings = new(Strict),
            ConfigureServices = b => ListedControllers.AddControllersOnly(b.Services, typeof(ClassScopedController), typeof(AnyScopeController)),
            Map = app =>
            {
                app.MapGet("/scoped", () => "ok").RequireScope("orders:read");
                app.MapGet("/all", () => "ok").RequireAllScopes("a", "b");
                app.MapGet("/attribute", [RequireScope("orders:read")] () => "ok");
                app.MapGet("/any-scope", () => "ok").AllowAnyScope();
                app.MapGet("/any-scope-attribute", [AllowAnyScope] () => "ok");
                app.MapGet("/health", () => "ok").AllowAnonymous();
                var group = app.MapGroup("/group").RequireScope("orders:read");
                group.MapGet("/item", () => "ok");
                app.MapGroup("/me").AllowAnyScope().MapGet("/", () => "ok");
                app.MapControllers();
            },
        });

        using var anyScope = await api.GetAsync("/any-scope", api.Token());
        using var anyScopeAnonymous = await api.GetAsync("/any-scope", token: null);
        using var health = await api.GetAsync("/health", token: null);
        using var groupLacking = await api.GetAsync("/group/item", api.Token());

        Assert.That(anyScope.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(anyScopeAnonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(groupLacking.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Audit_StrictModeOff_UndeclaredEndpointStillRequiresValidToken()
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            ConfigureServices = b => ListedControllers.AddControllersOnly(b.Services, typeof(UndeclaredController)),
            Map = app =>
            {
                app.MapGet("/undeclared", () => "ok");
                app.MapControllers();
            },
        });

        foreach (var path in new[] { "/undeclared", "/mvc/undeclared" })
        {
            using var anonymous = await api.GetAsync(path, token: null);
            using var withToken = await api.GetAsync(path, api.Token());
            using var forged = await api.GetAsync(path, api.Token(t => t.Key = TestIdentityProvider.CreateRsaKey()));

            await ProblemAssert.IsProblemAsync(anonymous, HttpStatusCode.Unauthorized, "token-missing");
            Assert.That(withToken.StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
            await ProblemAssert.IsProblemAsync(forged, HttpStatusCode.Unauthorized, "invalid-token");
        }
    }

    [Test]
    public void Audit_ShortCircuitedEndpointRequiringToken_FailsStartupEvenWithoutStrictMode()
    {
        // ShortCircuit() runs the handler inside UseRouting; without this check these answered 200 with no token at all.
        var exception = Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var api = await TestApi.StartAsync(app =>
            {
                app.MapGet("/scoped", () => "ok").RequireScope("orders:read").ShortCircuit();
                app.MapGet("/any-scope", () => "ok").AllowAnyScope().ShortCircuit();
                var group = app.MapGroup("/group").RequireScope("orders:read");
                group.ShortCircuit();
                group.MapPost("/item", () => "ok");
                app.MapGet("/fine", () => "ok").RequireScope("orders:read");
            });
        });

        var lines = exception!.Message.Split(Environment.NewLine).Select(l => l.Trim()).ToList();
        Assert.That(lines, Does.Contain("GET /scoped").And.Contain("GET /any-scope").And.Contain("POST /group/item").And.Not.Contain("GET /fine"));
        Assert.That(exception.Message, Does.Contain(".ShortCircuit()"));
    }

    [Test]
    public async Task Audit_ShortCircuitedAnonymousEndpoints_StartEvenInStrictMode()
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            Settings = new(Strict),
            Map = app =>
            {
                app.MapGet("/ping", () => "pong").AllowAnonymous().ShortCircuit();
                app.MapShortCircuit(404, "robots.txt").AllowAnonymous();
                app.MapGet("/scoped", () => "ok").RequireScope("orders:read");
            },
        });

        using var ping = await api.GetAsync("/ping", token: null);
        using var robots = await api.GetAsync("/robots.txt", token: null);
        using var scoped = await api.GetAsync("/scoped", token: null);

        Assert.That(ping.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(robots.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(scoped.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Audit_ShortCircuitedUndeclaredEndpoint_WarnsThatItSkipsTheTokenCheck()
    {
        await using var api = await TestApi.StartAsync(app => app.MapGet("/skips", () => "ok").ShortCircuit());

        var warning = api.Logs.GetSnapshot().Where(r => r.Id.Id == 302).Select(r => r.Message).SingleOrDefault();

        Assert.That(warning, Does.Contain("GET /skips"));
    }

    [Test]
    public void Audit_CustomRequirementWithoutValidScopes_FailsStartupEvenWithoutStrictMode()
    {
        // The metadata interface is public and skips the attribute's validation: an empty RequireAll list was met by
        // any token, and a quote or CR/LF in a scope would reach the WWW-Authenticate header unescaped.
        var exception = Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var api = await TestApi.StartAsync(app =>
            {
                app.MapGet("/empty", () => "ok").WithMetadata(new CustomRequirement([], requireAll: true));
                app.MapGet("/crlf", () => "ok").WithMetadata(new CustomRequirement(["a\r\nSet-Cookie: x=y"], requireAll: false));
                app.MapGet("/quote", () => "ok").WithMetadata(new CustomRequirement(["a\"b"], requireAll: false));
                app.MapGet("/fine", () => "ok").WithMetadata(new CustomRequirement(["orders:read"], requireAll: true));
            });
        });

        var lines = exception!.Message.Split(Environment.NewLine).Select(l => l.Trim()).ToList();
        Assert.That(lines, Does.Contain("GET /empty").And.Contain("GET /crlf").And.Contain("GET /quote").And.Not.Contain("GET /fine"));
    }

    [Test]
    public async Task Audit_CustomRequirementWithValidScopes_IsEnforced()
    {
        await using var api = await TestApi.StartAsync(app =>
            app.MapGet("/custom", () => "ok").WithMetadata(new CustomRequirement(["a", "b"], requireAll: true)));

        using var both = await api.GetAsync("/custom", api.Token(t => t.Scope("a b")));
        using var onlyA = await api.GetAsync("/custom", api.Token(t => t.Scope("a")));

        Assert.That(both.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await ProblemAssert.IsProblemAsync(onlyA, HttpStatusCode.Forbidden, "insufficient-scope");
    }

    private sealed class CustomRequirement(IReadOnlyList<string> scopes, bool requireAll) : ApiShield.Scopes.IScopeRequirementMetadata
    {
        public IReadOnlyList<string> Scopes { get; } = scopes;

        public bool RequireAll { get; } = requireAll;
    }

    [Test]
    public async Task Audit_AllowAnonymousBesideScope_LogsEvent301()
    {
        await using var api = await TestApi.StartAsync(app => app.MapGet("/both", () => "ok").AllowAnonymous().RequireScope("orders:read"));

        var events = api.Logs.GetSnapshot().Where(r => r.Id.Id == 301).ToList();

        Assert.That(events, Has.Count.EqualTo(1));
        Assert.That(events[0].Message, Does.Contain("GET /both"));
    }
}
