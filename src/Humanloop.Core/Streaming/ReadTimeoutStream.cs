using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Humanloop.Streaming;

/// <summary>Which limit stopped a read of a <see cref="ReadTimeoutStream"/>.</summary>
internal enum ReadLimit
{
    /// <summary>No byte arrived within the idle timeout.</summary>
    Idle,

    /// <summary>The whole stream ran past its deadline.</summary>
    Total,
}

/// <summary>A read of a <see cref="ReadTimeoutStream"/> that ran out of time.</summary>
internal sealed class ReadTimeoutException(ReadLimit limit, Exception inner) : IOException("The stream read timed out.", inner)
{
    public ReadLimit Limit { get; } = limit;
}

/// <summary>
/// A read-only stream whose every read must finish within an idle timeout, and all reads within an
/// optional total deadline. The timer of one read is reused for the next: a stream is read thousands of
/// times, each read usually with the same caller token, and a linked token source per read would be a
/// garbage object (and its registrations) per event.
/// </summary>
internal sealed class ReadTimeoutStream(Stream inner, TimeSpan idleTimeout, TimeSpan? totalTimeout) : Stream
{
    private readonly CancellationTokenSource? _deadline = totalTimeout is { } total ? new CancellationTokenSource(total) : null;

    // Cancelled by the caller's token, the deadline or the idle timer, whichever comes first; remade only
    // when the caller's token changes or it was cancelled.
    private CancellationTokenSource? _limit;
    private CancellationToken _limitCaller;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var limit = LimitFor(cancellationToken);
        limit.CancelAfter(idleTimeout);
        try
        {
            return await inner.ReadAsync(buffer, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ReadTimeoutException(_deadline?.IsCancellationRequested == true ? ReadLimit.Total : ReadLimit.Idle, exception);
        }
    }

    private CancellationTokenSource LimitFor(CancellationToken caller)
    {
        // TryReset stops the idle timer of the last read and keeps the links, unless it already fired.
        if (_limit is not null && caller == _limitCaller && _limit.TryReset())
        {
            return _limit;
        }

        _limit?.Dispose();
        _limitCaller = caller;
        _limit = _deadline is null
            ? CancellationTokenSource.CreateLinkedTokenSource(caller)
            : CancellationTokenSource.CreateLinkedTokenSource(caller, _deadline.Token);
        return _limit;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read the stream asynchronously.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _limit?.Dispose();
            _deadline?.Dispose();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
