using System.Net;
using ApiShield.Tests.TestSupport;
using static ApiShield.Tests.RateLimiting.RateLimitTestApi;

namespace ApiShield.Tests.RateLimiting;

/// <summary>Three API hosts sharing one Redis, as three nodes behind a load balancer would.</summary>
[TestFixture]
[NonParallelizable]
public sealed class RateLimitingAcrossNodesTests
{
    private const int Limit = 10;

    private static RedisServerFixture Redis => RedisServerFixture.Shared;

    private static async Task<TestApi[]> StartNodesAsync(Dictionary<string, string?> policies, int count = 3)
    {
        var idp = new TestIdentityProvider();
        var settings = Merge(policies, new()
        {
            ["ApiShield:Redis:ConnectionString"] = Redis.ConnectionString,
            ["ApiShield:Redis:InstanceName"] = RedisServerFixture.NewInstanceName(TestContext.CurrentContext.Test.MethodName ?? "nodes"),
        });
        var nodes = new TestApi[count];
        for (var i = 0; i < count; i++)
        {
            nodes[i] = await TestApi.StartAsync(new TestApiOptions
            {
                IdentityProvider = idp,
                Settings = settings,
                Map = app => Microsoft.AspNetCore.Builder.EndpointRouteBuilderExtensions.MapGet(app, "/orders", () => "ok").WithRateLimits("p"),
            });
        }

        return nodes;
    }

    [TestCase("Rate", null)]
    [TestCase("SpikeArrest", null)]
    [TestCase("Quota", "Day")]
    [TestCase("Quota", "Rolling")]
    public async Task ConcurrentBurst_ThreeNodes_AdmitExactlyTheLimit(string kind, string? calendar)
    {
        var extra = calendar is null ? [] : new[] { ("Calendar", calendar) };
        var nodes = await StartNodesAsync(Policy("p", kind, Limit, kind == "SpikeArrest" ? "1.00:00:00" : "01:00:00", extra));
        try
        {
            var token = nodes[0].Token();

            // Warm every node's connection first, so the burst measures decisions, not connecting.
            foreach (var node in nodes)
            {
                using var warm = await node.GetAsync("/missing", token);
            }

            var responses = await Task.WhenAll(Enumerable.Range(0, Limit * 5).Select(i => nodes[i % nodes.Length].GetAsync("/orders", token)));
            var statuses = responses.Select(r => r.StatusCode).ToArray();
            foreach (var response in responses)
            {
                response.Dispose();
            }

            var expected = kind == "SpikeArrest" ? 1 : Limit;
            Assert.That(statuses.Count(s => s == HttpStatusCode.OK), Is.EqualTo(expected), string.Join(",", statuses.Distinct()));
            Assert.That(statuses.Count(s => s == HttpStatusCode.TooManyRequests), Is.EqualTo(Limit * 5 - expected));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task SharedCounter_ThreeNodes_RemainingCountsEveryNode()
    {
        var nodes = await StartNodesAsync(Policy("p", "Quota", 100, null, ("Calendar", "Day")));
        try
        {
            var token = nodes[0].Token();
            var remaining = new List<long>();
            foreach (var node in nodes)
            {
                using var response = await GetAsync(node, "/orders", token);
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                remaining.Add(State(response, "p").Integer("r"));
            }

            // Each node sees the others' requests: one counter, not three.
            Assert.That(remaining, Is.EqualTo(new long[] { 99, 98, 97 }));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }
}
