using System.Globalization;
using System.Text;

namespace ApiShield.RateLimiting;

/// <summary>
/// Writes the <c>RateLimit-Policy</c> and <c>RateLimit</c> fields of draft-ietf-httpapi-ratelimit-headers: Lists
/// (RFC 8941 §3.1) of String items naming the policy, with integer parameters.
/// </summary>
internal static class RateLimitHeaders
{
    public const string PolicyField = "RateLimit-Policy";

    public const string StateField = "RateLimit";

    public static string Policy(EndpointRateLimits limits, RateLimitTier[] tiers, int count)
    {
        if (limits.PolicyHeader is { } fixedValue)
        {
            return fixedValue;
        }

        if (count == 1)
        {
            return tiers[0].PolicyItem;
        }

        var builder = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            builder.Append(tiers[i].PolicyItem);
        }

        return builder.ToString();
    }

    /// <summary>
    /// The current state of each checked policy: <c>r</c> permits remaining and <c>t</c> seconds until the quota resets.
    /// With <paramref name="violatedOnly"/>, only the policies that refused the request, whose <c>t</c> never exceeds <c>Retry-After</c>.
    /// </summary>
    public static string? State(RateLimitTier[] tiers, RateLimitVerdict[] verdicts, int count, bool violatedOnly)
    {
        Span<char> buffer = stackalloc char[256];
        var builder = new ValueBuilder(buffer);
        var any = false;
        for (var i = 0; i < count; i++)
        {
            ref readonly var verdict = ref verdicts[i];
            if (verdict.Unchecked || (violatedOnly && verdict.Admitted))
            {
                continue;
            }

            if (any)
            {
                builder.Append(", ");
            }

            any = true;
            builder.Append('"');
            builder.Append(tiers[i].Rule.PolicyName);
            builder.Append("\";r=");
            // A burst above the limit can leave more than q; r never exceeds q, so a client's arithmetic stays sound.
            builder.Append(Math.Clamp(verdict.Remaining, 0, tiers[i].Rule.PermitLimit));
            builder.Append(";t=");
            builder.Append(RateLimitClock.CeilingSeconds(verdict.ResetMicros));
        }

        var value = any ? builder.ToString() : null;
        builder.Dispose();
        return value;
    }

    private ref struct ValueBuilder
    {
        private Span<char> _buffer;
        private char[]? _rented;
        private int _length;

        public ValueBuilder(Span<char> buffer)
        {
            _buffer = buffer;
        }

        public void Append(char value)
        {
            Ensure(1);
            _buffer[_length++] = value;
        }

        public void Append(string value)
        {
            Ensure(value.Length);
            value.CopyTo(_buffer[_length..]);
            _length += value.Length;
        }

        public void Append(long value)
        {
            Ensure(20);
            value.TryFormat(_buffer[_length..], out var written, provider: CultureInfo.InvariantCulture);
            _length += written;
        }

        public override readonly string ToString() => new(_buffer[.._length]);

        public void Dispose()
        {
            if (_rented is not null)
            {
                System.Buffers.ArrayPool<char>.Shared.Return(_rented);
            }
        }

        private void Ensure(int extra)
        {
            if (_length + extra <= _buffer.Length)
            {
                return;
            }

            var larger = System.Buffers.ArrayPool<char>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + extra));
            _buffer[.._length].CopyTo(larger);
            if (_rented is not null)
            {
                System.Buffers.ArrayPool<char>.Shared.Return(_rented);
            }

            _rented = larger;
            _buffer = larger;
        }
    }
}
