using System.Buffers;
using System.IO.Pipelines;
using ApiShield.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace ApiShield.Filtering;

/// <summary>
/// Replaces the response body while an endpoint with filtering rules runs. Every way to write a body (the stream, the
/// pipe writer, <c>SendFileAsync</c>) ends in <see cref="WriteCore"/>, which decides once, from the headers, whether
/// the body is filtered; filtered output is held until a chunk has accumulated or the application flushes, so a failure
/// in a small body can still become a 500 response.
/// </summary>
internal sealed class FilteringResponseBody : Stream, IHttpResponseBodyFeature
{
    private readonly HttpContext _context;
    private readonly IHttpResponseBodyFeature _inner;
    private readonly FilteringFeature _feature;
    private readonly FilteringOptions _options;
    private readonly ILogger _logger;
    private PipeWriter? _writer;
    private PooledBufferWriter? _staged;
    private PooledBufferWriter? _rawCopy;
    private JsonFilterEngine? _json;
    private EventStreamFilter? _events;
    private BodyMode _mode;
    private bool _committed;
    private bool _problemPending;
    private bool _completed;

    public FilteringResponseBody(HttpContext context, IHttpResponseBodyFeature inner, FilteringFeature feature, FilteringOptions options, ILogger logger)
    {
        _context = context;
        _inner = inner;
        _feature = feature;
        _options = options;
        _logger = logger;
    }

    private enum BodyMode
    {
        Undecided,
        PassThrough,
        Filtering,
        Discard,
        Failed,
    }

    public Stream Stream => this;

    public PipeWriter Writer => _writer ??= PipeWriter.Create(this, new StreamPipeWriterOptions(leaveOpen: true));

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public void DisableBuffering() => _inner.DisableBuffering();

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        Decide();
        if (_mode is BodyMode.PassThrough or BodyMode.Filtering or BodyMode.Discard)
        {
            _committed = true;
            await _inner.StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        Decide();
        if (_mode == BodyMode.PassThrough)
        {
            await _inner.SendFileAsync(path, offset, count, cancellationToken).ConfigureAwait(false);
            return;
        }

        // A file served as JSON is filtered like any other body: read it through the filter rather than hand it to the server.
        await SendFileFallback.SendFileAsync(this, path, offset, count, cancellationToken).ConfigureAwait(false);
    }

    public async Task CompleteAsync()
    {
        await FinishAsync().ConfigureAwait(false);
        if (_mode != BodyMode.Failed || _committed)
        {
            await _inner.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Filters the end of the body and passes on what is left; writes the 500 response if filtering failed before headers.</summary>
    public async Task FinishAsync()
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        if (_writer is not null)
        {
            try
            {
                await _writer.FlushAsync().ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // The application completed the writer, which flushed it.
            }
        }

        if (_mode == BodyMode.Filtering)
        {
            try
            {
                _json?.Complete();
                _events?.Complete();
            }
            catch (ResponseFilterException ex)
            {
                Fail(ex, ReadOnlySpan<byte>.Empty);
            }
        }

        if (_mode == BodyMode.Filtering || _rawCopy is not null)
        {
            Transfer();
            await _inner.Writer.FlushAsync().ConfigureAwait(false);
        }

        if (_problemPending)
        {
            await WriteProblemAsync().ConfigureAwait(false);
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (WriteCore(buffer) == BodyMode.PassThrough)
        {
            _inner.Stream.Write(buffer);
        }
        else if (_staged is { WrittenCount: >= FilteringDefaults.OutputChunkSize })
        {
            Transfer();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var mode = WriteCore(buffer.Span);
        if (mode == BodyMode.PassThrough)
        {
            await _inner.Writer.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (_problemPending)
        {
            await WriteProblemAsync().ConfigureAwait(false);
            return;
        }

        if (_staged is { WrittenCount: >= FilteringDefaults.OutputChunkSize } || _rawCopy is { WrittenCount: >= 4 * FilteringDefaults.OutputChunkSize })
        {
            Transfer();
            await _inner.Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override void Flush()
    {
        // Held output waits for FlushAsync or the end of the response; a synchronous flush has nothing safe to do.
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_problemPending)
        {
            await WriteProblemAsync().ConfigureAwait(false);
            return;
        }

        if (_mode == BodyMode.PassThrough)
        {
            await _inner.Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (_mode == BodyMode.Filtering || _rawCopy is not null)
        {
            Transfer();
            await _inner.Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _json?.Dispose();
            _events?.Dispose();
            _staged?.Dispose();
            _rawCopy?.Dispose();
            _json = null;
            _events = null;
            _staged = null;
            _rawCopy = null;
        }

        base.Dispose(disposing);
    }

    private BodyMode WriteCore(ReadOnlySpan<byte> data)
    {
        Decide();
        if (_mode != BodyMode.Filtering)
        {
            return _mode;
        }

        var stagedBefore = _staged!.WrittenCount;
        try
        {
            if (_json is not null)
            {
                _json.Write(data);
            }
            else
            {
                _events!.Write(data);
            }

            _rawCopy?.Write(data);
        }
        catch (ResponseFilterException ex)
        {
            _staged.Truncate(stagedBefore);
            Fail(ex, data);
        }

        return _mode;
    }

    private void Decide()
    {
        if (_mode != BodyMode.Undecided)
        {
            return;
        }

        var response = _context.Response;
        var kind = FilteringMediaTypes.Classify(response.ContentType, response.Headers.ContentEncoding);
        if (kind == ResponseBodyKind.Other)
        {
            _mode = BodyMode.PassThrough;
            return;
        }

        // The filtered length is unknown, and a byte range of the unfiltered body means nothing (RFC 9110 §14).
        response.ContentLength = null;
        response.Headers.Remove(HeaderNames.AcceptRanges);
        if (_feature.Program.DependsOnCaller)
        {
            _feature.PreventSharedCaching(response);
        }

        if (HttpMethods.IsHead(_context.Request.Method))
        {
            _mode = BodyMode.Discard;
            return;
        }

        if (kind == ResponseBodyKind.Unreadable)
        {
            Fail(new ResponseFilterException("the body's charset or content coding cannot be read"), ReadOnlySpan<byte>.Empty);
            return;
        }

        var useTypeRules = _feature.ClaimTypeRulesForStream();
        _staged = new PooledBufferWriter(FilteringDefaults.OutputChunkSize + 1024);
        if (_options.FailureMode == FilterFailureMode.FailOpen)
        {
            _rawCopy = new PooledBufferWriter(1024);
        }

        if (kind == ResponseBodyKind.EventStream)
        {
            _events = new EventStreamFilter(_feature.Program, _feature.Caller, _staged, _options.MaxTokenSize, useTypeRules);
        }
        else
        {
            _json = new JsonFilterEngine(_feature.Program, _feature.Caller, _staged, _options.MaxTokenSize, kind == ResponseBodyKind.JsonLines, useTypeRules);
        }

        _mode = BodyMode.Filtering;
    }

    private void Transfer()
    {
        if (_staged is { WrittenCount: > 0 })
        {
            _inner.Writer.Write(_staged.WrittenSpan);
            _staged.Clear();
            _committed = true;
        }

        // Once output is passed on it cannot be replayed, so the fail-open copy of the input is no longer useful.
        _rawCopy?.Clear();
    }

    private void Fail(ResponseFilterException exception, ReadOnlySpan<byte> current)
    {
        var reason = exception.Reason;
        if (_options.FailureMode == FilterFailureMode.FailOpen)
        {
            FilteringLog.FailedOpen(_logger, reason);
            if (!_committed && _rawCopy is not null)
            {
                _staged?.Clear();
                _inner.Writer.Write(_rawCopy.WrittenSpan);
            }
            else
            {
                Transfer();
            }

            _inner.Writer.Write(current);
            _committed = true;
            _rawCopy?.Dispose();
            _rawCopy = null;
            _mode = BodyMode.PassThrough;
            return;
        }

        _mode = BodyMode.Failed;
        _staged?.Clear();
        if (!_committed && !_context.Response.HasStarted)
        {
            FilteringLog.FailedBeforeHeaders(_logger, reason);
            _problemPending = true;
            return;
        }

        FilteringLog.FailedAfterHeaders(_logger, reason);
        _context.Abort();
    }

    private async Task WriteProblemAsync()
    {
        _problemPending = false;
        _committed = true;
        var features = _context.Features;
        var current = features.Get<IHttpResponseBodyFeature>();
        features.Set(_inner);
        try
        {
            _context.Response.Clear();
            await ProblemResponseWriter.WriteAsync(_context, ProblemTypes.ResponseFilterFailed, "The response could not be checked for sensitive data, so it was withheld.").ConfigureAwait(false);
        }
        finally
        {
            features.Set(current);
        }
    }
}
