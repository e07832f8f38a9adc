namespace ApiShield.Revocation;

/// <summary>Token, subject and client revocation, bound to <c>ApiShield:Revocation</c>.</summary>
/// <remarks>
/// Every token the <c>Bearer</c> scheme validates is checked against this node's in-memory replica of the revocation
/// list; a revoked token gets 401 <c>invalid_token</c>. With a Redis store (<c>ApiShield:Redis</c>) the list is
/// shared by every node and a revocation reaches all of them within about a second.
/// </remarks>
public sealed class RevocationOptions
{
    /// <summary>Whether tokens are checked against the revocation list.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Enabled { get; set; } = RevocationDefaults.Enabled;

    /// <summary>Whether tokens without a <c>jti</c> claim are refused.</summary>
    /// <value>The default value is <see langword="true"/>: a token that cannot be revoked by itself is refused.</value>
    /// <remarks>Turn it off for issuers that omit <c>jti</c> (Entra ID v1 tokens carry <c>uti</c>); subject and client revocation still apply to them.</remarks>
    public bool RequireTokenId { get; set; } = RevocationDefaults.RequireTokenId;

    /// <summary>Whether a valid token seen over plain HTTP is revoked on every node.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool BurnTokensSeenOverHttp { get; set; } = RevocationDefaults.BurnTokensSeenOverHttp;

    /// <summary>How stale the node's replica may get, while the store is unreachable, before <see cref="StalenessMode"/> applies.</summary>
    /// <value>The default value is 5 minutes.</value>
    public TimeSpan MaxStaleness { get; set; } = RevocationDefaults.MaxStaleness;

    /// <summary>What happens once the replica is staler than <see cref="MaxStaleness"/>.</summary>
    /// <value>The default value is <see cref="RevocationStalenessMode.FailClosed"/>: 503 until the store answers again.</value>
    /// <remarks>The mode in force is logged at startup and whenever the limit is crossed.</remarks>
    public RevocationStalenessMode StalenessMode { get; set; } = RevocationDefaults.StalenessMode;

    /// <summary>How long subject and client entries are kept after their cut-off.</summary>
    /// <value>The default value is <see langword="null"/>: <c>ApiShield:Tokens:MaxTokenLifetime</c>, past which no token issued before the cut-off is valid anyway.</value>
    public TimeSpan? MaxTokenLifetime { get; set; }

    /// <summary>How often a node polls the store for changes it was not notified of.</summary>
    /// <value>The default value is 500 milliseconds.</value>
    /// <remarks>Notifications (Redis pub/sub) bring changes sooner; the poll bounds the delay when one is lost.</remarks>
    public TimeSpan SyncInterval { get; set; } = RevocationDefaults.SyncInterval;
}
