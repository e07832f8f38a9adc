namespace ApiShield.Https;

internal static class HttpsDefaults
{
    public const bool RequireHttps = true;
    public const LoopbackHttpPolicy AllowLoopbackHttp = LoopbackHttpPolicy.DevelopmentOnly;
    public static readonly TimeSpan HstsMaxAge = TimeSpan.FromDays(365);
    public const bool HstsIncludeSubDomains = true;
    public const bool HstsPreload = false;
}
