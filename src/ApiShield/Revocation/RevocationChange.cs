namespace ApiShield.Revocation;

/// <summary>One change to the revocation list, as an <see cref="IRevocationStore"/> records and replays it.</summary>
public sealed class RevocationChange
{
    /// <summary>Initializes a change.</summary>
    /// <param name="entry">The entry added, or (when <paramref name="isUndo"/>) the kind and value removed.</param>
    /// <param name="isUndo">Whether the change removes the entry rather than adding it.</param>
    public RevocationChange(RevocationEntry entry, bool isUndo)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Entry = entry;
        IsUndo = isUndo;
    }

    /// <summary>The entry added, or whose <see cref="RevocationEntry.Kind"/> and <see cref="RevocationEntry.Value"/> are removed.</summary>
    public RevocationEntry Entry { get; }

    /// <summary>Whether the change removes the entry (an undone subject or client revocation).</summary>
    public bool IsUndo { get; }
}
