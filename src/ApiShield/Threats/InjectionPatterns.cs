namespace ApiShield.Threats;

/// <summary>
/// The built-in injection rule sets. Each pattern targets a construct that has no business in an API parameter and
/// stays clear of ordinary text ("select a size", "O'Brien", "a &lt; b").
/// </summary>
internal static class InjectionPatterns
{
    public static readonly string[] Sql =
    [
        @"\bunion\b\s+(all\s+|distinct\s+)?select\b",
        @";\s*(drop|truncate|alter|create|delete|insert|update|exec|execute|shutdown|grant|revoke)\s",
        @"'\s*(or|and)\s+('[^']*'|\d+|true|false)\s*(=|<|>|like\b|is\b)",
        @"'\s*(or|and)\s+'[^']*'\s*='",
        @"'\s*;?\s*--",
        @"\b(xp_cmdshell|sp_executesql|sp_oacreate|information_schema\.|pg_sleep|dbms_pipe\.)",
        @"\bwaitfor\s+delay\s+'",
        @"\b(sleep|benchmark)\s*\(\s*\d",
        @"/\*.*\*/\s*(select|union|or|and|from|where)\b",
    ];

    public static readonly string[] Script =
    [
        @"<\s*/?\s*script\b",
        @"<\s*(iframe|frame|object|embed|applet|base|meta|link|svg|math|form)\b",
        @"<[^>]*\bon[a-z]+\s*=",
        @"\b(javascript|vbscript|livescript)\s*:",
        @"\bdata\s*:\s*text/html\b",
        @"\bexpression\s*\(",
        @"\bsrcdoc\s*=",
    ];
}
