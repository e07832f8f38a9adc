using System.Net.Http.Headers;
using System.Security.Cryptography;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace ApiShield.Tests.Sample;

/// <summary>
/// The sample exactly as a newcomer runs it: Development, configured from its appsettings files, with the signing key
/// <c>dotnet user-jwts</c> keeps in user secrets, and HS256 tokens shaped like the ones it mints.
/// </summary>
internal sealed class UserJwtsSampleHost : IAsyncDisposable
{
    private readonly byte[] _signingKey = RandomNumberGenerator.GetBytes(32);
    private readonly WebApplicationFactory<Program> _factory;

    /// <param name="settings">Configuration on top of the sample's appsettings files.</param>
    /// <param name="time">The sample's clock; the system clock when <see langword="null"/>.</param>
    public UserJwtsSampleHost(Dictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        var configuration = new Dictionary<string, string?>
        {
            // What `dotnet user-jwts create` writes to user secrets.
            ["Authentication:Schemes:Bearer:SigningKeys:0:Id"] = "1a2b3c4d",
            ["Authentication:Schemes:Bearer:SigningKeys:0:Issuer"] = "dotnet-user-jwts",
            ["Authentication:Schemes:Bearer:SigningKeys:0:Value"] = Convert.ToBase64String(_signingKey),
            ["Authentication:Schemes:Bearer:SigningKeys:0:Length"] = "32",
        };
        foreach (var (key, value) in settings ?? [])
        {
            configuration[key] = value;
        }

        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development");
            web.ConfigureAppConfiguration(config => config.AddInMemoryCollection(configuration));
            if (time is not null)
            {
                web.ConfigureTestServices(services => services.AddSingleton(time));
            }
        });
        Client = _factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost/") });
    }

    public HttpClient Client { get; }

    /// <summary>A token with the shape <c>dotnet user-jwts create --scope ...</c> produces (scope as a JSON array).</summary>
    public string UserJwt(string[] scopes, Action<TokenSpec>? configure = null)
    {
        var now = DateTimeOffset.UtcNow;
        var spec = new TokenSpec(now);
        spec.Header["typ"] = "JWT";
        spec.Claims["iss"] = "dotnet-user-jwts";
        spec.Claims["aud"] = new[] { "http://localhost:5080", "https://localhost:7080" };
        spec.Claims["sub"] = "root";
        spec.Claims["unique_name"] = "root";
        spec.Claims.Remove("client_id");
        spec.Claims["exp"] = now.AddMonths(3).ToUnixTimeSeconds();
        spec.Claims["scope"] = scopes;
        configure?.Invoke(spec);
        return spec.Sign(new SymmetricSecurityKey(_signingKey));
    }

    public async Task<HttpResponseMessage> GetAsync(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
    }
}
