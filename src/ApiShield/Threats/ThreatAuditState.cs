namespace ApiShield.Threats;

/// <summary>What <c>UseApiShield()</c> saw of the pipeline, kept for the startup configuration audit.</summary>
internal sealed class ThreatAuditState
{
    public bool InPipeline { get; set; }

    public bool AuthorizationBeforeApiShield { get; set; }
}
