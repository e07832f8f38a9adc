using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Json;
using ApiShield.Tests.TestSupport;
using ApiShield.Threats;

namespace ApiShield.Tests.Threats;

[TestFixture]
public sealed class JsonBodyCheckerTests
{
    private static readonly string[] Fragments =
    [
        "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\uD800", "\\uDC00", "\\n", "1", "-", "0", "e+", ".5", "true", "null",
        "fals", "/*", "//", " ", "\t", "\u00e9", "\U0001F600", "\"a\":", "\"a\":1,", "NaN", "'",
    ];

    private static readonly byte[][] ByteNoise =
    [
        [0xEF, 0xBB, 0xBF], [0xFF, 0xFE], [0x00], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xC0, 0xAF],
    ];

    private static ThreatKind CheckAll(byte[] body, JsonLimits limits, int blockSize)
    {
        var checker = new JsonBodyChecker();
        checker.Reset(limits, injection: null);
        long consumed = 0;
        for (var end = Math.Min(blockSize, body.Length); ; end = Math.Min(end + blockSize, body.Length))
        {
            var final = end == body.Length;
            var kind = checker.Check(new ReadOnlySequence<byte>(body, (int)consumed, end - (int)consumed), final, out var used);
            consumed += used;
            if (kind != ThreatKind.None || final)
            {
                return kind;
            }
        }
    }

    private static JsonLimits Limits(Action<JsonLimitOptions>? configure = null)
    {
        var options = new JsonLimitOptions();
        configure?.Invoke(options);
        return new JsonLimits(options);
    }

    [Test]
    public void Check_TokensSplitAcrossBlocks_SameResultAsWhole()
    {
        var body = Encoding.UTF8.GetBytes("{\"name\":\"caf\u00e9 \\u00e9\\uD83D\\uDE00\",\"n\":-12.5e3,\"list\":[true,false,null,{\"x\":[]}]}");

        foreach (var blockSize in new[] { 1, 2, 3, 7, body.Length })
        {
            Assert.That(CheckAll(body, Limits(), blockSize), Is.EqualTo(ThreatKind.None), $"block size {blockSize}");
        }
    }

    [Test]
    public void Check_DeepNestingOnSmallStack_DoesNotRecurse()
    {
        // 1024 levels (the ceiling) and a 100k-bracket bomb, checked on a thread with a 256 KiB stack: an iterative
        // reader is unaffected, a recursive one would need far more.
        var deep = Encoding.ASCII.GetBytes(new string('[', 1024) + new string(']', 1024));
        var bomb = Encoding.ASCII.GetBytes(new string('[', 100_000));
        var results = new ThreatKind[2];
        var thread = new Thread(
            () =>
            {
                results[0] = CheckAll(deep, Limits(o => o.MaxDepth = 1024), 4096);
                results[1] = CheckAll(bomb, Limits(o => o.MaxDepth = 1024), 4096);
            },
            maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();

        Assert.That(results, Is.EqualTo(new[] { ThreatKind.None, ThreatKind.DepthExceeded }));
    }

    [Test]
    public async Task Fuzz_RandomAndMutatedJson_NoServerErrorAndParityWithDeserializer()
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            Map = app => app.MapModel("/fuzz").WithJsonLimits(l =>
            {
                l.MaxDepth = 8;
                l.MaxArrayLength = 20;
                l.MaxObjectEntries = 20;
                l.MaxStringLength = 40;
                l.MaxPropertyNameLength = 10;
                l.MaxNumberLength = 12;
                l.MaxBodySize = 4096;
            }),
        });
        var random = new Random(20261127);
        var accepted = 0;
        var refused = 0;

        for (var i = 0; i < 600; i++)
        {
            var body = i % 3 == 0 ? Encoding.UTF8.GetBytes(Generate(random, 0)) : Mutate(random, Encoding.UTF8.GetBytes(Generate(random, 0)));
            if (body.Length == 0)
            {
                // No body is not a JSON body; the endpoint answers for itself (InvokeAsync_EmptyBody_LeftToEndpoint).
                continue;
            }

            using var content = new ByteArrayContent(body);
            content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            using var response = await api.Client.PostAsync("/fuzz", content);
            var text = await response.Content.ReadAsStringAsync();
            var description = $"case {i}: {Convert.ToBase64String(body)} -> {(int)response.StatusCode} {text}";

            Assert.That((int)response.StatusCode, Is.LessThan(500), description);
            if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
            {
                refused++;
                continue;
            }

            // Not refused by ApiShield: the endpoint's own System.Text.Json binding must have taken it.
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), description);
            Assert.That(() => JsonSerializer.Deserialize<JsonElement>(body, JsonSerializerOptions.Web), Throws.Nothing, description);
            accepted++;
        }

        Assert.That(accepted, Is.GreaterThan(50), "the generator must produce bodies that pass");
        Assert.That(refused, Is.GreaterThan(50), "and bodies that do not");
    }

    private static string Generate(Random random, int depth)
    {
        // Containers get rarer with depth and narrower, so bodies stay small (most under the 4 KiB limit).
        var choice = random.Next(depth > 3 && random.Next(3) > 0 ? 4 : 7);
        var width = random.Next(12) == 0 ? random.Next(15, 25) : random.Next(0, 5);
        switch (choice)
        {
            case 0: return random.Next(-100000, 100000).ToString(System.Globalization.CultureInfo.InvariantCulture) + (random.Next(4) == 0 ? ".25e" + random.Next(-5, 5) : string.Empty);
            case 1: return JsonSerializer.Serialize(RandomText(random, random.Next(0, 50)));
            case 2: return random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" };
            case 3: return new string('9', random.Next(1, 20));
            case 4:
            case 5:
                var members = Enumerable.Range(0, width).Select(i => JsonSerializer.Serialize(RandomText(random, random.Next(0, 12))) + ":" + Generate(random, depth + 1));
                return "{" + string.Join(',', members) + "}";
            default:
                return "[" + string.Join(',', Enumerable.Range(0, width).Select(_ => Generate(random, depth + 1))) + "]";
        }
    }

    private static string RandomText(Random random, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = random.Next(10) switch
            {
                0 => (char)random.Next(0x80, 0x800),
                1 => '"',
                2 => '\\',
                _ => (char)random.Next(0x20, 0x7F),
            };
        }

        return new string(chars);
    }

    private static byte[] Mutate(Random random, byte[] body)
    {
        var list = body.ToList();
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            var at = list.Count == 0 ? 0 : random.Next(list.Count);
            switch (random.Next(5))
            {
                case 0 when list.Count > 0:
                    list.RemoveAt(at);
                    break;
                case 1:
                    list.InsertRange(at, Encoding.UTF8.GetBytes(Fragments[random.Next(Fragments.Length)]));
                    break;
                case 2:
                    list.InsertRange(at, ByteNoise[random.Next(ByteNoise.Length)]);
                    break;
                case 3 when list.Count > 0:
                    list[at] = (byte)random.Next(256);
                    break;
                default:
                    if (list.Count > 1)
                    {
                        list.RemoveRange(at, list.Count - at);
                    }

                    break;
            }
        }

        return [.. list];
    }
}
