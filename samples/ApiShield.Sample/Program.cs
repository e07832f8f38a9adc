using System.Security.Claims;
using ApiShield;
using ApiShield.Revocation;
using ApiShield.Sample;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSingleton<OrderStore>();
builder.Services.AddControllers();

// Reads the "ApiShield" section; the token issuer comes from Authentication:Schemes:Bearer. With
// ApiShield:Redis:ConnectionString set, the revocation list and the rate-limit counters are shared by every
// instance of the API. Every endpoint gets the default rate limits (a spike arrest, a per-client rate and a daily
// quota, ApiShield:RateLimiting:DefaultPolicies) unless it names its own.
builder.Services.AddApiShield();

var app = builder.Build();

app.UseApiShield();

var orders = app.MapGroup("/orders");
orders.MapGet("/", (OrderStore store) => store.All()).RequireScope("orders:read");
orders.MapGet("/{id:int}", (int id, OrderStore store) =>
    store.Find(id) is { } order ? Results.Ok(order) : Results.NotFound()).RequireScope("orders:read");
orders.MapPost("/", (NewOrder order, OrderStore store) =>
{
    var created = store.Add(order);
    return Results.Created($"/orders/{created.Id}", created);
})
.RequireScope("orders:write")
.WithJsonLimits(limits =>      // an order is small and flat: tighter than the ApiShield:Threats:Json defaults
{
    limits.MaxBodySize = 4 * 1024;
    limits.MaxDepth = 2;
    limits.MaxObjectEntries = 8;
    limits.MaxStringLength = 200;
});

app.MapGet("/me", (ClaimsPrincipal user) => new
{
    subject = user.FindFirstValue("sub"),
    scopes = user.FindAll("scope").Concat(user.FindAll("scp")).Select(c => c.Value),
}).AllowAnyScope();

// Sign out everywhere this token is used: revoke it (by its jti, until it expires) on every node.
app.MapPost("/me/logout", async (ClaimsPrincipal user, IRevocationService revocations, CancellationToken cancellationToken) =>
{
    var tokenId = user.FindFirstValue("jti");
    if (tokenId is null || !long.TryParse(user.FindFirstValue("exp"), out var exp))
    {
        return Results.Problem("This token cannot be revoked on its own.", statusCode: StatusCodes.Status400BadRequest);
    }

    await revocations.RevokeTokenAsync(tokenId, DateTimeOffset.FromUnixTimeSeconds(exp), "Signed out by its holder.", cancellationToken);
    return Results.NoContent();
}).AllowAnyScope();

// Operators revoke tokens, users (sub) and client applications (client_id) here; the scope is the sample's choice.
app.MapApiShieldRevocations("/admin/revocations").RequireScope("revocations:admin");

// Load balancers poll it: no token, and no rate limit either.
app.MapGet("/health", () => Results.Ok(new { status = "healthy" })).AllowAnonymous().WithoutRateLimits();

app.MapControllers();

app.Run();

/// <summary>The sample's entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
