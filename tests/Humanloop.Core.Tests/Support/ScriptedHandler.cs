using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Humanloop.Tests.Support;

/// <summary>A request as the transport saw it.</summary>
public sealed record CapturedRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string? Body);

/// <summary>
/// A transport that answers from a script, one responder per request in order, and records every
/// request it receives. It stands in for the network at the only seam the client has.
/// </summary>
public sealed class ScriptedHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>> _responders = new();

    public List<CapturedRequest> Requests { get; } = [];

    public ScriptedHandler Then(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> responder)
    {
        _responders.Enqueue(responder);
        return this;
    }

    public ScriptedHandler ThenRespond(HttpStatusCode status, string body, string contentType = "application/json", Action<HttpResponseHeaders>? headers = null) =>
        Then((_, _) =>
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, contentType) };
            headers?.Invoke(response.Headers);
            return Task.FromResult(response);
        });

    public ScriptedHandler ThenStream(ScriptedBody body) =>
        Then((_, _) =>
        {
            var content = new StreamContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        });

    public ScriptedHandler ThenThrow(Exception exception) => Then((_, _) => Task.FromException<HttpResponseMessage>(exception));

    /// <summary>A response that never comes, until the request is cancelled.</summary>
    public ScriptedHandler ThenHang() =>
        Then(async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        });

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = request.Headers.ToDictionary(header => header.Key, header => string.Join(", ", header.Value), StringComparer.OrdinalIgnoreCase);
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (Requests)
        {
            Requests.Add(new CapturedRequest(request.Method, request.RequestUri!, headers, body));
        }

        if (!_responders.TryDequeue(out var responder))
        {
            throw new InvalidOperationException($"The script has no response for request {Requests.Count}: {request.Method} {request.RequestUri}.");
        }

        return await responder(request, cancellationToken);
    }
}

/// <summary>
/// A response body delivered in scripted pieces: text segments, pauses, a stall that lasts until the
/// reader gives up, or a connection reset. Each read returns at most one segment, so tests control
/// exactly where the bytes split.
/// </summary>
public sealed class ScriptedBody : Stream
{
    private readonly Queue<Step> _steps = new();
    private byte[] _current = [];
    private int _offset;

    public static ScriptedBody Of(params string[] segments)
    {
        var body = new ScriptedBody();
        foreach (var segment in segments)
        {
            body.Text(segment);
        }

        return body;
    }

    public ScriptedBody Text(string text)
    {
        _steps.Enqueue(new Step(Encoding.UTF8.GetBytes(text), null, false, false));
        return this;
    }

    public ScriptedBody Bytes(byte[] bytes)
    {
        _steps.Enqueue(new Step(bytes, null, false, false));
        return this;
    }

    public ScriptedBody Pause(TimeSpan delay)
    {
        _steps.Enqueue(new Step([], delay, false, false));
        return this;
    }

    public ScriptedBody Stall()
    {
        _steps.Enqueue(new Step([], null, true, false));
        return this;
    }

    public ScriptedBody Reset()
    {
        _steps.Enqueue(new Step([], null, false, true));
        return this;
    }

    public bool Disposed { get; private set; }

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        while (_offset >= _current.Length)
        {
            if (!_steps.TryDequeue(out var step))
            {
                return 0;
            }

            if (step.Stall)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            if (step.Delay is { } delay)
            {
                await Task.Delay(delay, cancellationToken);
            }

            if (step.Reset)
            {
                throw new IOException("Connection reset by peer (scripted).");
            }

            _current = step.Data;
            _offset = 0;
        }

        var length = Math.Min(count, _current.Length - _offset);
        Array.Copy(_current, _offset, buffer, offset, length);
        _offset += length;
        return length;
    }

    // Awaited rather than continued, so a scripted failure reaches the reader as itself.
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var array = new byte[buffer.Length];
        var read = await ReadAsync(array, 0, array.Length, cancellationToken);
        array.AsSpan(0, read).CopyTo(buffer.Span);
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private sealed record Step(byte[] Data, TimeSpan? Delay, bool Stall, bool Reset);
}

/// <summary>Records requested backoff delays instead of sleeping.</summary>
internal sealed class RecordingClock : Humanloop.Http.IRetryClock
{
    public List<TimeSpan> Delays { get; } = [];

    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Delays.Add(delay);
        return Task.CompletedTask;
    }
}

internal static class TestClients
{
    public const string Key = "hl_test_key_0123456789abcdef";

    /// <summary>A one-sample completion whose output is "ok".</summary>
    public const string Success = """{"data":[{"id":"data_1","index":0,"output":"ok","raw_output":"ok","inputs":{},"model_config_id":"c"}],"provider_responses":[]}""";

    public static HumanloopClientOptions Options(ScriptedHandler handler, int maxRetries = 2) => new()
    {
        BaseUri = new Uri("http://127.0.0.1:5080/v4"),
        ApiKey = new HumanloopApiKey(Key),
        Transport = handler,
        MaxRetries = maxRetries,
    };

    public static HumanloopClient Create(ScriptedHandler handler, int maxRetries = 2, RecordingClock? clock = null, Func<double>? random = null, Action<HumanloopClientOptions>? configure = null)
    {
        var options = Options(handler, maxRetries);
        configure?.Invoke(options);
        return new HumanloopClient(new Humanloop.Http.HttpPipeline(options, clock ?? new RecordingClock(), random ?? (() => 0.5)));
    }

    public static string Chunk(int index, string output, string? finishReason = null, string id = "data_1", string extra = "")
    {
        var finish = finishReason is null ? "null" : $"\"{finishReason}\"";
        return $$"""{"project_id":"pr_1","data":[{"id":"{{id}}","index":{{index}},"output":{{System.Text.Json.JsonSerializer.Serialize(output)}},"raw_output":{{System.Text.Json.JsonSerializer.Serialize(output)}},"inputs":{},"finish_reason":{{finish}},"model_config_id":"config_1"}]{{extra}}}""";
    }

    public static string Event(string json) => "data: " + json + "\n\n";
}

/// <summary>A clock that moves only when told, firing the timers that have come due.</summary>
internal sealed class ManualTime : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Timers waiting to fire.</summary>
    public int PendingTimers
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count(timer => timer.DueAt is not null);
            }
        }
    }

    public void Advance(TimeSpan by)
    {
        List<ManualTimer> due;
        lock (_gate)
        {
            _now += by;
            due = _timers.Where(timer => timer.DueAt <= _now).ToList();
            foreach (var timer in due)
            {
                timer.DueAt = null;
            }
        }

        foreach (var timer in due)
        {
            timer.Fire();
        }
    }

    private sealed class ManualTimer(ManualTime owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? DueAt { get; set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : owner._now + dueTime;
                if (!owner._timers.Contains(this))
                {
                    owner._timers.Add(this);
                }
            }

            if (dueTime == TimeSpan.Zero)
            {
                owner.Advance(TimeSpan.Zero);
            }

            return true;
        }

        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
