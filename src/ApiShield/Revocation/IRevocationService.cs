namespace ApiShield.Revocation;

/// <summary>
/// Revokes access tokens, subjects and client applications on every node, and reports what is revoked.
/// Inject it anywhere; every authenticated request is checked against the node's in-memory replica of the list.
/// </summary>
/// <remarks>
/// A revocation call returns once the change is durable in the <see cref="IRevocationStore"/> and applied on this
/// node; other nodes apply it within a second. When the store cannot take the change the call throws
/// <see cref="RevocationStoreException"/> and nothing was revoked.
/// </remarks>
public interface IRevocationService
{
    /// <summary>Whether this node has loaded the revocation list; until then, authenticated requests get 503.</summary>
    bool IsLoaded { get; }

    /// <summary>
    /// How out of date this node's replica may be: zero while the store answers, otherwise the time since the replica
    /// was last confirmed current.
    /// </summary>
    TimeSpan Staleness { get; }

    /// <summary>Revokes one token by its <c>jti</c> claim until <paramref name="expiresAt"/> (the token's <c>exp</c>).</summary>
    /// <param name="tokenId">The token's <c>jti</c>.</param>
    /// <param name="expiresAt">The token's <c>exp</c>; the entry is forgotten after it.</param>
    /// <param name="reason">Why, for operators; never sent to API callers.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entry made.</returns>
    /// <exception cref="RevocationStoreException">The store could not record the revocation.</exception>
    Task<RevocationEntry> RevokeTokenAsync(string tokenId, DateTimeOffset expiresAt, string? reason, CancellationToken cancellationToken = default);

    /// <summary>Revokes every token of <paramref name="subject"/> issued before <paramref name="issuedBefore"/>.</summary>
    /// <param name="subject">The <c>sub</c> claim value.</param>
    /// <param name="issuedBefore">The cut-off; <see langword="null"/> for now. Tokens issued after it keep working.</param>
    /// <param name="reason">Why, for operators; never sent to API callers.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entry made; it lasts one maximum token lifetime after <paramref name="issuedBefore"/>.</returns>
    /// <exception cref="RevocationStoreException">The store could not record the revocation.</exception>
    Task<RevocationEntry> RevokeSubjectAsync(string subject, DateTimeOffset? issuedBefore, string? reason, CancellationToken cancellationToken = default);

    /// <summary>Revokes every token of a client application issued before <paramref name="issuedBefore"/>.</summary>
    /// <param name="clientId">The <c>client_id</c> claim value (or <c>azp</c> for tokens without <c>client_id</c>).</param>
    /// <param name="issuedBefore">The cut-off; <see langword="null"/> for now. Tokens issued after it keep working.</param>
    /// <param name="reason">Why, for operators; never sent to API callers.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entry made; it lasts one maximum token lifetime after <paramref name="issuedBefore"/>.</returns>
    /// <exception cref="RevocationStoreException">The store could not record the revocation.</exception>
    Task<RevocationEntry> RevokeClientAsync(string clientId, DateTimeOffset? issuedBefore, string? reason, CancellationToken cancellationToken = default);

    /// <summary>Withdraws the revocation of <paramref name="subject"/>.</summary>
    /// <param name="subject">The <c>sub</c> claim value.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether there was a revocation to withdraw.</returns>
    /// <exception cref="RevocationStoreException">The store could not record the change.</exception>
    Task<bool> UndoSubjectAsync(string subject, CancellationToken cancellationToken = default);

    /// <summary>Withdraws the revocation of a client application.</summary>
    /// <param name="clientId">The client identifier.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether there was a revocation to withdraw.</returns>
    /// <exception cref="RevocationStoreException">The store could not record the change.</exception>
    Task<bool> UndoClientAsync(string clientId, CancellationToken cancellationToken = default);

    /// <summary>Lists the live entries this node holds, with their reasons.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entries, by kind then value.</returns>
    Task<IReadOnlyList<RevocationEntry>> ListAsync(CancellationToken cancellationToken = default);
}
