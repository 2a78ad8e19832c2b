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
/// optional total deadline. The caller's token for the current read is set through
/// <see cref="CallerToken"/>, because a parser reading this stream passes tokens of its own.
/// </summary>
internal sealed class ReadTimeoutStream(Stream inner, TimeSpan idleTimeout, TimeSpan? totalTimeout) : Stream
{
    private readonly CancellationTokenSource? _deadline = totalTimeout is { } total ? new CancellationTokenSource(total) : null;

    /// <summary>The token of whoever is reading now; a cancel through it is a cancel, not a timeout.</summary>
    public CancellationToken CallerToken { get; set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var caller = CallerToken;
        using var limit = _deadline is null
            ? CancellationTokenSource.CreateLinkedTokenSource(caller, cancellationToken)
            : CancellationTokenSource.CreateLinkedTokenSource(caller, cancellationToken, _deadline.Token);
        limit.CancelAfter(idleTimeout);
        try
        {
            return await inner.ReadAsync(buffer, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (limit.IsCancellationRequested && !caller.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ReadTimeoutException(_deadline?.IsCancellationRequested == true ? ReadLimit.Total : ReadLimit.Idle, exception);
        }
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
            _deadline?.Dispose();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
