using System.Buffers;
using System.Runtime.CompilerServices;
using ApiShield.Diagnostics;
using ApiShield.Stores.InMemory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiShield.RateLimiting;

/// <summary>
/// Decides requests against the configured store and, when the shared store cannot answer, applies each policy's
/// failure mode behind a circuit breaker.
/// </summary>
/// <remarks>
/// A shared-store call that throws <see cref="RateLimitStoreUnavailableException"/> or takes longer than
/// <c>ApiShield:RateLimiting:StoreTimeout</c> (up to a tenth more: <see cref="StoreTimeoutSlices"/>) is a failure. Then, if any charge fails <see cref="RateLimitFailureMode.Closed"/>,
/// the request is <see cref="RateLimitOutcome.Unavailable"/> (and nothing is charged anywhere); otherwise
/// <see cref="RateLimitFailureMode.Local"/> charges are decided by this node's in-memory store and
/// <see cref="RateLimitFailureMode.Open"/> charges are admitted unchecked. When the store is the in-memory one, it is
/// called directly: there is nothing to time out or break.
/// </remarks>
internal sealed class RateLimitEngine
{
    private static readonly TimeSpan MinimumRetryAfter = TimeSpan.FromSeconds(1);

    private readonly IRateLimitStore _store;
    private readonly InMemoryRateLimitStore _local;
    private readonly bool _storeIsLocal;
    private readonly StoreTimeoutSlices _timeouts;
    private readonly RateLimitCircuitBreaker _breaker;
    private readonly ApiShieldMetrics _metrics;
    private readonly ILogger _logger;

    public RateLimitEngine(
        IRateLimitStore store,
        InMemoryRateLimitStore local,
        IOptions<ApiShieldOptions> options,
        TimeProvider timeProvider,
        ApiShieldMetrics metrics,
        ILogger<RateLimitEngine> logger)
    {
        _store = store;
        _local = local;
        _storeIsLocal = ReferenceEquals(store, local);
        _metrics = metrics;
        _logger = logger;
        var rateLimiting = options.Value.RateLimiting;
        _timeouts = new StoreTimeoutSlices(rateLimiting.StoreTimeout, timeProvider);
        _breaker = new RateLimitCircuitBreaker(rateLimiting.FailuresBeforeBreak, rateLimiting.BreakDuration, timeProvider, logger);

        if (!_storeIsLocal)
        {
            foreach (var (name, policy) in rateLimiting.Policies)
            {
                if (policy.FailureMode == RateLimitFailureMode.Open)
                {
                    RateLimitingLog.PolicyFailsOpen(logger, name);
                }
                else
                {
                    RateLimitingLog.PolicyFailureMode(logger, name, policy.FailureMode);
                }
            }
        }
    }

    /// <summary>Whether the shared store is currently being called (the circuit is closed); for tests and diagnostics.</summary>
    internal bool IsCircuitClosed => _breaker.IsClosed;

    public ValueTask<RateLimitOutcome> DecideAsync(
        ReadOnlyMemory<RateLimitCharge> charges,
        Memory<RateLimitVerdict> verdicts,
        CancellationToken cancellationToken)
    {
        if (_storeIsLocal)
        {
            return new ValueTask<RateLimitOutcome>(ToOutcome(_local.Acquire(charges.Span, verdicts.Span)));
        }

        return DecideSharedAsync(charges, verdicts, cancellationToken);
    }

    private static RateLimitOutcome ToOutcome(bool admitted) => admitted ? RateLimitOutcome.Admitted : RateLimitOutcome.Rejected;

    // Pooled: every Redis decision suspends here, and its state machine would otherwise be an allocation per request.
    // The ValueTask is awaited once, by the middleware.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<RateLimitOutcome> DecideSharedAsync(
        ReadOnlyMemory<RateLimitCharge> charges,
        Memory<RateLimitVerdict> verdicts,
        CancellationToken cancellationToken)
    {
        if (!_breaker.TryEnter(out var probe))
        {
            return await ApplyFailureModesAsync(charges, verdicts, cancellationToken).ConfigureAwait(false);
        }

        // The store writes into a buffer of its own: a call abandoned at the timeout may still complete later, and must
        // not overwrite the verdicts the failure modes wrote.
        var count = charges.Length;
        var scratch = ArrayPool<RateLimitVerdict>.Shared.Rent(count);

        // The store stops waiting when this token is cancelled. It is the store timeout's alone: an aborted request
        // waits it out rather than every call paying for a second registration on the request's token.
        var timeout = _timeouts.Current;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var admitted = await _store.AcquireAsync(charges, scratch.AsMemory(0, count), timeout).ConfigureAwait(false);
            scratch.AsSpan(0, count).CopyTo(verdicts.Span);
            ArrayPool<RateLimitVerdict>.Shared.Return(scratch);
            _breaker.OnSuccess(probe);
            return ToOutcome(admitted);
        }
        catch (RateLimitStoreUnavailableException exception)
        {
            ArrayPool<RateLimitVerdict>.Shared.Return(scratch);
            RateLimitingLog.RedisUnavailable(_logger, "error", exception);
            _breaker.OnFailure(probe);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // The scratch buffer is not returned to the pool: the abandoned call may still write into it.
            RateLimitingLog.RedisUnavailable(_logger, "timeout", exception: null);
            _breaker.OnFailure(probe);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            ArrayPool<RateLimitVerdict>.Shared.Return(scratch);
            _breaker.OnAbandoned(probe);
            throw;
        }

        return await ApplyFailureModesAsync(charges, verdicts, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<RateLimitOutcome> ApplyFailureModesAsync(
        ReadOnlyMemory<RateLimitCharge> charges,
        Memory<RateLimitVerdict> verdicts,
        CancellationToken cancellationToken)
    {
        var localCount = 0;
        var closed = false;
        foreach (var charge in charges.Span)
        {
            closed |= charge.Rule.FailureMode == RateLimitFailureMode.Closed;
            localCount += charge.Rule.FailureMode == RateLimitFailureMode.Local ? 1 : 0;
        }

        if (closed)
        {
            FailClosed(charges.Span, verdicts.Span);
            return RateLimitOutcome.Unavailable;
        }

        var span = charges.Span;
        for (var i = 0; i < span.Length; i++)
        {
            if (span[i].Rule.FailureMode == RateLimitFailureMode.Open)
            {
                verdicts.Span[i] = new RateLimitVerdict { Admitted = true, Unchecked = true };
                Applied(span[i].Rule, "open");
            }
        }

        if (localCount == 0)
        {
            return RateLimitOutcome.Admitted;
        }

        if (localCount == charges.Length)
        {
            foreach (var charge in span)
            {
                Applied(charge.Rule, "local");
            }

            return ToOutcome(await _local.AcquireAsync(charges, verdicts, cancellationToken).ConfigureAwait(false));
        }

        return await DecideLocalSubsetAsync(charges, verdicts, localCount, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<RateLimitOutcome> DecideLocalSubsetAsync(
        ReadOnlyMemory<RateLimitCharge> charges,
        Memory<RateLimitVerdict> verdicts,
        int localCount,
        CancellationToken cancellationToken)
    {
        var localCharges = ArrayPool<RateLimitCharge>.Shared.Rent(localCount);
        var localVerdicts = ArrayPool<RateLimitVerdict>.Shared.Rent(localCount);
        try
        {
            var j = 0;
            foreach (var charge in charges.Span)
            {
                if (charge.Rule.FailureMode == RateLimitFailureMode.Local)
                {
                    localCharges[j++] = charge;
                    Applied(charge.Rule, "local");
                }
            }

            var admitted = await _local.AcquireAsync(localCharges.AsMemory(0, localCount), localVerdicts.AsMemory(0, localCount), cancellationToken).ConfigureAwait(false);
            j = 0;
            var span = charges.Span;
            for (var i = 0; i < span.Length; i++)
            {
                if (span[i].Rule.FailureMode == RateLimitFailureMode.Local)
                {
                    verdicts.Span[i] = localVerdicts[j++];
                }
            }

            return ToOutcome(admitted);
        }
        finally
        {
            ArrayPool<RateLimitCharge>.Shared.Return(localCharges, clearArray: true);
            ArrayPool<RateLimitVerdict>.Shared.Return(localVerdicts);
        }
    }

    private void FailClosed(ReadOnlySpan<RateLimitCharge> charges, Span<RateLimitVerdict> verdicts)
    {
        var remaining = _breaker.RemainingBreak;
        var retryAfter = RateLimitClock.ToMicros(remaining > MinimumRetryAfter ? remaining : MinimumRetryAfter);
        for (var i = 0; i < charges.Length; i++)
        {
            if (charges[i].Rule.FailureMode == RateLimitFailureMode.Closed)
            {
                verdicts[i] = new RateLimitVerdict { Admitted = false, ResetMicros = retryAfter, RetryAfterMicros = retryAfter };
                Applied(charges[i].Rule, "closed");
            }
            else
            {
                // Refused anyway: neither checked nor charged, so no header speaks for it.
                verdicts[i] = new RateLimitVerdict { Admitted = true, Unchecked = true };
            }
        }
    }

    private void Applied(RateLimitRule rule, string failureMode)
    {
        _metrics.RateLimitStoreFailure(failureMode);
        RateLimitingLog.FailureModeApplied(_logger, rule.PolicyName, rule.FailureMode);
    }

}
