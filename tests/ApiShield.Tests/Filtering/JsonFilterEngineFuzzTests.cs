using System.Text;
using System.Text.Json.Nodes;
using ApiShield.Filtering;

namespace ApiShield.Tests.Filtering;

/// <summary>
/// Random documents with sensitive values planted at random places: the streaming filter, fed in random small chunks,
/// must produce exactly what an independent reference filter built on <see cref="JsonNode"/> produces.
/// </summary>
[TestFixture]
public sealed class JsonFilterEngineFuzzTests
{
    private const string Card = "4111111111111111";
    private static readonly string[] PlainNames = ["id", "name", "items", "data", "notes", "city", "total", "tags", "meta", "x"];
    private static readonly string[] SensitiveNames = ["ssn", "userPassword", "PASSWORD_HASH", "apiToken"];

    private static readonly FilterProgram Program = FilterHarness.Program(o =>
    {
        o.Rules.Add(new SensitiveRuleOptions { Path = "$..ssn" });
        o.Rules.Add(new SensitiveRuleOptions { Name = "*password*", Action = SensitiveAction.Mask });
        o.Rules.Add(new SensitiveRuleOptions { Name = "*token", Action = SensitiveAction.Mask, KeepLast = 2 });
        o.Detectors = SensitiveDataDetectors.PaymentCard;
    });

    [Test]
    public void Write_RandomDocumentsWithPlantedValues_MatchReferenceFilter()
    {
        var random = new Random(20261127);
        for (var iteration = 0; iteration < 400; iteration++)
        {
            var document = RandomValue(random, depth: 0, forceContainer: true);
            var input = document!.ToJsonString();
            var expected = Reference(JsonNode.Parse(input)!).ToJsonString();

            var output = Encoding.UTF8.GetString(FilterHarness.RunBytes(Program, Encoding.UTF8.GetBytes(input), _ => random.Next(1, 12)));

            Assert.That(output, Is.EqualTo(expected), $"iteration {iteration}, input {input}");
            Assert.That(output, Does.Not.Contain("PLANTED").And.Not.Contain(Card), $"iteration {iteration}");
            Assert.DoesNotThrow(() => JsonNode.Parse(output));
        }
    }

    private static JsonNode? RandomValue(Random random, int depth, bool forceContainer = false)
    {
        var roll = forceContainer ? random.Next(2) : random.Next(depth > 4 ? 2 : 10) + 2;
        switch (roll)
        {
            case 0:
            case 7:
            case 8:
                var obj = new JsonObject();
                var members = random.Next(0, 6);
                for (var i = 0; i < members; i++)
                {
                    var sensitive = random.Next(4) == 0;
                    var name = sensitive ? SensitiveNames[random.Next(SensitiveNames.Length)] : PlainNames[random.Next(PlainNames.Length)];
                    if (obj.ContainsKey(name))
                    {
                        continue;
                    }

                    obj[name] = sensitive ? Planted(random, depth) : RandomValue(random, depth + 1);
                }

                return obj;
            case 1:
            case 9:
            case 10:
                var array = new JsonArray();
                var elements = random.Next(0, 5);
                for (var i = 0; i < elements; i++)
                {
                    array.Add(RandomValue(random, depth + 1));
                }

                return array;
            case 2:
                return JsonValue.Create(random.Next(-1000, 100000));
            case 3:
                return JsonValue.Create(random.Next(2) == 0);
            case 4:
                return null;
            case 5:
                // A card number planted inside free text: the detector must find it wherever it is.
                return JsonValue.Create(random.Next(3) == 0 ? $"pay {Card} now" : RandomText(random));
            default:
                return JsonValue.Create(RandomText(random));
        }
    }

    private static JsonNode? Planted(Random random, int depth) => random.Next(4) switch
    {
        0 => JsonValue.Create("PLANTED-secret-" + random.Next(1000)),
        1 => JsonValue.Create(random.Next(1000, 9999)),
        2 => new JsonObject { ["inner"] = "PLANTED", ["list"] = new JsonArray(1, "PLANTED") },
        _ => depth < 4 ? new JsonArray("PLANTED", RandomValue(random, depth + 1)) : JsonValue.Create("PLANTED"),
    };

    private static string RandomText(Random random)
    {
        const string Alphabet = "abcdefghij KLMNOP-_/\"\\\n\té<>&";
        var length = random.Next(0, 12);
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(Alphabet[random.Next(Alphabet.Length)]);
        }

        return builder.ToString();
    }

    // The reference: the same rules over a DOM, written independently of the engine.
    private static JsonNode Reference(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    var value = obj[name];
                    if (name == "ssn")
                    {
                        obj.Remove(name);
                    }
                    else if (name.Contains("password", StringComparison.OrdinalIgnoreCase))
                    {
                        obj[name] = MaskValue(value, keepLast: 0);
                    }
                    else if (name.EndsWith("token", StringComparison.OrdinalIgnoreCase))
                    {
                        obj[name] = MaskValue(value, keepLast: 2);
                    }
                    else if (value is not null)
                    {
                        obj[name] = Reference(value.DeepClone());
                    }
                }

                return obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is { } element)
                    {
                        array[i] = Reference(element.DeepClone());
                    }
                }

                return array;
            default:
                var text = node.GetValueKind() == System.Text.Json.JsonValueKind.String ? node.GetValue<string>() : null;
                return text is not null && text.Contains(Card, StringComparison.Ordinal)
                    ? JsonValue.Create(text.Replace(Card, new string('*', Card.Length), StringComparison.Ordinal))
                    : node.DeepClone();
        }
    }

    private static JsonValue? MaskValue(JsonNode? value, int keepLast)
    {
        if (value is null || value.GetValueKind() != System.Text.Json.JsonValueKind.String)
        {
            return null;
        }

        var text = value.GetValue<string>();
        return keepLast > 0 && text.Length > keepLast ? JsonValue.Create("****" + text[^keepLast..]) : JsonValue.Create("****");
    }
}
