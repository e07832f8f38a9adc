using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ApiShield.Tests.TestSupport;
using ApiShield.Threats;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;

namespace ApiShield.Tests.Threats;

[TestFixture]
public sealed class InjectionMatcherTests
{
    private TestApi _api = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _api = await TestApi.StartAsync(new TestApiOptions
        {
            Settings =
            {
                ["ApiShield:Threats:Injection:Enabled"] = "true",
                ["ApiShield:Threats:Injection:Patterns:0"] = @"\bforbidden-word\b",
            },
            Map = app =>
            {
                app.MapModel("/model");
                app.MapGet("/items/{**rest}", (string? rest) => "ok").AllowAnonymous();
            },
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _api.DisposeAsync();

    private static InjectionMatcher Matcher() => new(new InjectionOptions());

    [TestCase("1' OR '1'='1")]
    [TestCase("1 UNION SELECT password FROM users")]
    [TestCase("x'; DROP TABLE users; --")]
    [TestCase("1; WAITFOR DELAY '0:0:5'")]
    [TestCase("<script>alert(1)</script>")]
    [TestCase("<img src=x onerror=alert(1)>")]
    [TestCase("javascript:alert(1)")]
    [TestCase("<svg/onload=alert(1)>")]
    public void Match_KnownAttack_Matches(string value) => Assert.That(Matcher().Match(value), Is.Not.Null);

    [TestCase("O'Brien")]
    [TestCase("Please select a size from the list")]
    [TestCase("a < b and c > d")]
    [TestCase("union members; selection committee")]
    [TestCase("https://example.com/?onsale=1")]
    [TestCase("It's 5 o'clock -- time to go")]
    public void Match_OrdinaryText_NoMatch(string value) => Assert.That(Matcher().Match(value), Is.Null);

    [Test]
    public async Task Query_EncodedOnce_Returns400()
    {
        using var response = await _api.Client.GetAsync("/items/a?q=1%27%20OR%20%271%27%3D%271");

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "injection-detected");
        Assert.That(problem.ToString(), Does.Not.Contain("OR").And.Not.Contain("union").And.Not.Contain("script"));
    }

    [Test]
    public async Task Query_PlusAsSpace_Returns400() =>
        await ProblemAssert.IsProblemAsync(await _api.Client.GetAsync("/items/a?q=1+union+select+1"), HttpStatusCode.BadRequest, "injection-detected");

    [Test]
    public async Task Query_EncodedTwice_DecodedOnceOnly_Accepted()
    {
        using var response = await _api.Client.GetAsync("/items/a?q=%253Cscript%253E");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Path_Encoded_Returns400() =>
        await ProblemAssert.IsProblemAsync(await _api.Client.GetAsync("/items/%3Cscript%3Ex"), HttpStatusCode.BadRequest, "injection-detected");

    [Test]
    public async Task Header_Returns400()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/items/a");
        request.Headers.TryAddWithoutValidation("X-Search", "<script>alert(1)</script>");

        await ProblemAssert.IsProblemAsync(await _api.Client.SendAsync(request), HttpStatusCode.BadRequest, "injection-detected");
    }

    [Test]
    public async Task Header_Excluded_NotMatched()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/items/a");
        request.Headers.TryAddWithoutValidation("Cookie", "x=<script>");

        using var response = await _api.Client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public void ExcludedHeaders_Listed_ReplaceDefault()
    {
        var matcher = new InjectionMatcher(new InjectionOptions { ExcludedHeaders = { "Authorization" } });

        Assert.That(matcher.ExcludedHeaders, Is.EquivalentTo(new[] { "Authorization" }));
    }

    [TestCase("[\"<script>alert(1)</script>\"]")]
    [TestCase("{\"q\":\"\\u003cscript\\u003e\"}")]
    [TestCase("{\"nested\":{\"q\":[\"1' or '1'='1\"]}}")]
    [TestCase("[\"this has a forbidden-word in it\"]")]
    public async Task JsonString_Returns400(string json) =>
        await ProblemAssert.IsProblemAsync(
            await _api.Client.PostAsync("/model", new StringContent(json, Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "injection-detected");

    [Test]
    public async Task JsonString_Ordinary_Accepted()
    {
        using var response = await _api.Client.PostAsync("/model", new StringContent("{\"name\":\"O'Brien\",\"note\":\"select a size\"}", Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Match_LogsRuleSetButNotValueOrPattern()
    {
        using var response = await _api.Client.GetAsync("/items/a?q=%3Cscript%3Ezzmarker");

        var record = _api.Logs.GetSnapshot().Last(r => r.Id.Id == 702);
        Assert.That(record.Message, Does.Contain("script").And.Not.Contain("zzmarker").And.Not.Contain("<"));
    }

    [Test]
    public void Startup_InvalidUserPattern_FailsNamingKey()
    {
        var ex = Assert.ThrowsAsync<OptionsValidationException>(() => TestApi.StartAsync(new TestApiOptions
        {
            Settings = { ["ApiShield:Threats:Injection:Patterns:0"] = "(a)\\1" },
        }));

        Assert.That(ex!.Message, Does.Contain("ApiShield:Threats:Injection:Patterns:0"));
    }

    [Test]
    public void Match_HugeInput_LinearTime()
    {
        var value = new string('a', 1_000_000) + "!";
        var matcher = new InjectionMatcher(new InjectionOptions { Patterns = { "(a+)+b" } });

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var match = matcher.Match(value);

        // A backtracking engine takes exponential time on this pattern and input; NonBacktracking is linear.
        Assert.That(match, Is.Null);
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }
}
