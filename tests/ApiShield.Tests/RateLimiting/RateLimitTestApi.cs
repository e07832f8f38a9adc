using System.Net;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ApiShield.Tests.RateLimiting;

/// <summary>Hosts for rate-limit tests: policies from settings, and a test header that stands for the client's address.</summary>
internal static class RateLimitTestApi
{
    public const string AddressHeader = "X-Test-Remote-Address";

    public static Task<TestApi> StartAsync(Dictionary<string, string?> settings, Action<WebApplication> map, Action<WebApplicationBuilder>? services = null)
        => TestApi.StartAsync(new TestApiOptions
        {
            Settings = settings,
            ConfigureServicesAfter = services,
            Pipeline = app =>
            {
                // Stands in for the connection (or ForwardedHeadersMiddleware behind a trusted proxy).
                app.Use((context, next) =>
                {
                    if (context.Request.Headers.TryGetValue(AddressHeader, out var address))
                    {
                        context.Connection.RemoteIpAddress = IPAddress.Parse(address.ToString());
                    }

                    return next(context);
                });
                app.UseApiShield();
            },
            Map = map,
        });

    public static Dictionary<string, string?> Policy(string name, string kind, long limit, string? window = null, params (string Key, string Value)[] extra)
    {
        var prefix = $"ApiShield:RateLimiting:Policies:{name}:";
        var settings = new Dictionary<string, string?>
        {
            [prefix + "Kind"] = kind,
            [prefix + "PermitLimit"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (window is not null)
        {
            settings[prefix + "Window"] = window;
        }

        foreach (var (key, value) in extra)
        {
            settings[prefix + key] = value;
        }

        return settings;
    }

    public static Dictionary<string, string?> Merge(params Dictionary<string, string?>[] parts)
    {
        var merged = new Dictionary<string, string?>();
        foreach (var part in parts)
        {
            foreach (var (key, value) in part)
            {
                merged[key] = value;
            }
        }

        return merged;
    }

    public static async Task<HttpResponseMessage> GetAsync(TestApi api, string path, string? token = null, string? address = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        if (address is not null)
        {
            request.Headers.Add(AddressHeader, address);
        }

        return await api.Client.SendAsync(request);
    }

    public static IReadOnlyList<StructuredItem> Field(HttpResponseMessage response, string name)
    {
        Assert.That(response.Headers.TryGetValues(name, out var values), Is.True, $"{name} is missing.");
        return StructuredFieldList.Parse(string.Join(", ", values!));
    }

    public static StructuredItem State(HttpResponseMessage response, string policy)
        => Field(response, "RateLimit").Single(i => i.Name == policy);

    public static long RetryAfter(HttpResponseMessage response)
    {
        Assert.That(response.Headers.RetryAfter?.Delta, Is.Not.Null, "Retry-After is missing or not delta-seconds.");
        return (long)response.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
    }
}
