using Microsoft.Extensions.Options;

namespace ApiShield.DependencyInjection;

/// <summary>Range checks declared on the options types, generated at compile time (no reflection at startup).</summary>
[OptionsValidator]
internal sealed partial class ApiShieldOptionsDataAnnotationsValidator : IValidateOptions<ApiShieldOptions>
{
}
