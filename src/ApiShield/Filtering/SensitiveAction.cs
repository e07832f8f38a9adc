namespace ApiShield;

/// <summary>What happens to a sensitive value the caller may not see.</summary>
public enum SensitiveAction
{
    /// <summary>The property is removed from its object (an array element is removed from its array).</summary>
    Remove = 0,

    /// <summary>
    /// A string is replaced by asterisks, optionally keeping its last characters; a number, boolean, object or array
    /// becomes <see langword="null"/>, so the document keeps its shape and stays type-safe for the client.
    /// </summary>
    Mask = 1,

    /// <summary>
    /// The value is replaced by a keyed hash (HMAC-SHA256 under <c>ApiShield:Filtering:HashKey</c>, truncated to 128 bits,
    /// base64url): equal values give equal hashes, so a client can correlate them without learning them. Objects and
    /// arrays become <see langword="null"/>.
    /// </summary>
    Hash = 2,
}
