using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ApiShield.Filtering;
using ApiShield.Scopes;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ApiShield.Benchmarks.Filtering;

/// <summary>
/// The streaming response filter against a plain copy (the floor), a tokenize-only <see cref="Utf8JsonReader"/> pass
/// (what any JSON-aware filter must at least do) and the DOM approach (<see cref="JsonNode"/> parse, edit, re-serialize).
/// Bodies arrive in 16 KiB writes, as a serializer flushes them.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(FilteringBenchmarkConfig))]
public class ResponseFilterBenchmarks
{
    private const int WriteSize = 16 * 1024;

    private byte[] _body = [];
    private FilterProgram _program = null!;
    private FilterCaller _caller = null!;
    private ArrayBufferWriter<byte> _output = null!;
    private FilterProgram _exactPaths = null!;

    [Params(1024, 1024 * 1024, 10 * 1024 * 1024)]
    public int BodyBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _body = RealisticJson.Orders(BodyBytes);
        var options = new FilteringOptions();
        options.Rules.Add(new SensitiveRuleOptions { Path = "$..ssn" });
        options.Rules.Add(new SensitiveRuleOptions { Path = "$[*].customer.card", Action = SensitiveAction.Mask, KeepLast = 4 });
        options.Rules.Add(new SensitiveRuleOptions { Path = "$[*].customer.email", Action = SensitiveAction.Mask, VisibleWithScope = "pii:read" });
        options.Rules.Add(new SensitiveRuleOptions { Name = "*password*" });
        _program = FilterProgramBuilder.Build(options, [], [], null, new ScopeRegistry());
        var exact = new FilteringOptions();
        exact.Rules.Add(new SensitiveRuleOptions { Path = "$[*].customer.ssn" });
        exact.Rules.Add(new SensitiveRuleOptions { Path = "$[*].customer.card", Action = SensitiveAction.Mask, KeepLast = 4 });
        exact.Rules.Add(new SensitiveRuleOptions { Path = "$[*].customer.email", Action = SensitiveAction.Mask, VisibleWithScope = "pii:read" });
        _exactPaths = FilterProgramBuilder.Build(exact, [], [], null, new ScopeRegistry());
        _caller = new FilterCaller(null, new ScopeEvaluator(Options.Create(new ApiShieldOptions())), null, NullLogger.Instance);
        _output = new ArrayBufferWriter<byte>(_body.Length + 1024);
    }

    [Benchmark(Baseline = true)]
    public int PlainCopy()
    {
        _output.ResetWrittenCount();
        for (var i = 0; i < _body.Length; i += WriteSize)
        {
            _output.Write(_body.AsSpan(i, Math.Min(WriteSize, _body.Length - i)));
        }

        return _output.WrittenCount;
    }

    [Benchmark]
    public int TokenizeOnly()
    {
        var state = default(JsonReaderState);
        var tokens = 0;
        var offset = 0;
        while (offset < _body.Length)
        {
            var length = Math.Min(WriteSize, _body.Length - offset);
            var reader = new Utf8JsonReader(_body.AsSpan(offset, length), offset + length == _body.Length, state);
            while (reader.Read())
            {
                tokens++;
            }

            state = reader.CurrentState;
            offset += (int)reader.BytesConsumed;
            if (reader.BytesConsumed == 0)
            {
                break;
            }
        }

        return tokens;
    }

    [Benchmark]
    public int StreamingFilter() => Filter(_program);

    /// <summary>Rules without <c>..</c> or name patterns: subtrees no rule can reach are copied without inspecting their tokens.</summary>
    [Benchmark]
    public int StreamingFilterExactPaths() => Filter(_exactPaths);

    private int Filter(FilterProgram program)
    {
        _output.ResetWrittenCount();
        using var engine = new JsonFilterEngine(program, _caller, _output, FilteringDefaults.MaxTokenSize, multipleValues: false, useTypeRules: false);
        for (var i = 0; i < _body.Length; i += WriteSize)
        {
            engine.Write(_body.AsSpan(i, Math.Min(WriteSize, _body.Length - i)));
        }

        engine.Complete();
        return _output.WrittenCount;
    }

    [Benchmark]
    public int JsonNodeParseEditSerialize()
    {
        _output.ResetWrittenCount();
        var root = JsonNode.Parse(_body)!;
        foreach (var order in root.AsArray())
        {
            var customer = order!["customer"]!.AsObject();
            customer.Remove("ssn");
            customer["card"] = "****" + customer["card"]!.GetValue<string>()[^4..];
            customer["email"] = "****";
        }

        using var writer = new Utf8JsonWriter(_output);
        root.WriteTo(writer);
        writer.Flush();
        return _output.WrittenCount;
    }
}

internal static class RealisticJson
{
    /// <summary>An array of orders, each with a customer (email, SSN, card) and line items, about <paramref name="bytes"/> long.</summary>
    public static byte[] Orders(int bytes)
    {
        var builder = new StringBuilder(bytes + 1024);
        builder.Append('[');
        var id = 0;
        while (builder.Length < bytes - 400 || id == 0)
        {
            if (id > 0)
            {
                builder.Append(',');
            }

            builder.Append(System.Globalization.CultureInfo.InvariantCulture, $$$"""{"id":{{{id}}},"status":"shipped","createdAt":"2026-11-27T20:{{{id % 60:00}}}:00Z","customer":{"name":"Customer {{{id}}}","email":"customer{{{id}}}@example.com","ssn":"078-05-{{{1000 + (id % 9000)}}}","card":"4111111111111111","address":{"city":"Oslo","zip":"0150"}},"items":[{"sku":"SKU-{{{id % 97}}}","quantity":{{{1 + (id % 5)}}},"price":{{{19.99 + (id % 10)}}}},{"sku":"SKU-{{{id % 89}}}","quantity":1,"price":5.5}],"total":{{{45.48 + (id % 10)}}},"notes":"Leave at the door, ring twice."}""");
            id++;
        }

        builder.Append(']');
        return Encoding.UTF8.GetBytes(builder.ToString());
    }
}
