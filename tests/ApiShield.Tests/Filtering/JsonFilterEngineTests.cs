using System.Text.Json;
using System.Text.Json.Nodes;
using ApiShield.Filtering;

namespace ApiShield.Tests.Filtering;

[TestFixture]
public sealed class JsonFilterEngineTests
{
    private static FilterProgram PathRule(string path, SensitiveAction action = SensitiveAction.Remove, int keepLast = 0, string? scope = null) =>
        FilterHarness.Program(o => o.Rules.Add(new SensitiveRuleOptions { Path = path, Action = action, KeepLast = keepLast, VisibleWithScope = scope }));

    [TestCase("""{"ssn":"1","a":2}""", """{"a":2}""")]
    [TestCase("""{"a":1,"ssn":"1","b":2}""", """{"a":1,"b":2}""")]
    [TestCase("""{"a":1,"ssn":"1"}""", """{"a":1}""")]
    [TestCase("""{"ssn":"1"}""", """{}""")]
    [TestCase("""{"ssn":{"x":[1,{"y":2}]},"a":[]}""", """{"a":[]}""")]
    [TestCase("""{ "a" : 1 ,  "ssn" : "1" , "b" : 2 }""", """{ "a" : 1 , "b" : 2 }""")]
    [TestCase("""{ "ssn" : "1" , "b" : 2 }""", """{  "b" : 2 }""")]
    public void Write_RemoveRule_DropsMemberAndItsSeparator(string input, string expected)
    {
        var output = FilterHarness.Run(PathRule("$..ssn"), input);

        Assert.That(output, Is.EqualTo(expected));
        Assert.DoesNotThrow(() => JsonDocument.Parse(output));
    }

    [Test]
    public void Write_WildcardPathAtDepth_MasksEveryElementKeepingLastFour()
    {
        var input = """{"items":[{"card":{"number":"4111111111111111","brand":"visa"}},{"card":{"number":"5500005555555559"}}],"card":{"number":"top"}}""";

        var output = FilterHarness.Run(PathRule("$.items[*].card.number", SensitiveAction.Mask, keepLast: 4), input);

        Assert.That(output, Is.EqualTo("""{"items":[{"card":{"number":"****1111","brand":"visa"}},{"card":{"number":"****5559"}}],"card":{"number":"top"}}"""));
    }

    [Test]
    public void Write_DescendantPath_FindsValueSixLevelsDown()
    {
        var input = """{"a":{"b":[{"c":{"d":[{"ssn":"078-05-1120","keep":true}]}}]},"ssn":"x"}""";

        var output = FilterHarness.Run(PathRule("$..ssn"), input);

        Assert.That(output, Is.EqualTo("""{"a":{"b":[{"c":{"d":[{"keep":true}]}}]}}"""));
    }

    [Test]
    public void Write_NamePattern_MatchesIgnoringCaseAtAnyDepth()
    {
        var program = FilterHarness.Program(o => o.Rules.Add(new SensitiveRuleOptions { Name = "*password*", Action = SensitiveAction.Mask }));

        var output = FilterHarness.Run(program, """{"Password":"a","user":{"oldPasswordHash":"b","name":"n"},"passwords":[1,2]}""");

        Assert.That(output, Is.EqualTo("""{"Password":"****","user":{"oldPasswordHash":"****","name":"n"},"passwords":null}"""));
    }

    [Test]
    public void Write_MaskNonStrings_WritesNull()
    {
        var output = FilterHarness.Run(PathRule("$.*", SensitiveAction.Mask), """{"n":12.5,"t":true,"f":false,"o":{"a":1},"a":[1],"z":null,"s":"abc"}""");

        Assert.That(output, Is.EqualTo("""{"n":null,"t":null,"f":null,"o":null,"a":null,"z":null,"s":"****"}"""));
    }

    [Test]
    public void Write_KeepLastLongerThanValue_MasksWhole()
    {
        var output = FilterHarness.Run(PathRule("$.s", SensitiveAction.Mask, keepLast: 4), """{"s":"1234"}""");

        Assert.That(output, Is.EqualTo("""{"s":"****"}"""));
    }

    [Test]
    public void Write_Hash_IsKeyedDeterministicAndHidesValue()
    {
        var program = PathRule("$..email", SensitiveAction.Hash);

        var output = FilterHarness.Run(program, """{"a":{"email":"ann@example.com"},"b":{"email":"ann@example.com"},"c":{"email":"bob@example.com"}}""");

        var json = JsonNode.Parse(output)!;
        var a = json["a"]!["email"]!.GetValue<string>();
        Assert.Multiple(() =>
        {
            Assert.That(output, Does.Not.Contain("example.com"));
            Assert.That(a, Has.Length.EqualTo(22).And.Match("^[A-Za-z0-9_-]+$"));
            Assert.That(json["b"]!["email"]!.GetValue<string>(), Is.EqualTo(a));
            Assert.That(json["c"]!["email"]!.GetValue<string>(), Is.Not.EqualTo(a));
        });
    }

    [Test]
    public void Write_ScopeGatedRule_VisibleOnlyWithScope()
    {
        var program = PathRule("$.email", SensitiveAction.Mask, scope: "pii:read");
        const string Input = """{"email":"ann@example.com"}""";

        Assert.Multiple(() =>
        {
            Assert.That(FilterHarness.Run(program, Input, scopes: ["pii:read"]), Is.EqualTo(Input));
            Assert.That(FilterHarness.Run(program, Input, scopes: ["orders:read"]), Is.EqualTo("""{"email":"****"}"""));
            Assert.That(FilterHarness.Run(program, Input, scopes: null), Is.EqualTo("""{"email":"****"}"""));
        });
    }

    [Test]
    public void Write_VisibleParentStillFiltersNestedRule()
    {
        var program = FilterHarness.Program(o =>
        {
            o.Rules.Add(new SensitiveRuleOptions { Path = "$.customer", VisibleWithScope = "pii:read" });
            o.Rules.Add(new SensitiveRuleOptions { Path = "$..ssn" });
        });

        var output = FilterHarness.Run(program, """{"customer":{"name":"n","ssn":"1"}}""", scopes: ["pii:read"]);

        Assert.That(output, Is.EqualTo("""{"customer":{"name":"n"}}"""));
    }

    [Test]
    public void Write_StrictestOfSeveralMatchingRulesWins()
    {
        var program = FilterHarness.Program(o =>
        {
            o.Rules.Add(new SensitiveRuleOptions { Path = "$.card", Action = SensitiveAction.Mask, KeepLast = 4 });
            o.Rules.Add(new SensitiveRuleOptions { Name = "card", Action = SensitiveAction.Remove });
        });

        Assert.That(FilterHarness.Run(program, """{"card":"4111111111111111","x":1}"""), Is.EqualTo("""{"x":1}"""));
    }

    [Test]
    public void Write_EscapedPropertyName_IsUnescapedBeforeMatching()
    {
        var output = FilterHarness.Run(PathRule("$..ssn"), """{"\u0073sn":"1","a":"\u0041"}""");

        Assert.That(output, Is.EqualTo("""{"a":"\u0041"}"""));
    }

    [Test]
    public void Write_OneByteChunks_SameOutputAsWholeBody()
    {
        var program = FilterHarness.Program(o =>
        {
            o.Rules.Add(new SensitiveRuleOptions { Path = "$..ssn" });
            o.Rules.Add(new SensitiveRuleOptions { Path = "$.items[*].card", Action = SensitiveAction.Mask, KeepLast = 4 });
            o.Rules.Add(new SensitiveRuleOptions { Name = "*token*", Action = SensitiveAction.Hash });
            o.Detectors = SensitiveDataDetectors.All;
        });
        var input = """
            {
              "items": [ { "card": "4111111111111111", "ssn": "078-05-1120", "n": 12345678901234 },
                         { "card": "5500005555555559", "note": "call 4012-8888-8888-1881 now" } ],
              "accessToken": "abc", "ssn": { "deep": [1, 2, 3] }, "tail": 1.5e10
            }
            """;

        var whole = FilterHarness.Run(program, input);
        var split = FilterHarness.Run(program, input, chunk: 1);

        Assert.Multiple(() =>
        {
            Assert.That(split, Is.EqualTo(whole));
            Assert.That(whole, Does.Not.Contain("078-05-1120").And.Not.Contain("4012-8888").And.Not.Contain("4111111111111111"));
            Assert.That(whole, Does.Contain("\"card\": \"****1111\"").And.Contain("\"tail\": 1.5e10"));
        });
        Assert.DoesNotThrow(() => JsonDocument.Parse(whole));
    }

    [Test]
    public void Write_ValueSplitAcrossWrites_StillCaught()
    {
        var program = PathRule("$.secret", SensitiveAction.Mask);
        var input = """{"secret":"ABCDEFGHIJKLMNOPQRSTUVWXYZ","x":1}""";

        // Split inside the name, inside the value, and between name and value.
        foreach (var split in new[] { 3, 9, 11, 20 })
        {
            var output = FilterHarness.Run(program, input, chunk: split);
            Assert.That(output, Is.EqualTo("""{"secret":"****","x":1}"""), $"chunk {split}");
        }
    }

    [Test]
    public void Write_NothingMatches_OutputIsByteIdentical()
    {
        var input = "{ \"a\" : [ 1 , 2 , { \"b\" : \"c\\n\" } ] ,\n \"d\" : \"\u00e9\" }";

        Assert.That(FilterHarness.Run(PathRule("$..zzz"), input, chunk: 2), Is.EqualTo(input));
    }

    [Test]
    public void Write_MultipleValues_FiltersEachLine()
    {
        var output = FilterHarness.Run(PathRule("$.ssn"), "{\"ssn\":1,\"a\":1}\n{\"a\":2,\"ssn\":2}\n", chunk: 5, multipleValues: true);

        Assert.That(output, Is.EqualTo("{\"a\":1}\n{\"a\":2}\n"));
    }

    [TestCase("""{"a":""")]
    [TestCase("""{"a":1,}""")]
    [TestCase("""{"a":tru}""")]
    [TestCase("""{"a":1}{"b":2}""")]
    [TestCase("""[1,2""")]
    public void Complete_MalformedJson_Throws(string input)
    {
        Assert.Throws<ResponseFilterException>(() => FilterHarness.Run(PathRule("$.a"), input, chunk: 3));
    }

    [Test]
    public void Write_TokenOverMaxTokenSize_Throws()
    {
        var input = "{\"a\":\"" + new string('x', 5000) + "\"}";

        var ex = Assert.Throws<ResponseFilterException>(() => FilterHarness.Run(PathRule("$.b"), input, chunk: 100, maxTokenSize: 2048));
        Assert.That(ex!.Reason, Does.Contain("MaxTokenSize"));
    }

    [Test]
    public void Write_LargeBodyInChunks_CarriesOnlyPartialTokens()
    {
        var input = "[" + string.Join(",", Enumerable.Range(0, 5000).Select(i => $"{{\"id\":{i},\"ssn\":\"078-05-{i % 9000 + 1000}\",\"name\":\"n{i}\"}}")) + "]";

        var output = FilterHarness.Run(PathRule("$[*].ssn"), input, chunk: 4093, maxTokenSize: 1024);

        var parsed = JsonNode.Parse(output)!.AsArray();
        Assert.That(parsed, Has.Count.EqualTo(5000));
        Assert.That(output, Does.Not.Contain("ssn"));
    }
}
