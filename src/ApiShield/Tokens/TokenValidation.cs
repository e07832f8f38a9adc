using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace ApiShield.Tokens;

internal static class TokenValidation
{
    /// <summary>
    /// ApiShield validates with the JwtBearer scheme of JwtBearer's default name, so the standard
    /// <c>Authentication:Schemes:Bearer</c> section (what <c>dotnet user-jwts</c> writes) configures it unchanged.
    /// </summary>
    public const string SchemeName = JwtBearerDefaults.AuthenticationScheme;

    public const string ConfigurationPrefix = "Authentication:Schemes:" + SchemeName;
}
