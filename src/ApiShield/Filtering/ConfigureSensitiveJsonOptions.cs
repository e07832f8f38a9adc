using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;

namespace ApiShield.Filtering;

/// <summary>Adds <see cref="SensitiveJsonModifier"/> to the JSON options of minimal APIs and of MVC, after the host's own configuration.</summary>
internal sealed class ConfigureSensitiveJsonOptions(SensitiveJsonModifier modifier) :
    IPostConfigureOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>,
    IPostConfigureOptions<Microsoft.AspNetCore.Mvc.JsonOptions>
{
    public void PostConfigure(string? name, Microsoft.AspNetCore.Http.Json.JsonOptions options) => Add(options.SerializerOptions);

    public void PostConfigure(string? name, Microsoft.AspNetCore.Mvc.JsonOptions options) => Add(options.JsonSerializerOptions);

    private void Add(JsonSerializerOptions options)
    {
        if (options.IsReadOnly)
        {
            return;
        }

        var resolver = options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver();
        options.TypeInfoResolver = resolver.WithAddedModifier(modifier.Modify);
    }
}
