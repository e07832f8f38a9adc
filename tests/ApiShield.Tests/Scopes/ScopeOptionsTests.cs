using System.Security.Claims;
using ApiShield.Scopes;
using Microsoft.Extensions.Options;

namespace ApiShield.Tests.Scopes;

[TestFixture]
public sealed class ScopeOptionsTests
{
    [Test]
    public void Constructor_Defaults_AreTheSecureOnes()
    {
        var options = new ApiShieldOptions().Scopes;

        Assert.Multiple(() =>
        {
            Assert.That(options.ClaimTypes, Is.Empty, "empty means scope and scp");
            Assert.That(options.IncludeRoles, Is.False);
            Assert.That(options.RequireExplicitScopes, Is.False);
            Assert.That(new RequireScopeAttribute("a").RequireAll, Is.False);
        });
    }

    [TestCase("scope", true)]
    [TestCase("scp", true)]
    [TestCase("roles", false)]
    [TestCase("permissions", false)]
    [TestCase("http://schemas.microsoft.com/identity/claims/scope", false)]
    public void ClaimTypes_Default_CountsOnlyScopeAndScp(string claimType, bool counts)
    {
        var evaluator = new ScopeEvaluator(Options.Create(new ApiShieldOptions()));
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(claimType, "orders:read")], "Bearer"));

        Assert.That(evaluator.HasScope(user, "orders:read"), Is.EqualTo(counts));
    }
}
