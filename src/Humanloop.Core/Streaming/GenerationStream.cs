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
/// A streamed generation being read. Call <see cref="ReadNextAsync"/> until it returns null; then
/// <see cref="Result"/> holds the assembled response. A stream that ends before every sample finished,
/// or that carries an event which is not a chunk of this kind, raises <see cref="HumanloopStreamException"/>
/// instead of ending quietly.
/// </summary>
/// <typeparam name="TChunk">What each event becomes: <see cref="CompletionChunk"/> or <see cref="ChatChunk"/>.</typeparam>
/// <typeparam name="TResponse">What the whole stream assembles into.</typeparam>
public abstract class GenerationStream<TChunk, TResponse> : IDisposable
    where TChunk : GenerationChunk
    where TResponse : class, IGenerationResult
{
    private readonly StreamingResponse _response;
    private readonly HttpPipeline _pipeline;
    private readonly IStreamAssembly<TChunk, TResponse> _assembly;
    private readonly ReadTimeoutStream _body;
    private readonly SseDecoder _decoder = new();
    private readonly Queue<TChunk> _chunks = new();
    private readonly string _noun;
    private readonly System.Diagnostics.Stopwatch _clock;
    private TResponse? _result;
    private bool _endOfInput;
    private bool _disposed;

    private protected GenerationStream(StreamingResponse response, HttpPipeline pipeline, IStreamAssembly<TChunk, TResponse> assembly, string noun, System.Diagnostics.Stopwatch clock)
    {
        _clock = clock;
        _response = response;
        _pipeline = pipeline;
        _assembly = assembly;
        _noun = noun;
        _body = new ReadTimeoutStream(response.Body, pipeline.StreamIdleTimeout, pipeline.StreamTimeout);
    }

    /// <summary>How many chunks have been handed out so far.</summary>
    public int ChunksDelivered { get; private set; }

    /// <summary>How many HTTP attempts it took to open the stream.</summary>
    public int Attempts => _response.Attempts;

    /// <summary>The assembled response; available once <see cref="ReadNextAsync"/> has returned null.</summary>
    /// <exception cref="InvalidOperationException">The stream has not been read to its end.</exception>
    public TResponse Result => _result ?? throw new InvalidOperationException("The stream has not been read to its end yet.");

    /// <summary>The next chunk, or null when the stream is complete.</summary>
    /// <exception cref="HumanloopStreamException">The stream was cut, truncated or carried a malformed event.</exception>
    /// <exception cref="HumanloopTimeoutException">No event arrived within the idle timeout, or the stream ran past its total limit.</exception>
    public async Task<TChunk?> ReadNextAsync(CancellationToken cancellationToken = default)
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(GetType().Name);
        }

        while (true)
        {
            // Checked per chunk, not only per read: events already parsed would otherwise keep flowing
            // after the caller asked to stop.
            cancellationToken.ThrowIfCancellationRequested();
            if (_chunks.Count > 0)
            {
                ChunksDelivered++;
                return _chunks.Dequeue();
            }

            if (_endOfInput)
            {
                return Complete();
            }

            if (!AcceptNextEvent())
            {
                await ReadMoreAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Reads the next complete event the bytes so far hold, straight from the decoder's buffer; false when
    // they hold none.
    private bool AcceptNextEvent()
    {
        if (!_decoder.TryReadEvent(out var data))
        {
            return false;
        }

        Accept(data);
        return true;
    }

    // Reads more of the body into the decoder; at its end, marks the end of input.
    private async Task ReadMoreAsync(CancellationToken cancellationToken)
    {
        try
        {
            var read = await _body.ReadAsync(_decoder.GetWriteMemory(), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                // An event the stream was cut inside is not dispatched; the unfinished samples say it was cut.
                _decoder.Finish();
                _endOfInput = true;
                return;
            }

            _decoder.Advance(read);
        }
        catch (ReadTimeoutException timeout)
        {
            throw new HumanloopTimeoutException(
                timeout.Limit == ReadLimit.Total
                    ? $"The stream did not finish within {HttpPipeline.Seconds(_pipeline.StreamTimeout!.Value)}; it was stopped after {ChunksDelivered} chunk(s)."
                    : $"The stream sent nothing for {HttpPipeline.Seconds(_pipeline.StreamIdleTimeout)} after {ChunksDelivered} chunk(s); it was abandoned.",
                timeout)
            {
                Attempts = Attempts,
                Setting = timeout.Limit == ReadLimit.Total ? HumanloopSettingName.StreamTimeout : HumanloopSettingName.StreamIdleTimeout,
                Limit = timeout.Limit == ReadLimit.Total ? _pipeline.StreamTimeout : _pipeline.StreamIdleTimeout,
            };
        }
        catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or IOException or HttpRequestException)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("The stream was stopped.", exception, cancellationToken);
            }

            throw new HumanloopStreamException(
                $"The connection was lost after {ChunksDelivered} chunk(s): {exception.Message}",
                null,
                ChunksDelivered,
                exception) { Attempts = Attempts };
        }
    }

    // One event's data, as the UTF-8 bytes it came in: deserialized from them directly, made text only to
    // report a problem with it.
    private void Accept(ReadOnlySpan<byte> data)
    {
        if (data.Trim(" \t\r\n"u8).SequenceEqual("[DONE]"u8))
        {
            // Not a v4 convention, but OpenAI-style servers send it; treat it as the end of input.
            _endOfInput = true;
            return;
        }

        bool carriedData;
        try
        {
            carriedData = _assembly.Accept(data, _chunks);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a JSON string that is no valid text (a lone surrogate, bad UTF-8).
            throw new HumanloopStreamException(
                $"Chunk {ChunksDelivered + 1} of the stream is not a valid {_noun} chunk: {exception.Message}",
                Scrub(Text(data)),
                ChunksDelivered,
                exception) { Attempts = Attempts };
        }
        catch (WireProblemException problem)
        {
            throw new HumanloopStreamException(
                $"Chunk {ChunksDelivered + 1} of the stream cannot be used: {problem.Message}.",
                Scrub(Text(data)),
                ChunksDelivered) { Attempts = Attempts };
        }

        if (!carriedData)
        {
            var text = Text(data);
            ThrowIfServerError(text);
            _pipeline.Log(HumanloopLogLevel.Debug, $"Skipped a stream event without {_noun} data: {Redactor.Preview(text, _pipeline.ApiKey, 200)}");
        }
    }

    private static string Text(ReadOnlySpan<byte> data) => Encoding.UTF8.GetString(data);

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
                ChunksDelivered) { Attempts = Attempts, ServerError = detail };
        }
    }

    private TChunk? Complete()
    {
        if (_result is not null)
        {
            return null;
        }

        if (!_assembly.IsComplete)
        {
            throw new HumanloopStreamException(
                $"The stream ended after {ChunksDelivered} chunk(s) before sample(s) {string.Join(", ", _assembly.UnfinishedSamples)} finished; the output is incomplete.",
                null,
                ChunksDelivered) { Attempts = Attempts };
        }

        var response = Completed(_assembly.Build());
        ((IAttemptCounted)response).Attempts = Attempts;
        ((IAttemptCounted)response).Duration = _clock.Elapsed;
        _result = response;
        return null;
    }

    /// <summary>Adds what the kind knows beyond the wire to the assembled response.</summary>
    private protected virtual TResponse Completed(TResponse response) => response;

    private string? Scrub(string? text) => text is null ? null : Redactor.Scrub(text, _pipeline.ApiKey);

    /// <summary>Closes the connection; safe to call at any point.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _body.Dispose();
            _response.Dispose();
        }
    }
}

/// <summary>A streamed completion being read (see <see cref="GenerationStream{TChunk, TResponse}"/>).</summary>
public sealed class CompletionStream : GenerationStream<CompletionChunk, CompletionResponse>
{
    internal CompletionStream(StreamingResponse response, HttpPipeline pipeline, int samples, System.Diagnostics.Stopwatch clock)
        : base(response, pipeline, GenerationKinds.Completion(samples), "completion", clock)
    {
    }
}

/// <summary>A streamed chat being read (see <see cref="GenerationStream{TChunk, TResponse}"/>).</summary>
public sealed class ChatStream : GenerationStream<ChatChunk, ChatResponse>
{
    private readonly IList<ChatMessage>? _sent;

    internal ChatStream(StreamingResponse response, HttpPipeline pipeline, int samples, System.Diagnostics.Stopwatch clock, IList<ChatMessage>? sent)
        : base(response, pipeline, GenerationKinds.Chat(samples), "chat", clock)
    {
        _sent = sent;
    }

    private protected override ChatResponse Completed(ChatResponse response) => response.WithSent(_sent);
}

/// <summary>What differs between the kinds of generation stream: the wire type and how one sample is joined.</summary>
internal static class GenerationKinds
{
    public static IStreamAssembly<CompletionChunk, CompletionResponse> Completion(int samples) =>
        new GenerationAssembly<CompletionData, CompletionChunk, CompletionResponse>(samples, HumanloopJsonContext.Default.CompletionResponse, NewCompletionSample);

    public static IStreamAssembly<ChatChunk, ChatResponse> Chat(int samples) =>
        new GenerationAssembly<ChatData, ChatChunk, ChatResponse>(samples, HumanloopJsonContext.Default.ChatResponse, NewChatSample);

    public static SampleAssembly NewCompletionSample() => new();

    public static SampleAssembly NewChatSample() => new ChatSampleAssembly();
}
