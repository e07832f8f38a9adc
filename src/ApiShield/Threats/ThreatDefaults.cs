namespace ApiShield.Threats;

/// <summary>Every default of <c>ApiShield:Threats</c>, in one place; <c>docs/threat-protection.md</c> lists them.</summary>
internal static class ThreatDefaults
{
    public const ThreatMode Mode = ThreatMode.Block;
    public const bool StrictConfigurationAudit = false;

    public const bool JsonEnabled = true;
    public const long MaxBodySize = 1024 * 1024;
    public const int MaxDepth = 32;
    public const int MaxObjectEntries = 1000;
    public const int MaxArrayLength = 10_000;
    public const int MaxPropertyNameLength = 256;
    public const int MaxStringLength = 64 * 1024;
    public const int MaxNumberLength = 64;
    public const bool RejectDuplicateProperties = true;

    public const bool InjectionEnabled = false;
    public const InjectionRuleSets InjectionRuleSets = Threats.InjectionRuleSets.Sql | Threats.InjectionRuleSets.Script;
    public const InjectionTargets InjectionTargets = Threats.InjectionTargets.All;
    public static readonly string[] InjectionExcludedHeaders = ["Authorization", "Cookie"];

    public const bool HeadersEnabled = true;
    public const string CacheControl = "no-store";
    public const string XContentTypeOptions = "nosniff";
    public const string ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
    public const string XFrameOptions = "DENY";
    public const string ReferrerPolicy = "no-referrer";
    public const bool RemoveServerHeaders = true;

    // Upper bounds for validation: past these a limit protects nothing.
    public const long MaxBodySizeCeiling = 1024L * 1024 * 1024;
    public const int MaxDepthCeiling = 1024;
}
