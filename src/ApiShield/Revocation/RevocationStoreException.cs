namespace ApiShield.Revocation;

/// <summary>
/// The revocation store could not durably record or read a change. A revocation that throws this was not made:
/// retry it.
/// </summary>
public sealed class RevocationStoreException : Exception
{
    /// <summary>Initializes the exception.</summary>
    public RevocationStoreException()
        : base("The revocation store is unavailable.")
    {
    }

    /// <summary>Initializes the exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public RevocationStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes the exception with a message and its cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The store's own error.</param>
    public RevocationStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
