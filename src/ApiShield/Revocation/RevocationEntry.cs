namespace ApiShield.Revocation;

/// <summary>One revocation: what it covers, from when, until when, and why.</summary>
public sealed class RevocationEntry
{
    /// <summary>Initializes an entry.</summary>
    /// <param name="kind">What the entry cuts off.</param>
    /// <param name="value">The <c>jti</c>, subject or client identifier.</param>
    /// <param name="issuedBefore">Tokens issued (<c>iat</c>) before this moment are refused; for <see cref="RevocationKind.Token"/>, the moment of revocation.</param>
    /// <param name="expiresAt">When the entry is forgotten: no token it covers is valid after it.</param>
    /// <param name="reason">Why it was revoked, for operators; may be <see langword="null"/>.</param>
    public RevocationEntry(RevocationKind kind, string value, DateTimeOffset issuedBefore, DateTimeOffset expiresAt, string? reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        Kind = kind;
        Value = value;
        IssuedBefore = issuedBefore;
        ExpiresAt = expiresAt;
        Reason = reason;
    }

    /// <summary>What the entry cuts off.</summary>
    public RevocationKind Kind { get; }

    /// <summary>The <c>jti</c>, subject or client identifier the entry covers.</summary>
    public string Value { get; }

    /// <summary>
    /// Tokens issued (<c>iat</c>) before this moment are refused. For <see cref="RevocationKind.Token"/> entries it
    /// records when the token was revoked; the token is refused whatever its <c>iat</c>.
    /// </summary>
    public DateTimeOffset IssuedBefore { get; }

    /// <summary>When the entry is dropped: every token it covers has expired by then.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>Why the entry was made; free text for operators, never shown to callers of the API.</summary>
    public string? Reason { get; }
}
