namespace ApiShield.Revocation;

internal enum RevocationVerdict
{
    Allowed = 0,
    RevokedToken,
    RevokedSubject,
    RevokedClient,
    MissingTokenId,

    /// <summary>The replica is not loaded, or is staler than allowed under <see cref="RevocationStalenessMode.FailClosed"/>.</summary>
    Unavailable,
}
