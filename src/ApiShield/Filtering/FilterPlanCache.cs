using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace ApiShield.Filtering;

/// <summary>
/// The compiled <see cref="FilterProgram"/> of each endpoint, built on the endpoint's first request from the configured
/// rules, its <see cref="ISensitivePathMetadata"/> and the <see cref="SensitiveAttribute"/> members of its declared
/// response types, then reused. Requests without an endpoint use the configured rules alone.
/// </summary>
internal sealed class FilterPlanCache
{
    private readonly ConcurrentDictionary<Endpoint, FilterProgram> _programs = new();
    private readonly FilteringOptions _options;
    private readonly ScopeRegistry _scopes;
    private readonly JsonSerializerOptions _httpJson;
    private readonly JsonSerializerOptions _mvcJson;
    private readonly FilterProgram _global;

    public FilterPlanCache(
        IOptions<ApiShieldOptions> options,
        ScopeRegistry scopes,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> httpJson,
        IOptions<Microsoft.AspNetCore.Mvc.JsonOptions> mvcJson)
    {
        _options = options.Value.Filtering;
        _scopes = scopes;
        _httpJson = httpJson.Value.SerializerOptions;
        _mvcJson = mvcJson.Value.JsonSerializerOptions;
        _global = FilterProgramBuilder.Build(_options, [], [], null, scopes);
    }

    public FilterProgram Get(Endpoint? endpoint) =>
        endpoint is null ? _global : _programs.GetOrAdd(endpoint, static (e, self) => self.Compile(e), this);

    private FilterProgram Compile(Endpoint endpoint)
    {
        var metadata = endpoint.Metadata;
        var paths = metadata.GetOrderedMetadata<ISensitivePathMetadata>();
        var types = new List<Type>();
        foreach (var produces in metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>())
        {
            if (produces.Type is { } type && type != typeof(void) && !typeof(IResult).IsAssignableFrom(type) && !types.Contains(type))
            {
                types.Add(type);
            }
        }

        if (paths.Count == 0 && types.Count == 0)
        {
            return _global;
        }

        var isController = metadata.GetMetadata<Microsoft.AspNetCore.Mvc.Abstractions.ActionDescriptor>() is not null;
        return FilterProgramBuilder.Build(_options, [.. paths], types, isController ? _mvcJson : _httpJson, _scopes);
    }
}
