using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiShield.Revocation;

/// <summary>
/// Keeps the replica current: loads it before the host serves, then syncs whenever the store signals a change and
/// at least every <see cref="RevocationOptions.SyncInterval"/>, and drops expired entries.
/// </summary>
internal sealed class RevocationSynchronizer : IHostedService, IDisposable
{
    private readonly RevocationService _service;
    private readonly IRevocationStore _store;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly RevocationOptions _options;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly CancellationTokenSource _stopping = new();
    private IDisposable? _subscription;
    private Task? _loop;
    private bool _disposed;

    public RevocationSynchronizer(
        RevocationService service,
        IRevocationStore store,
        IOptions<ApiShieldOptions> options,
        TimeProvider timeProvider,
        ILogger<RevocationSynchronizer> logger)
    {
        _service = service;
        _store = store;
        _timeProvider = timeProvider;
        _logger = logger;
        _options = options.Value.Revocation;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        RevocationLog.RevocationPolicy(_logger, _store.GetType().Name, _options.MaxStaleness, _options.StalenessMode);
        _subscription = _store.Subscribe(Signal);

        // A node serves nothing authenticated before its first load; try once here so it starts loaded when the
        // store answers, and keep trying in the background when it does not.
        await _service.SyncAsync(cancellationToken).ConfigureAwait(false);
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // A host disposed before it was stopped (WebApplicationFactory can do this) stops the loop through Dispose.
        if (_loop is null || Volatile.Read(ref _disposed))
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, true))
        {
            return;
        }

        // Cancelled before it is disposed, so a loop still running ends rather than touch disposed state.
        _stopping.Cancel();
        _subscription?.Dispose();
        _stopping.Dispose();
        _signal.Dispose();
    }

    /// <summary>Wakes the loop; called by the store's change notifications.</summary>
    internal void Signal()
    {
        try
        {
            if (_signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
        catch (SemaphoreFullException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var nextCleanup = _timeProvider.GetUtcNow() + RevocationDefaults.CleanupInterval;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await WaitAsync(stopping).ConfigureAwait(false);
                await _service.SyncAsync(stopping).ConfigureAwait(false);

                var now = _timeProvider.GetUtcNow();
                if (now >= nextCleanup)
                {
                    nextCleanup = now + RevocationDefaults.CleanupInterval;
                    var removed = _service.RemoveExpired();
                    if (removed > 0)
                    {
                        RevocationLog.ExpiredRemoved(_logger, removed);
                    }
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The loop outlives any one failed sync; SyncAsync logs store failures itself.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                RevocationLog.SyncFailed(_logger, exception);
            }
        }
    }

    private async Task WaitAsync(CancellationToken stopping)
    {
        using var delayCancellation = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var delay = Task.Delay(_options.SyncInterval, _timeProvider, delayCancellation.Token);
        var signal = _signal.WaitAsync(delayCancellation.Token);
        await Task.WhenAny(delay, signal).ConfigureAwait(false);
        await delayCancellation.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(delay, signal).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        stopping.ThrowIfCancellationRequested();
    }
}
