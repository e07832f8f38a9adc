namespace ApiShield.Revocation;

/// <summary>What a revocation entry cuts off.</summary>
public enum RevocationKind
{
    /// <summary>One access token, by its <c>jti</c> claim, until the token expires.</summary>
    Token = 0,

    /// <summary>Every token of a subject (<c>sub</c>) issued before a moment.</summary>
    Subject = 1,

    /// <summary>Every token of a client application (<c>client_id</c>, else <c>azp</c>) issued before a moment.</summary>
    Client = 2,
}
