using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.Streaming;

namespace Humanloop.Recording;

/// <summary>
/// Collects the events of a stream while the caller reads it, decoding the same bytes the caller gets,
/// and hands the finished response over once: when the stream ends, breaks, or is abandoned.
/// </summary>
internal sealed class StreamRecorder
{
    private readonly SseDecoder _decoder = new();
    private readonly List<SseEvent> _decoded = [];
    private readonly RecordedResponse _response;
    private readonly Stopwatch? _clock;
    private readonly Action<RecordedResponse> _onFinished;
    private readonly object _gate = new();
    private long _previousEventAt;
    private bool _finished;

    /// <param name="response">The response being recorded; its events are filled in.</param>
    /// <param name="measurePacing">Whether to store each event's delay.</param>
    /// <param name="onFinished">Called once, with the completed response.</param>
    public StreamRecorder(RecordedResponse response, bool measurePacing, Action<RecordedResponse> onFinished)
    {
        _response = response;
        _response.Events = [];
        _clock = measurePacing ? Stopwatch.StartNew() : null;
        _onFinished = onFinished;
    }

    public void Feed(byte[] buffer, int offset, int count)
    {
        lock (_gate)
        {
            if (_finished)
            {
                return;
            }

            _decoder.Feed(buffer, offset, count, _decoded);
            foreach (var decoded in _decoded)
            {
                _response.Events!.Add(new RecordedEvent(RecordedBody.FromString(decoded.Data)) { DelayMs = MillisecondsSincePreviousEvent() });
            }

            _decoded.Clear();
        }
    }

    /// <summary>Ends the recording of this stream; later calls change nothing.</summary>
    public void Finish(StreamEnd end, string? error = null)
    {
        lock (_gate)
        {
            if (_finished)
            {
                return;
            }

            _finished = true;
            if (_decoder.Finish() is { } partial)
            {
                _response.Events!.Add(new RecordedEvent(RecordedBody.FromString(DataOf(partial))) { DelayMs = MillisecondsSincePreviousEvent(), Unterminated = true });
            }

            _response.StreamEnd = end;
            _response.StreamError = error;
        }

        _onFinished(_response);
    }

    private int? MillisecondsSincePreviousEvent()
    {
        if (_clock is null)
        {
            return null;
        }

        var now = _clock.ElapsedMilliseconds;
        var delay = now - _previousEventAt;
        _previousEventAt = now;
        return (int)Math.Min(delay, int.MaxValue);
    }

    // The decoder hands back the raw field lines of an event the stream was cut inside; replay needs only its data.
    private static string DataOf(string rawEvent) => string.Join("\n", rawEvent
        .Split('\n')
        .Where(line => line.StartsWith("data:", StringComparison.Ordinal))
        .Select(line => line.Length > 5 && line[5] == ' ' ? line.Substring(6) : line.Substring(5)));
}

/// <summary>
/// The body of a stream being recorded: every read passes straight through to the caller (nothing is
/// held back), and the same bytes go to a <see cref="StreamRecorder"/>.
/// </summary>
internal sealed class RecordingTeeStream(Stream inner, StreamRecorder recorder) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        int read;
        try
        {
            read = inner.Read(buffer, offset, count);
        }
        catch (Exception exception) when (IsConnectionFailure(exception))
        {
            recorder.Finish(StreamEnd.Failed, exception.Message);
            throw;
        }

        return Pass(buffer, offset, read);
    }

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        int read;
        try
        {
            read = await inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsConnectionFailure(exception) && !cancellationToken.IsCancellationRequested)
        {
            recorder.Finish(StreamEnd.Failed, exception.Message);
            throw;
        }

        return Pass(buffer, offset, read);
    }

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
            // Closed before its end: the caller stopped reading (an error, a timeout, Ctrl+C).
            recorder.Finish(StreamEnd.Abandoned);
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Pass(byte[] buffer, int offset, int read)
    {
        if (read == 0)
        {
            recorder.Finish(StreamEnd.Complete);
        }
        else
        {
            recorder.Feed(buffer, offset, read);
        }

        return read;
    }

    private static bool IsConnectionFailure(Exception exception) => exception is IOException or HttpRequestException;
}
