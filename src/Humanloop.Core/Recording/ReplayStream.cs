using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Humanloop.Recording;

/// <summary>
/// The body of a replayed stream: the recorded events as server-sent events, one event per read, after
/// the recorded delay when pacing is on. It ends as the recording did: closed, broken (an IOException),
/// or, for a stream the client had stopped reading, stalled until the reader gives up.
/// </summary>
internal sealed class ReplayStream(IReadOnlyList<RecordedEvent> events, StreamEnd end, string? error, bool pacing) : Stream
{
    private int _next;
    private byte[] _pending = [];
    private int _offset;
    private bool _disposed;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        while (Remaining == 0)
        {
            ThrowIfDisposed();
            cancellationToken.ThrowIfCancellationRequested();
            if (_next == events.Count)
            {
                if (end == StreamEnd.Abandoned)
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }

                return EndOfRecording();
            }

            var item = events[_next];
            if (pacing && item.DelayMs is > 0)
            {
                await Task.Delay(item.DelayMs.Value, cancellationToken).ConfigureAwait(false);
            }

            Advance();
        }

        return Copy(buffer, offset, count);
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        while (Remaining == 0)
        {
            ThrowIfDisposed();
            if (_next == events.Count)
            {
                // A synchronous reader has no token to end a stall with, so it gets the break at once.
                return end == StreamEnd.Abandoned
                    ? throw new IOException("The recording of this stream ends here: the client stopped reading it when it was recorded.")
                    : EndOfRecording();
            }

            var item = events[_next];
            if (pacing && item.DelayMs is > 0)
            {
                Thread.Sleep(item.DelayMs.Value);
            }

            Advance();
        }

        return Copy(buffer, offset, count);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        base.Dispose(disposing);
    }

    /// <summary>The wire form of one event: a <c>data:</c> line per line of data, then a blank line unless the event was cut.</summary>
    internal static byte[] Encode(RecordedEvent item)
    {
        var text = new StringBuilder();
        var lines = item.Data.ToText().Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            text.Append("data: ").Append(lines[i]);
            if (i < lines.Length - 1 || !item.Unterminated)
            {
                text.Append('\n');
            }
        }

        if (!item.Unterminated)
        {
            text.Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private int Remaining => _pending.Length - _offset;

    private void Advance()
    {
        _pending = Encode(events[_next++]);
        _offset = 0;
    }

    private int Copy(byte[] buffer, int offset, int count)
    {
        var length = Math.Min(count, Remaining);
        Buffer.BlockCopy(_pending, _offset, buffer, offset, length);
        _offset += length;
        return length;
    }

    private int EndOfRecording() => end == StreamEnd.Failed
        ? throw new IOException(error ?? "The connection broke here when the stream was recorded.")
        : 0;

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(ReplayStream));
        }
    }
}
