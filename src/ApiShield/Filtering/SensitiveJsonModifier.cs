using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ApiShield.Diagnostics;
using ApiShield.Scopes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiShield.Filtering;

/// <summary>
/// Applies <see cref="SensitiveAttribute"/> while a response is serialized (a System.Text.Json contract modifier), so
/// the common case, a typed result, needs no second parse. It reads the caller from the current request, writes the
/// same replacements as the streamed filter, and leaves a member alone when the streamed body has taken the
/// attribute rules of its type for this response.
/// </summary>
internal sealed class SensitiveJsonModifier
{
    private readonly IHttpContextAccessor _accessor;
    private readonly ScopeEvaluator _evaluator;
    private readonly ScopeRegistry _scopes;
    private readonly ApiShieldMetrics _metrics;
    private readonly ILogger _logger;
    private readonly byte[]? _hashKey;

    [ThreadStatic]
    private static CachedFeature? t_request;

    public SensitiveJsonModifier(
        IHttpContextAccessor accessor,
        ScopeEvaluator evaluator,
        ScopeRegistry scopes,
        ApiShieldMetrics metrics,
        IOptions<ApiShieldOptions> options,
        ILogger<SensitiveJsonModifier> logger)
    {
        _accessor = accessor;
        _evaluator = evaluator;
        _scopes = scopes;
        _metrics = metrics;
        _logger = logger;
        _hashKey = FilteringOptionsValidation.DecodeHashKey(options.Value.Filtering.HashKey);
    }

    public void Modify(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        foreach (var property in typeInfo.Properties)
        {
            if (SensitiveMembers.Find(property) is not { } attribute)
            {
                continue;
            }

            var rule = SensitiveMembers.Rule(property, attribute, _scopes);
            var declaringType = typeInfo.Type;
            if (rule.Action == SensitiveAction.Remove)
            {
                var original = property.ShouldSerialize;
                property.ShouldSerialize = (owner, value) => !Redacts(rule, declaringType) && (original?.Invoke(owner, value) ?? true);
            }
            else
            {
                var inner = property.CustomConverter ?? typeInfo.Options.GetConverter(property.PropertyType);
                var converterType = typeof(RedactingConverter<>).MakeGenericType(property.PropertyType);
                property.CustomConverter = (JsonConverter)Activator.CreateInstance(converterType, this, rule, declaringType, inner)!;
            }
        }
    }

    /// <summary>Whether the serializer replaces this member for the current caller; records it when it does.</summary>
    internal bool Redacts(FilterRule rule, Type declaringType)
    {
        var context = _accessor.HttpContext;
        var feature = context is null ? null : Resolve(context);
        if (feature is not null && feature.StreamCovers(declaringType))
        {
            return false;
        }

        FilterCaller caller;
        if (feature is not null)
        {
            feature.MarkSerializerApplied();
            caller = feature.Caller;
        }
        else
        {
            // Serialized outside a request: nobody is known to hold the scope.
            caller = new FilterCaller(null, _evaluator, _hashKey, _logger);
        }

        if (rule.VisibleWithScope is not null && context is not null && !context.Response.HasStarted)
        {
            feature!.PreventSharedCaching(context.Response);
        }

        if (caller.MayView(rule))
        {
            return false;
        }

        caller.Applied(rule, rule.Action);
        return true;
    }

    // The request's feature, looked up once per request and thread rather than once per member: a response serializes
    // thousands of members, and the feature lookup is what made filtering cost 15% over plain serialization. A cached
    // entry counts only for the same feature collection at the same revision; Kestrel reuses a connection's
    // HttpContext but bumps the revision for each request, and the middleware clears the feature when it is done.
    private FilteringFeature Resolve(HttpContext context)
    {
        var features = context.Features;
        var cached = t_request;
        if (cached is not null && ReferenceEquals(cached.Features, features) && cached.Revision == features.Revision)
        {
            return cached.Feature;
        }

        var feature = features.Get<FilteringFeature>();
        if (feature is null)
        {
            feature = new FilteringFeature(new FilterCaller(context.User, _evaluator, _hashKey, _logger), FilterProgram.Empty);
            context.Features.Set(feature);
            var metrics = _metrics;
            var route = ResponseFilteringMiddleware.Route(context);
            context.Response.OnCompleted(static state =>
            {
                var (f, m, r) = ((FilteringFeature, ApiShieldMetrics, string?))state;
                f.Caller.Publish(m, r);
                return Task.CompletedTask;
            }, (feature, metrics, route));
        }

        t_request = new CachedFeature(features, features.Revision, feature);
        return feature;
    }

    internal byte[] HashKey => _hashKey ?? throw new InvalidOperationException("ApiShield:Filtering:HashKey is required because a [Sensitive] member hashes values.");

    private sealed class RedactingConverter<T>(SensitiveJsonModifier owner, FilterRule rule, Type declaringType, JsonConverter inner) : JsonConverter<T>
    {
        private readonly JsonConverter<T> _inner = (JsonConverter<T>)inner;

        public override bool HandleNull => true;

        public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            _inner.Read(ref reader, typeToConvert, options);

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        {
            if (!owner.Redacts(rule, declaringType))
            {
                if (value is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    _inner.Write(writer, value, options);
                }

                return;
            }

            switch (value)
            {
                case null:
                    writer.WriteNullValue();
                    break;
                case string text when rule.Action == SensitiveAction.Mask:
                    SensitiveValueRedactor.WriteMasked(writer, text, rule.KeepLast);
                    break;
                case string text:
                    SensitiveValueRedactor.WriteHash(writer, owner.HashKey, System.Text.Encoding.UTF8.GetBytes(text));
                    break;
                default:
                    WriteScalarOrNull(writer, value, options);
                    break;
            }
        }

        // A number or boolean hashes over its JSON text, as the streamed filter does; anything else becomes null.
        private void WriteScalarOrNull(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        {
            if (rule.Action != SensitiveAction.Hash)
            {
                writer.WriteNullValue();
                return;
            }

            var buffer = new System.Buffers.ArrayBufferWriter<byte>(64);
            using (var scratch = new Utf8JsonWriter(buffer))
            {
                _inner.Write(scratch, value, options);
            }

            var reader = new Utf8JsonReader(buffer.WrittenSpan);
            if (reader.Read() && reader.TokenType is JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False)
            {
                SensitiveValueRedactor.WriteHash(writer, owner.HashKey, reader.ValueSpan);
            }
            else if (reader.TokenType == JsonTokenType.String)
            {
                SensitiveValueRedactor.WriteHash(writer, owner.HashKey, reader.ValueIsEscaped ? System.Text.Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan.ToArray());
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }

    private sealed class CachedFeature(IFeatureCollection features, int revision, FilteringFeature feature)
    {
        public IFeatureCollection Features { get; } = features;

        public int Revision { get; } = revision;

        public FilteringFeature Feature { get; } = feature;
    }
}
