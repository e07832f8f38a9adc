using ApiShield.Scopes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ApiShield.Tests.Scopes;

[TestFixture]
public sealed class ScopeRequirementTests
{
    public static IEnumerable<TestCaseData> InvalidScopeLists()
    {
        yield return new TestCaseData((object?)null).SetArgDisplayNames("null");
        yield return new TestCaseData((object)Array.Empty<string>()).SetArgDisplayNames("none");
        yield return new TestCaseData((object)new[] { "" }).SetArgDisplayNames("empty");
        yield return new TestCaseData((object)new string?[] { "a", null }).SetArgDisplayNames("null_element");
        yield return new TestCaseData((object)new[] { "orders read" }).SetArgDisplayNames("space");
        yield return new TestCaseData((object)new[] { " orders:read" }).SetArgDisplayNames("leading_space");
        yield return new TestCaseData((object)new[] { "orders:read\t" }).SetArgDisplayNames("tab");
        yield return new TestCaseData((object)new[] { "orders\"read" }).SetArgDisplayNames("quote");
        yield return new TestCaseData((object)new[] { "orders\\read" }).SetArgDisplayNames("backslash");
        yield return new TestCaseData((object)new[] { "orders:réad" }).SetArgDisplayNames("non_ascii");
        yield return new TestCaseData((object)new[] { "orders\r\nX-Injected: 1" }).SetArgDisplayNames("crlf");
        yield return new TestCaseData((object)new[] { "orders\u007F" }).SetArgDisplayNames("del");
    }

    [TestCaseSource(nameof(InvalidScopeLists))]
    public void RequireScopeAttribute_InvalidScope_ThrowsArgumentException(string[]? scopes)
    {
        Assert.Throws<ArgumentException>(() => _ = new RequireScopeAttribute(scopes!));
    }

    [TestCaseSource(nameof(InvalidScopeLists))]
    public void RequireScope_InvalidScope_ThrowsArgumentExceptionWhenConfigured(string[]? scopes)
    {
        var builder = new RecordingConventionBuilder();

        Assert.Throws<ArgumentException>(() => builder.RequireScope(scopes!));
        Assert.Throws<ArgumentException>(() => builder.RequireAllScopes(scopes!));
        Assert.That(builder.Conventions, Is.Empty);
    }

    [Test]
    public void ValidateScopes_RfcScopeTokenCharacters_AreAccepted()
    {
        var scopes = new[] { "orders:read", "api://orders/.default", "https://graph.microsoft.com/User.Read", "!#$%&'()*+,-./;<=>?@[]^_`{|}~" };

        Assert.That(ScopeRequirement.ValidateScopes(scopes, "scopes"), Is.EqualTo(scopes));
    }

    [Test]
    public void ValidateScopes_CallerMutatesArrayAfterwards_RequirementKeepsItsCopy()
    {
        var scopes = new[] { "orders:read" };
        var attribute = new RequireScopeAttribute(scopes);
        scopes[0] = "other";

        Assert.That(attribute.Scopes, Is.EqualTo(new[] { "orders:read" }));
    }

    private sealed class RecordingConventionBuilder : IEndpointConventionBuilder
    {
        public List<Action<EndpointBuilder>> Conventions { get; } = [];

        public void Add(Action<EndpointBuilder> convention) => Conventions.Add(convention);
    }
}
