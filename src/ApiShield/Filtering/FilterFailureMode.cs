namespace ApiShield.Filtering;

/// <summary>What happens when a response body cannot be filtered.</summary>
public enum FilterFailureMode
{
    /// <summary>
    /// The client never receives the unfiltered bytes: a <c>500</c> problem response (<c>response-filter-failed</c>) when
    /// headers have not been sent, otherwise the connection is aborted.
    /// </summary>
    FailClosed = 0,

    /// <summary>
    /// The rest of the body is sent unfiltered from the point where filtering stopped, and an error is logged. Only for
    /// hosts that prefer availability to confidentiality; a startup warning says it is on.
    /// </summary>
    FailOpen = 1,
}
