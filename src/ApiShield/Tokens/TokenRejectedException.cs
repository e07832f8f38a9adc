using Microsoft.IdentityModel.Tokens;

namespace ApiShield.Tokens;

/// <summary>
/// Raised into the <c>Bearer</c> scheme's result by a check that runs after the token validated (revocation),
/// so the token pipeline answers with that check's <see cref="TokenFailure"/>.
/// </summary>
internal sealed class TokenRejectedException : SecurityTokenException
{
    public TokenRejectedException()
        : this(TokenFailure.Invalid)
    {
    }

    public TokenRejectedException(string message)
        : base(message)
    {
        Failure = TokenFailure.Invalid;
    }

    public TokenRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Failure = TokenFailure.Invalid;
    }

    public TokenRejectedException(TokenFailure failure)
        : base(failure.Description)
    {
        Failure = failure;
    }

    public TokenFailure Failure { get; }
}
