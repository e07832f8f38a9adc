using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace ApiShield.Tokens;

/// <summary>
/// Adds the <c>Bearer</c> scheme after all of the host's configuration, unless the host registered it itself: an app
/// that already calls <c>AddJwtBearer()</c> keeps working whether it does so before or after <c>AddApiShield()</c>.
/// </summary>
internal sealed class BearerSchemeRegistration : IPostConfigureOptions<AuthenticationOptions>
{
    public void PostConfigure(string? name, AuthenticationOptions options)
    {
        if (!options.SchemeMap.TryGetValue(TokenValidation.SchemeName, out var scheme))
        {
            options.AddScheme<JwtBearerHandler>(TokenValidation.SchemeName, displayName: null);
            return;
        }

        if (scheme.HandlerType is { } handler && !typeof(JwtBearerHandler).IsAssignableFrom(handler))
        {
            throw new InvalidOperationException(
                $"The '{TokenValidation.SchemeName}' authentication scheme is registered with {handler.Name}; ApiShield validates bearer tokens with JwtBearer under that name. Register your handler under another scheme name.");
        }
    }
}
