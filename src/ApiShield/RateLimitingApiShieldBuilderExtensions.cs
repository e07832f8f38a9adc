using ApiShield.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace ApiShield;

/// <summary>Adds rate-limit policies in code, beside those in <c>ApiShield:RateLimiting:Policies</c>.</summary>
public static class RateLimitingApiShieldBuilderExtensions
{
    /// <summary>Adds (or adjusts) the rate-limit policy <paramref name="name"/>.</summary>
    /// <param name="builder">The ApiShield builder.</param>
    /// <param name="name">The policy name: letters, digits, <c>.</c>, <c>_</c> and <c>-</c>.</param>
    /// <param name="configure">Sets the policy; runs after configuration binding, on top of a configured policy of the same name.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <remarks>Code is the only way to set <see cref="RateLimitPolicyOptions.PartitionBy"/>, a partition function of your own.</remarks>
    public static IApiShieldBuilder AddRateLimitPolicy(this IApiShieldBuilder builder, string name, Action<RateLimitPolicyOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure<ApiShieldOptions>(options =>
        {
            if (!options.RateLimiting.Policies.TryGetValue(name, out var policy))
            {
                policy = new RateLimitPolicyOptions();
                options.RateLimiting.Policies[name] = policy;
            }

            configure(policy);
        });
        return builder;
    }
}
