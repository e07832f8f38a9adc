using System.Net;
using System.Text.Json.Nodes;
using ApiShield.Sample;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace ApiShield.Tests.Filtering;

/// <summary>The sample's orders, served the way the sample serves them: both views of docs/data-privacy.md.</summary>
[TestFixture]
public sealed class SampleOrderFilteringTests
{
    private TestApi _api = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _api = await TestApi.StartAsync(new TestApiOptions
        {
            ConfigureServices = b => b.Services.AddSingleton<OrderStore>(),
            Map = app =>
            {
                app.MapGet("/orders", (OrderStore store) => store.All()).RequireScope("orders:read");
                app.MapGet("/orders/{id:int}", (int id, OrderStore store) => store.Find(id) is { } order ? Results.Ok(order) : Results.NotFound()).RequireScope("orders:read");
            },
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _api.DisposeAsync();

    [Test]
    public async Task Orders_WithoutPiiScope_EmailMaskedCardLastFourNoteRemoved()
    {
        using var response = await _api.GetAsync("/orders", _api.Token(t => t.Scope("orders:read")));
        var body = await response.Content.ReadAsStringAsync();
        var first = JsonNode.Parse(body)![0]!;

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(first["customer"]!["email"]!.GetValue<string>(), Is.EqualTo("****"));
            Assert.That(first["customer"]!["cardNumber"]!.GetValue<string>(), Is.EqualTo("****1111"));
            Assert.That(first.AsObject().ContainsKey("internalNote"), Is.False);
            Assert.That(body, Does.Not.Contain("ann@example.com").And.Not.Contain("Chargeback"));
        });
    }

    [Test]
    public async Task Order_WithPiiScope_EmailVisibleCardStillMasked()
    {
        using var response = await _api.GetAsync("/orders/1", _api.Token(t => t.Scope("orders:read pii:read")));
        var body = await response.Content.ReadAsStringAsync();
        var order = JsonNode.Parse(body)!;

        Assert.Multiple(() =>
        {
            Assert.That(order["customer"]!["email"]!.GetValue<string>(), Is.EqualTo("ann@example.com"));
            Assert.That(order["customer"]!["cardNumber"]!.GetValue<string>(), Is.EqualTo("****1111"));
            Assert.That(order.AsObject().ContainsKey("internalNote"), Is.False);
            Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
        });
    }
}
