using ApiShield;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddApiShield();

var app = builder.Build();
app.UseApiShield();

app.MapGet("/orders", () => new[] { "order-1" }).RequireScope("orders:read");
app.MapGet("/health", () => "ok").AllowAnonymous();

app.Run();
