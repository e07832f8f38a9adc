namespace ApiShield.Revocation;

/// <summary>
/// Where revocations are kept and how they reach every node: an append-only, replayable log of
/// <see cref="RevocationChange"/>s plus the current list. ApiShield ships an in-memory store (one process) and a
/// Redis store (every node sharing one Redis).
/// </summary>
/// <remarks>
/// Requests never call the store: each node keeps a replica of the list in memory and brings it up to date by
/// reading the feed, promptly after <see cref="Subscribe"/> signals a change and on a short poll in case a
/// signal was lost. Implementations must be thread-safe.
/// </remarks>
public interface IRevocationStore
{
    /// <summary>Durably records <paramref name="change"/>; returns only once it is stored.</summary>
    /// <param name="change">The change.</param>
    /// <param name="cancellationToken">Cancels the wait; the change may or may not have been recorded.</param>
    /// <returns>The position of the change in the log.</returns>
    /// <exception cref="RevocationStoreException">The store could not record the change; it was not made.</exception>
    Task<string> AppendAsync(RevocationChange change, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the changes after <paramref name="position"/>, or every live entry as a snapshot when
    /// <paramref name="position"/> is <see langword="null"/> or older than what the log still holds.
    /// </summary>
    /// <param name="position">The position of the last change the reader applied, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The feed.</returns>
    /// <exception cref="RevocationStoreException">The store could not be read.</exception>
    Task<RevocationFeed> ReadAsync(string? position, CancellationToken cancellationToken);

    /// <summary>
    /// Registers a callback raised, as a hint and possibly more than once or not at all, when another node appended
    /// a change or the store came back after an outage.
    /// </summary>
    /// <param name="onChanged">The callback; it must return quickly.</param>
    /// <returns>Disposing it stops the callbacks.</returns>
    IDisposable Subscribe(Action onChanged);
}
