namespace ApiShield.Threats;

/// <summary>The read-and-check loop: pulls the body into a <see cref="RequestBodyBuffer"/> and checks each block as it lands.</summary>
internal static class JsonBodyReader
{
    /// <summary>
    /// Reads <paramref name="body"/> until it ends, crosses <see cref="JsonLimits.MaxBodySize"/> or breaks a limit; never
    /// more than one byte past the size limit. <c>Complete</c> is true when the whole body is in the buffer.
    /// </summary>
    public static async ValueTask<(ThreatKind Kind, bool Complete)> ReadAsync(
        Stream body,
        long? contentLength,
        RequestBodyBuffer buffer,
        JsonBodyChecker checker,
        JsonLimits limits,
        CancellationToken cancellationToken)
    {
        var bound = limits.MaxBodySize + 1;
        var expected = contentLength ?? 0;
        long checkedUpTo = 0;
        while (true)
        {
            var memory = buffer.GetMemory(bound - buffer.Length, expected);
            var read = await body.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return (checker.Check(buffer.Slice(checkedUpTo), isFinalBlock: true, out _), true);
            }

            buffer.Advance(read);
            if (buffer.Length > limits.MaxBodySize)
            {
                return (ThreatKind.PayloadTooLarge, false);
            }

            var kind = checker.Check(buffer.Slice(checkedUpTo), isFinalBlock: false, out var consumed);
            checkedUpTo += consumed;
            if (kind != ThreatKind.None)
            {
                return (kind, false);
            }
        }
    }
}
