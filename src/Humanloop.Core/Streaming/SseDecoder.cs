using System;
using System.Collections.Generic;
using System.Text;

namespace Humanloop.Streaming;

/// <summary>One dispatched server-sent event: its <c>data:</c> lines joined with line feeds.</summary>
internal readonly struct SseEvent(string data)
{
    public string Data { get; } = data;
}

/// <summary>
/// An incremental decoder for the server-sent events format (WHATWG HTML §9.2) over one byte buffer of its
/// own. Bytes go in as they arrive, split anywhere: a stream being read is read straight into
/// <see cref="GetWriteMemory"/>; the recorder, which only sees the bytes a caller reads as they pass,
/// copies them in with <see cref="Feed(ReadOnlySpan{byte})"/>. Complete events come out of
/// <see cref="TryReadEvent"/> as the UTF-8 bytes of their data, sliced from the buffer when the event has
/// one data line (the usual case), so nothing is copied or decoded before the caller needs it: a stream's
/// JSON is deserialized from those bytes, and the recorder makes one string per event.
/// </summary>
/// <remarks>
/// Lines may end in LF, CRLF or CR; comment lines are skipped; several data lines join with LF; a blank
/// line dispatches; fields other than data are read past; a byte order mark at the start is ignored. The
/// lines of the event being read stay in the buffer until it is dispatched, so that a stream cut inside an
/// event can be reported with its text (<see cref="Finish"/>).
/// </remarks>
internal sealed class SseDecoder
{
    private const int InitialBufferSize = 16 * 1024;

    // A read is given at least this much room, so that a stream is never read in slivers.
    private const int MinimumReadSize = 4 * 1024;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private byte[] _buffer = new byte[InitialBufferSize];

    // [_eventStart, _end) is kept: the event being read from its first field line, then the lines not yet decoded from _lineStart.
    private int _eventStart;
    private int _lineStart;
    private int _end;
    private bool _eventStarted;
    private bool _afterCarriageReturn;
    private bool _atStreamStart = true;

    // The event's data: its first data line, in place in the buffer; from a second data line on, joined in _joined.
    private bool _hasData;
    private int _dataStart;
    private int _dataLength;
    private byte[]? _joined;
    private int _joinedLength;
    private bool _isJoined;

    /// <summary>How many bytes the decoder holds: the event being read, and what follows it.</summary>
    internal int KeptBytes => _end - _eventStart;

    /// <summary>
    /// Room at the end of the buffer for the next read; report what was read with <see cref="Advance"/>. Moves
    /// the kept bytes to the front, and grows the buffer when one event outgrows it: the data last returned
    /// by <see cref="TryReadEvent"/> is no longer valid afterwards.
    /// </summary>
    public Memory<byte> GetWriteMemory()
    {
        EnsureRoom(MinimumReadSize);
        return _buffer.AsMemory(_end);
    }

    /// <summary>Counts <paramref name="count"/> bytes written into <see cref="GetWriteMemory"/> as received.</summary>
    public void Advance(int count) => _end += count;

    /// <summary>Copies <paramref name="bytes"/> in as received; the data last returned by <see cref="TryReadEvent"/> is no longer valid afterwards.</summary>
    public void Feed(ReadOnlySpan<byte> bytes)
    {
        EnsureRoom(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_end));
        _end += bytes.Length;
    }

    /// <summary>Decodes <paramref name="count"/> bytes and appends every event they complete, each as one string.</summary>
    public void Feed(byte[] buffer, int offset, int count, List<SseEvent> events)
    {
        Feed(buffer.AsSpan(offset, count));
        while (TryReadEvent(out var data))
        {
            events.Add(new SseEvent(Utf8.GetString(data)));
        }
    }

    /// <summary>
    /// The data of the next event the bytes received so far complete; false when they complete none. The
    /// bytes are valid until the next call to any member.
    /// </summary>
    public bool TryReadEvent(out ReadOnlySpan<byte> data)
    {
        while (true)
        {
            if (_afterCarriageReturn && _lineStart < _end)
            {
                // The LF of a CRLF pair: the CR already ended the line.
                _afterCarriageReturn = false;
                if (_buffer[_lineStart] == (byte)'\n')
                {
                    _lineStart++;
                }
            }

            var rest = _buffer.AsSpan(_lineStart, _end - _lineStart);
            var length = rest.IndexOfAny((byte)'\r', (byte)'\n');
            if (length < 0)
            {
                data = default;
                return false;
            }

            var start = _lineStart;
            _afterCarriageReturn = rest[length] == (byte)'\r';
            _lineStart += length + 1;
            if (EndLine(start, length))
            {
                data = _isJoined ? _joined.AsSpan(0, _joinedLength) : _buffer.AsSpan(_dataStart, _dataLength);
                StartEvent();
                return true;
            }
        }
    }

    /// <summary>
    /// Call at end of input. Returns the text of an event that was started but never dispatched (the
    /// stream was cut inside it), or null when the stream ended cleanly between events.
    /// </summary>
    public string? Finish()
    {
        // A last line without its line ending is part of the event too, unless it is a comment.
        var partialStart = _lineStart + ByteOrderMarkLength(_buffer.AsSpan(_lineStart, _end - _lineStart));
        var partial = _buffer.AsSpan(partialStart, _end - partialStart);
        if (partial.Length > 0 && partial[0] != (byte)':' && !_eventStarted)
        {
            _eventStarted = true;
            _eventStart = partialStart;
        }

        if (!_eventStarted)
        {
            _lineStart = _eventStart = _end;
            return null;
        }

        // The event's field lines again, each with a line feed, comments left out; the cut line as it came.
        var raw = new StringBuilder();
        var rest = _buffer.AsSpan(_eventStart, _end - _eventStart);
        while (rest.Length > 0)
        {
            var length = rest.IndexOfAny((byte)'\r', (byte)'\n');
            var line = length < 0 ? rest : rest.Slice(0, length);
            if (line.Length > 0 && line[0] != (byte)':')
            {
                raw.Append(Utf8.GetString(line));
                if (length >= 0)
                {
                    raw.Append('\n');
                }
            }

            if (length < 0)
            {
                break;
            }

            var next = length + 1;
            if (rest[length] == (byte)'\r' && next < rest.Length && rest[next] == (byte)'\n')
            {
                next++;
            }

            rest = rest.Slice(next);
        }

        _lineStart = _end;
        StartEvent();
        return raw.ToString();
    }

    // Reads one complete line at [start, start + length); true when it dispatched an event with data.
    private bool EndLine(int start, int length)
    {
        var mark = ByteOrderMarkLength(_buffer.AsSpan(start, length));
        start += mark;
        length -= mark;

        var line = _buffer.AsSpan(start, length);
        if (line.Length == 0)
        {
            if (_hasData)
            {
                return true;
            }

            StartEvent();
            return false;
        }

        if (line[0] == (byte)':')
        {
            if (!_eventStarted)
            {
                // A comment between events (a keep-alive) need not be kept.
                _eventStart = _lineStart;
            }

            return false;
        }

        if (!_eventStarted)
        {
            _eventStarted = true;
            _eventStart = start;
        }

        var colon = line.IndexOf((byte)':');
        var field = colon < 0 ? line : line.Slice(0, colon);
        var valueStart = colon < 0 ? length : colon + 1;
        if (valueStart < length && line[valueStart] == (byte)' ')
        {
            valueStart++;
        }

        // "event", "id", "retry" and unknown fields carry nothing a Humanloop stream uses.
        if (field.SequenceEqual("data"u8))
        {
            AddData(start + valueStart, length - valueStart);
        }

        return false;
    }

    private void AddData(int start, int length)
    {
        if (!_hasData)
        {
            _hasData = true;
            _dataStart = start;
            _dataLength = length;
            return;
        }

        if (!_isJoined)
        {
            _isJoined = true;
            _joinedLength = 0;
            AppendJoined(_buffer.AsSpan(_dataStart, _dataLength));
        }

        AppendJoined("\n"u8);
        AppendJoined(_buffer.AsSpan(start, length));
    }

    private void AppendJoined(ReadOnlySpan<byte> bytes)
    {
        if (_joined is null || _joined.Length - _joinedLength < bytes.Length)
        {
            Array.Resize(ref _joined, Math.Max((_joined?.Length ?? 256) * 2, _joinedLength + bytes.Length));
        }

        bytes.CopyTo(_joined.AsSpan(_joinedLength));
        _joinedLength += bytes.Length;
    }

    // The next event starts after the line just read.
    private void StartEvent()
    {
        _eventStart = _lineStart;
        _eventStarted = false;
        _hasData = false;
        _isJoined = false;
    }

    // The length of a byte order mark the stream's first line starts with (3 or 0); asked once, of that line.
    private int ByteOrderMarkLength(ReadOnlySpan<byte> firstLine)
    {
        if (!_atStreamStart)
        {
            return 0;
        }

        _atStreamStart = false;
        return firstLine.StartsWith("\uFEFF"u8) ? 3 : 0;
    }

    private void EnsureRoom(int size)
    {
        if (_buffer.Length - _end >= size)
        {
            return;
        }

        // Move what is kept to the front; grow when that is not room enough.
        var kept = _end - _eventStart;
        var target = kept + size <= _buffer.Length ? _buffer : new byte[Math.Max(_buffer.Length * 2, kept + size)];
        Buffer.BlockCopy(_buffer, _eventStart, target, 0, kept);
        _buffer = target;
        var shift = _eventStart;
        _eventStart = 0;
        _lineStart -= shift;
        _end -= shift;
        if (_hasData && !_isJoined)
        {
            _dataStart -= shift;
        }
    }
}
