using System.Security.Claims;
using System.Text;
using ApiShield.Filtering;
using ApiShield.Scopes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ApiShield.Tests.Filtering;

/// <summary>Runs the streaming filter directly, without a host, for engine-level tests.</summary>
internal static class FilterHarness
{
    public const string HashKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    public static FilterProgram Program(Action<FilteringOptions> configure, params ISensitivePathMetadata[] endpointRules)
    {
        var options = new FilteringOptions { HashKey = HashKey };
        configure(options);
        return FilterProgramBuilder.Build(options, endpointRules, [], null, new ScopeRegistry());
    }

    public static string Run(FilterProgram program, string json, int chunk = int.MaxValue, bool multipleValues = false, string[]? scopes = null, int maxTokenSize = 1024 * 1024)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        return Encoding.UTF8.GetString(RunBytes(program, bytes, _ => chunk, multipleValues, scopes, maxTokenSize));
    }

    public static byte[] RunBytes(FilterProgram program, byte[] input, Func<int, int> chunkAt, bool multipleValues = false, string[]? scopes = null, int maxTokenSize = 1024 * 1024)
    {
        var output = new PooledBufferWriter(256);
        var caller = Caller(scopes);
        using var engine = new JsonFilterEngine(program, caller, output, maxTokenSize, multipleValues, useTypeRules: true);
        var position = 0;
        var call = 0;
        while (position < input.Length)
        {
            var size = Math.Max(1, Math.Min(chunkAt(call++), input.Length - position));
            engine.Write(input.AsSpan(position, size));
            position += size;
        }

        engine.Complete();
        var result = output.WrittenSpan.ToArray();
        output.Dispose();
        return result;
    }

    public static FilterCaller Caller(string[]? scopes)
    {
        var evaluator = new ScopeEvaluator(Options.Create(new ApiShieldOptions()));
        ClaimsPrincipal? user = null;
        if (scopes is not null)
        {
            user = new ClaimsPrincipal(new ClaimsIdentity([new Claim("scope", string.Join(' ', scopes))], "test"));
        }

        return new FilterCaller(user, evaluator, FilteringOptionsValidation.DecodeHashKey(HashKey), NullLogger.Instance);
    }
}
