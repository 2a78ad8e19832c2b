using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.Http;
using Humanloop.Json;
using Humanloop.Streaming;

namespace Humanloop;

/// <summary>
/// A streamed completion being read. Call <see cref="ReadNextAsync"/> until it returns null; then
/// <see cref="Result"/> holds the assembled response. A stream that ends before every sample finished,
/// or that carries an event which is not a completion chunk, raises <see cref="HumanloopStreamException"/>
/// instead of ending quietly.
/// </summary>
public sealed class CompletionStream : IDisposable
{
    private const int ReadBufferSize = 8 * 1024;

    private readonly StreamingResponse _response;
    private readonly HttpPipeline _pipeline;
    private readonly SseDecoder _decoder = new();
    private readonly CompletionAssembler _assembler;
    private readonly Queue<SseEvent> _events = new();
    private readonly Queue<CompletionChunk> _chunks = new();
    private readonly List<SseEvent> _decoded = [];
    private readonly byte[] _buffer = new byte[ReadBufferSize];
    private readonly CancellationTokenSource? _deadline;
    private CompletionResponse? _result;
    private bool _endOfInput;
    private bool _disposed;

    internal CompletionStream(StreamingResponse response, HttpPipeline pipeline, int expectedSamples)
    {
        _response = response;
        _pipeline = pipeline;
        _assembler = new CompletionAssembler(expectedSamples);
        _deadline = pipeline.StreamTimeout is { } limit ? new CancellationTokenSource(limit) : null;
    }

    /// <summary>How many chunks have been handed out so far.</summary>
    public int ChunksDelivered { get; private set; }

    /// <summary>How many HTTP attempts it took to open the stream.</summary>
    public int Attempts => _response.Attempts;

    /// <summary>The assembled response; available once <see cref="ReadNextAsync"/> has returned null.</summary>
    /// <exception cref="InvalidOperationException">The stream has not been read to its end.</exception>
    public CompletionResponse Result => _result ?? throw new InvalidOperationException("The stream has not been read to its end yet.");

    /// <summary>The next chunk, or null when the stream is complete.</summary>
    /// <exception cref="HumanloopStreamException">The stream was cut, truncated or carried a malformed event.</exception>
    /// <exception cref="HumanloopTimeoutException">No event arrived within the idle timeout.</exception>
    public async Task<CompletionChunk?> ReadNextAsync(CancellationToken cancellationToken = default)
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(CompletionStream));
        }

        while (true)
        {
            // Checked per chunk, not only per read: events already buffered would otherwise keep flowing
            // after the caller asked to stop.
            cancellationToken.ThrowIfCancellationRequested();
            if (_chunks.Count > 0)
            {
                ChunksDelivered++;
                return _chunks.Dequeue();
            }

            if (_events.Count > 0)
            {
                Accept(_events.Dequeue());
                continue;
            }

            if (_endOfInput)
            {
                return Complete();
            }

            await ReadMoreAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ReadMoreAsync(CancellationToken cancellationToken)
    {
        int read;
        using (var idle = _deadline is null
                   ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
                   : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _deadline.Token))
        {
            idle.CancelAfter(_pipeline.StreamIdleTimeout);

            // Where a read ignores its token (.NET Framework), disposing the response is what unblocks it.
            using var unblock = idle.Token.Register(static state => ((StreamingResponse)state!).Dispose(), _response);
            try
            {
                read = await _response.Body.ReadAsync(_buffer, 0, _buffer.Length, idle.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or IOException or HttpRequestException)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException("The stream was stopped.", exception, cancellationToken);
                }

                if (_deadline?.IsCancellationRequested == true)
                {
                    throw new HumanloopTimeoutException(
                        $"The stream did not finish within {HttpPipeline.Seconds(_pipeline.StreamTimeout!.Value)}; it was stopped after {ChunksDelivered} chunk(s).",
                        exception) { Attempts = Attempts };
                }

                if (idle.IsCancellationRequested)
                {
                    throw new HumanloopTimeoutException(
                        $"The stream sent nothing for {HttpPipeline.Seconds(_pipeline.StreamIdleTimeout)} after {ChunksDelivered} chunk(s); it was abandoned.",
                        exception) { Attempts = Attempts };
                }

                throw new HumanloopStreamException(
                    $"The connection was lost after {ChunksDelivered} chunk(s): {exception.Message}",
                    Scrub(_decoder.Finish()),
                    ChunksDelivered,
                    exception) { Attempts = Attempts };
            }
        }

        if (read == 0)
        {
            _endOfInput = true;
            var partial = _decoder.Finish();
            if (partial is not null)
            {
                throw new HumanloopStreamException(
                    $"The stream ended in the middle of an event after {ChunksDelivered} chunk(s).",
                    Scrub(partial),
                    ChunksDelivered) { Attempts = Attempts };
            }

            return;
        }

        _decoder.Feed(_buffer, 0, read, _decoded);
        foreach (var item in _decoded)
        {
            _events.Enqueue(item);
        }

        _decoded.Clear();
    }

    private void Accept(SseEvent sseEvent)
    {
        var data = sseEvent.Data;
        if (data.Trim() == "[DONE]")
        {
            // Not a v4 convention, but OpenAI-style servers send it; treat it as the end of input.
            _endOfInput = true;
            _events.Clear();
            return;
        }

        CompletionResponse? payload;
        try
        {
            payload = JsonSerializer.Deserialize(data, HumanloopJsonContext.Default.CompletionResponse);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            throw new HumanloopStreamException(
                $"Chunk {ChunksDelivered + 1} of the stream is not a valid completion chunk: {exception.Message}",
                Scrub(data),
                ChunksDelivered,
                exception) { Attempts = Attempts };
        }

        if (payload is IWireResponse checkable && checkable.FindProblem() is { } problem)
        {
            throw new HumanloopStreamException(
                $"Chunk {ChunksDelivered + 1} of the stream cannot be used: {problem}.",
                Scrub(data),
                ChunksDelivered) { Attempts = Attempts };
        }

        if (payload is null || payload.Data.Count == 0)
        {
            ThrowIfServerError(data);
            _pipeline.Log(HumanloopLogLevel.Debug, $"Skipped a stream event without completion data: {Redactor.Preview(data, _pipeline.ApiKey, 200)}");
            return;
        }

        foreach (var item in payload.Data)
        {
            // An empty finish reason is taken as none, so it cannot make a cut stream look complete.
            var finishReason = string.IsNullOrEmpty(item.FinishReason) ? null : item.FinishReason;
            _assembler.Add(payload, item, finishReason);
            _chunks.Enqueue(new CompletionChunk
            {
                Index = item.Index,
                Id = item.Id,
                Output = item.Output ?? string.Empty,
                FinishReason = finishReason,
                ModelConfigId = item.ModelConfigId,
                ProjectId = payload.ProjectId,
                SessionId = payload.SessionId,
                ToolResults = item.ToolResults,
                Usage = finishReason is null ? null : payload.Usage,
            });
        }
    }

    // How a v4 server reports an error mid-stream is undocumented; an event carrying "detail" or
    // "error" instead of data is taken to be one, and reported with the server's words.
    private void ThrowIfServerError(string data)
    {
        using var document = JsonDocument.Parse(data);
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Object && (root.TryGetProperty("detail", out _) || root.TryGetProperty("error", out _)))
        {
            var detail = ErrorResponseParser.ParseDetail("application/json", Encoding.UTF8.GetBytes(Scrub(data)!));
            throw new HumanloopStreamException(
                $"The server reported an error after {ChunksDelivered} chunk(s): {detail.Message}",
                Scrub(data),
                ChunksDelivered) { Attempts = Attempts };
        }
    }

    private CompletionChunk? Complete()
    {
        if (_result is not null)
        {
            return null;
        }

        if (!_assembler.IsComplete)
        {
            throw new HumanloopStreamException(
                $"The stream ended after {ChunksDelivered} chunk(s) before sample(s) {string.Join(", ", _assembler.UnfinishedSamples)} finished; the output is incomplete.",
                null,
                ChunksDelivered) { Attempts = Attempts };
        }

        var response = _assembler.Build();
        response.Attempts = Attempts;
        _result = response;
        return null;
    }

    private string? Scrub(string? text) => text is null ? null : Redactor.Scrub(text, _pipeline.ApiKey);

    /// <summary>Closes the connection; safe to call at any point.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _deadline?.Dispose();
            _response.Dispose();
        }
    }
}
