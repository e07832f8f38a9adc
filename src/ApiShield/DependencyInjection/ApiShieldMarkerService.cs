namespace ApiShield.DependencyInjection;

/// <summary>Registered by <c>AddApiShield</c> so that it runs once and <c>UseApiShield</c> can check it ran.</summary>
internal sealed class ApiShieldMarkerService
{
}
