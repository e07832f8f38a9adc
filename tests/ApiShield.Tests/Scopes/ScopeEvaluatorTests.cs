using System.Security.Claims;
using ApiShield.Scopes;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ApiShield.Tests.Scopes;

[TestFixture]
public sealed class ScopeEvaluatorTests
{
    [TestCase("orders:read")]
    [TestCase("orders:read orders:write")]
    [TestCase("profile orders:read")]
    [TestCase("profile orders:read orders:write")]
    [TestCase(" orders:read")]
    [TestCase("orders:read ")]
    [TestCase("   profile    orders:read   ")]
    [TestCase("orders:read orders:read")]
    public void ContainsScopeToken_ValueListsScope_ReturnsTrue(string value)
    {
        Assert.That(ScopeEvaluator.ContainsScopeToken(value, "orders:read"), Is.True);
    }

    [TestCase("")]
    [TestCase(" ")]
    [TestCase("orders")]
    [TestCase("orders:rea")]
    [TestCase("orders:read:all")]
    [TestCase("Orders:Read")]
    [TestCase("ORDERS:READ")]
    [TestCase("xorders:read")]
    [TestCase("orders:readorders:read")]
    [TestCase("orders:read,orders:write")]
    [TestCase("orders:read\torders:write")]
    [TestCase("profile\norders:read")]
    [TestCase("[\"orders:read\"]")]
    public void ContainsScopeToken_ValueDoesNotListScope_ReturnsFalse(string value)
    {
        Assert.That(ScopeEvaluator.ContainsScopeToken(value, "orders:read"), Is.False);
    }

    [Test]
    public void ContainsScopeToken_ScopeContainingSpace_NeverMatches()
    {
        Assert.That(ScopeEvaluator.ContainsScopeToken("a b", "a b"), Is.False);
    }

    [TestCase(JsonClaimValueTypes.Json, "{\"note\":\"x orders:read y\"}")]
    [TestCase(JsonClaimValueTypes.JsonArray, "[\"x orders:read y\"]")]
    [TestCase(JsonClaimValueTypes.JsonNull, " orders:read ")]
    public void HasScope_JsonValuedClaimMentioningScope_ReturnsFalse(string valueType, string value)
    {
        var evaluator = Create(new ScopeOptions());
        var user = Principal(new Claim("scope", value, valueType));

        Assert.That(evaluator.HasScope(user, "orders:read"), Is.False);
    }

    [Test]
    public void HasScope_ClaimTypeDiffersInCase_ReturnsFalse()
    {
        var evaluator = Create(new ScopeOptions());
        var user = Principal(new Claim("Scope", "orders:read"), new Claim("SCP", "orders:read"));

        Assert.That(evaluator.HasScope(user, "orders:read"), Is.False);
    }

    [Test]
    public void HasScope_ScopeOnUnauthenticatedIdentity_ReturnsFalse()
    {
        var evaluator = Create(new ScopeOptions());
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim("scope", "orders:read")]));

        Assert.That(evaluator.HasScope(user, "orders:read"), Is.False);
    }

    [Test]
    public void HasScope_ScopeOnSecondAuthenticatedIdentity_ReturnsTrue()
    {
        var evaluator = Create(new ScopeOptions());
        var user = Principal(new Claim("scope", "profile"));
        user.AddIdentity(new ClaimsIdentity([new Claim("scp", "orders:read")], "Other"));

        Assert.That(evaluator.HasScope(user, "orders:read"), Is.True);
    }

    [Test]
    public void HasScope_RolesClaim_CountsOnlyWithIncludeRoles()
    {
        var user = Principal(new Claim("roles", "orders:read"));

        Assert.That(Create(new ScopeOptions()).HasScope(user, "orders:read"), Is.False);
        Assert.That(Create(new ScopeOptions { IncludeRoles = true }).HasScope(user, "orders:read"), Is.True);
    }

    [Test]
    public void HasScope_CustomClaimTypes_ReplaceTheDefaults()
    {
        var options = new ScopeOptions();
        options.ClaimTypes.Add("permissions");
        var evaluator = Create(options);

        Assert.That(evaluator.HasScope(Principal(new Claim("permissions", "orders:read")), "orders:read"), Is.True);
        Assert.That(evaluator.HasScope(Principal(new Claim("scope", "orders:read")), "orders:read"), Is.False);
        Assert.That(evaluator.HasScope(Principal(new Claim("scp", "orders:read")), "orders:read"), Is.False);
    }

    [Test]
    public void Satisfies_RequireAllWithScopesSpreadOverClaims_ReturnsTrue()
    {
        var evaluator = Create(new ScopeOptions());
        var user = Principal(new Claim("scope", "a"), new Claim("scope", "c"), new Claim("scp", "b"));

        Assert.That(evaluator.Satisfies(user, new RequireScopeAttribute("a", "b") { RequireAll = true }), Is.True);
        Assert.That(evaluator.Satisfies(user, new RequireScopeAttribute("a", "d") { RequireAll = true }), Is.False);
        Assert.That(evaluator.Satisfies(user, new RequireScopeAttribute("d", "c")), Is.True);
        Assert.That(evaluator.Satisfies(user, new RequireScopeAttribute("d", "e")), Is.False);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Satisfies_CustomRequirementWithNoScopes_ReturnsFalse(bool requireAll)
    {
        // The metadata interface is public; a requirement built from missing configuration must not be vacuously true.
        var evaluator = Create(new ScopeOptions());
        var user = Principal(new Claim("scope", "orders:read"));

        Assert.That(evaluator.Satisfies(user, new CustomRequirement([], requireAll)), Is.False);
    }

    private sealed class CustomRequirement(IReadOnlyList<string> scopes, bool requireAll) : IScopeRequirementMetadata
    {
        public IReadOnlyList<string> Scopes { get; } = scopes;

        public bool RequireAll { get; } = requireAll;
    }

    private static ScopeEvaluator Create(ScopeOptions scopes) =>
        new(Options.Create(new ApiShieldOptions { Scopes = scopes }));

    private static ClaimsPrincipal Principal(params Claim[] claims) =>
        new(new ClaimsIdentity(claims, "Bearer"));
}
