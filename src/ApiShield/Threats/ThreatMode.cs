namespace ApiShield.Threats;

/// <summary>What threat protection does with a request that crosses a limit or matches an injection pattern.</summary>
public enum ThreatMode
{
    /// <summary>Refuse the request with <c>400</c>, <c>413</c> or <c>415</c> problem details.</summary>
    Block = 0,

    /// <summary>Log and count the finding, and let the request through unchanged; for rolling limits out safely.</summary>
    ReportOnly = 1,
}
