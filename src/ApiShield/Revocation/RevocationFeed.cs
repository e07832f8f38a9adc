namespace ApiShield.Revocation;

/// <summary>What <see cref="IRevocationStore.ReadAsync"/> returns: the changes after a position, or the whole list.</summary>
public sealed class RevocationFeed
{
    /// <summary>Initializes a feed.</summary>
    /// <param name="position">The position the reader is current to once it has applied <paramref name="changes"/>.</param>
    /// <param name="isSnapshot">Whether <paramref name="changes"/> is the whole list, which replaces what the reader holds.</param>
    /// <param name="changes">The changes, oldest first.</param>
    public RevocationFeed(string position, bool isSnapshot, IReadOnlyList<RevocationChange> changes)
        : this(position, isSnapshot, changes, storeWasReset: false)
    {
    }

    /// <summary>Initializes a feed that may report that the store lost its contents.</summary>
    /// <param name="position">The position the reader is current to once it has applied <paramref name="changes"/>.</param>
    /// <param name="isSnapshot">Whether <paramref name="changes"/> is the whole list, which replaces what the reader holds.</param>
    /// <param name="changes">The changes, oldest first.</param>
    /// <param name="storeWasReset">Whether the store no longer holds changes the reader's position says it saw (it restarted empty).</param>
    public RevocationFeed(string position, bool isSnapshot, IReadOnlyList<RevocationChange> changes, bool storeWasReset)
    {
        ArgumentNullException.ThrowIfNull(position);
        ArgumentNullException.ThrowIfNull(changes);
        Position = position;
        IsSnapshot = isSnapshot;
        Changes = changes;
        StoreWasReset = storeWasReset;
    }

    /// <summary>
    /// Whether the store lost changes the reader had already seen, for example a Redis restarted without persistence.
    /// Readers then write back the entries they still hold, so that no revocation is lost with the store.
    /// </summary>
    public bool StoreWasReset { get; }

    /// <summary>The opaque position to pass to the next <see cref="IRevocationStore.ReadAsync"/>.</summary>
    public string Position { get; }

    /// <summary>
    /// Whether <see cref="Changes"/> holds every live entry (the reader had no position, or the store no longer
    /// holds the changes after it) rather than the changes since the reader's position.
    /// </summary>
    public bool IsSnapshot { get; }

    /// <summary>The changes, oldest first.</summary>
    public IReadOnlyList<RevocationChange> Changes { get; }
}
