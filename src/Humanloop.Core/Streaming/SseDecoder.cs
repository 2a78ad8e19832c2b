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
/// The recorder's decoder: it is fed the bytes a caller reads as they pass, so it must decode push-style,
/// which System.Net.ServerSentEvents' pull parser (used to read streams) cannot. An incremental decoder for the server-sent events format (WHATWG HTML §9.2): bytes go in as they
/// arrive, split anywhere, and complete events come out. Lines may end in LF, CRLF or CR; comment lines
/// are skipped; several <c>data:</c> lines join with LF; a blank line dispatches. Lines are decoded only
/// when complete, so a UTF-8 character split across reads stays intact.
/// </summary>
internal sealed class SseDecoder
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly StringBuilder _data = new();
    private byte[] _line = new byte[256];
    private int _lineLength;
    private bool _lastByteWasCarriageReturn;
    private bool _atStreamStart = true;
    private bool _hasData;

    /// <summary>The raw field lines of the event being read, kept to report a stream that ends inside it.</summary>
    private readonly StringBuilder _pendingRaw = new();

    /// <summary>Decodes <paramref name="count"/> bytes and appends every event they complete.</summary>
    public void Feed(byte[] buffer, int offset, int count, List<SseEvent> events)
    {
        for (var i = offset; i < offset + count; i++)
        {
            var value = buffer[i];
            if (value == (byte)'\n')
            {
                if (_lastByteWasCarriageReturn)
                {
                    // The LF of a CRLF pair: the CR already ended the line.
                    _lastByteWasCarriageReturn = false;
                    continue;
                }

                EndLine(events);
            }
            else if (value == (byte)'\r')
            {
                _lastByteWasCarriageReturn = true;
                EndLine(events);
            }
            else
            {
                _lastByteWasCarriageReturn = false;
                Append(value);
            }
        }
    }

    /// <summary>
    /// Call at end of input. Returns the text of an event that was started but never dispatched (the
    /// stream was cut inside it), or null when the stream ended cleanly between events.
    /// </summary>
    public string? Finish()
    {
        if (_lineLength > 0)
        {
            var partial = DecodeLine();
            _lineLength = 0;
            if (partial.Length > 0 && partial[0] != ':')
            {
                _pendingRaw.Append(partial);
            }
        }

        if (_pendingRaw.Length == 0 && !_hasData)
        {
            return null;
        }

        var raw = _pendingRaw.ToString();
        ResetEvent();
        return raw;
    }

    private void Append(byte value)
    {
        if (_lineLength == _line.Length)
        {
            Array.Resize(ref _line, _line.Length * 2);
        }

        _line[_lineLength++] = value;
    }

    private void EndLine(List<SseEvent> events)
    {
        var line = DecodeLine();
        _lineLength = 0;
        if (line.Length == 0)
        {
            Dispatch(events);
            return;
        }

        if (line[0] == ':')
        {
            return;
        }

        _pendingRaw.Append(line).Append('\n');

        var colon = line.IndexOf(':');
        var field = colon < 0 ? line : line.Substring(0, colon);
        var value = colon < 0 ? string.Empty : line.Substring(colon + 1);
        if (value.Length > 0 && value[0] == ' ')
        {
            value = value.Substring(1);
        }

        if (field == "data")
        {
            _data.Append(value).Append('\n');
            _hasData = true;
        }

        // "event", "id", "retry" and unknown fields carry nothing the recorder keeps.
    }

    private string DecodeLine()
    {
        var line = Utf8.GetString(_line, 0, _lineLength);
        if (_atStreamStart)
        {
            _atStreamStart = false;
            if (line.Length > 0 && line[0] == '\uFEFF')
            {
                line = line.Substring(1);
            }
        }

        return line;
    }

    private void Dispatch(List<SseEvent> events)
    {
        if (_hasData)
        {
            var data = _data.ToString(0, _data.Length - 1);
            events.Add(new SseEvent(data));
        }

        ResetEvent();
    }

    private void ResetEvent()
    {
        _data.Clear();
        _pendingRaw.Clear();
        _hasData = false;
    }
}
