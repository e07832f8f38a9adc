using System.ComponentModel.DataAnnotations;

namespace ApiShield.DependencyInjection;

/// <summary>
/// <see cref="RangeAttribute"/> whose <see cref="ValidationAttribute.ErrorMessage"/> is honoured by the
/// <c>[OptionsValidator]</c> source generator: the generator replaces <see cref="RangeAttribute"/> with a copy of its own
/// that always formats "The field ... must be between ...", so the configuration key never reaches the message.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
internal sealed class ConfigurationRangeAttribute : ValidationAttribute
{
    private readonly RangeAttribute _range;

    public ConfigurationRangeAttribute(int minimum, int maximum) => _range = new RangeAttribute(minimum, maximum);

    public ConfigurationRangeAttribute(double minimum, double maximum) => _range = new RangeAttribute(minimum, maximum);

    public ConfigurationRangeAttribute(Type type, string minimum, string maximum) => _range = new RangeAttribute(type, minimum, maximum);

    public object Minimum => _range.Minimum;

    public object Maximum => _range.Maximum;

    public override bool IsValid(object? value) => _range.IsValid(value);
}
