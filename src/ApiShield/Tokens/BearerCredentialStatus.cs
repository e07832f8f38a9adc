namespace ApiShield.Tokens;

internal enum BearerCredentialStatus
{
    /// <summary>No bearer credentials at all (no header, or another authentication scheme).</summary>
    None,

    /// <summary>One well-formed bearer token in the <c>Authorization</c> header.</summary>
    Present,

    /// <summary>A bearer token longer than the configured maximum; not parsed.</summary>
    TooLong,

    /// <summary><c>Bearer</c> with no token, or a token outside the b64token syntax (RFC 6750 §2.1).</summary>
    Malformed,

    /// <summary>Credentials sent more than once or more than one way (RFC 6750 §3.1 <c>invalid_request</c>).</summary>
    Duplicated,

    /// <summary>A token in the URI query, which RFC 9700 §4.3.2 and RFC 6750 §5.3 tell clients not to use and this resource server refuses.</summary>
    InQuery,
}
