namespace ApiShield.Https;

/// <summary>When plain HTTP from a loopback address is let through.</summary>
public enum LoopbackHttpPolicy
{
    /// <summary>Only when the host environment is Development; a warning is logged at startup.</summary>
    DevelopmentOnly = 0,

    /// <summary>Never: loopback callers must use HTTPS like everyone else.</summary>
    Never = 1,

    /// <summary>In every environment; a warning is logged at startup.</summary>
    /// <remarks>
    /// Behind a reverse proxy on the same machine every request arrives from loopback unless the host processes
    /// forwarded headers first, so this setting would let all plain-HTTP traffic through.
    /// </remarks>
    Always = 2,
}
