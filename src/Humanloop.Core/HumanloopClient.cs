using System;
using System.Net.Http;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.Http;
using Humanloop.Json;

namespace Humanloop;

/// <summary>
/// The Humanloop v4 API client. Cheap to create: every instance shares the process-wide connection pool,
/// and the retry budget of each API host on it, unless <see cref="HumanloopClientOptions.Transport"/> says
/// otherwise. Thread-safe.
/// </summary>
public sealed partial class HumanloopClient
{
    private readonly HttpPipeline _pipeline;

    /// <summary>Creates a client; the options are read once and later changes to them have no effect.</summary>
    /// <exception cref="HumanloopSettingException">An option is missing or cannot be used; the exception says which and why.</exception>
    public HumanloopClient(HumanloopClientOptions options)
        : this(new HttpPipeline(options ?? throw new ArgumentNullException(nameof(options))))
    {
    }

    internal HumanloopClient(HttpPipeline pipeline)
    {
        _pipeline = pipeline;
    }

    /// <summary>The API root requests go to.</summary>
    public Uri BaseUri => _pipeline.Root;

    /// <summary>
    /// The pooled network handler every client without its own transport shares, for <paramref name="proxy"/>
    /// (null: the system's proxy settings); for a transport that passes requests on, such as a recording
    /// (<see cref="RecordingTransport.Open"/>). It belongs to the process: do not dispose it.
    /// </summary>
    public static HttpMessageHandler SharedNetworkHandler(Uri? proxy = null, System.Net.NetworkCredential? proxyCredential = null) =>
        HttpClientCache.SharedHandler(proxy, proxyCredential);

    /// <summary>Runs a completion and returns the whole result.</summary>
    /// <param name="request">One of the four completion requests; it is read, never changed.</param>
    /// <param name="cancellationToken">Stops the request, including any wait between retries.</param>
    public Task<CompletionResponse> CompleteAsync(CompletionRequestBase request, CancellationToken cancellationToken = default) =>
        GenerateAsync(request, HumanloopJsonContext.Default.CompletionResponse, cancellationToken);

    /// <summary>Starts a streamed completion; read it with <see cref="GenerationStream{TChunk, TResponse}.ReadNextAsync"/>.</summary>
    /// <param name="request">One of the four completion requests; it is read, never changed.</param>
    /// <param name="cancellationToken">Stops the request while it is being opened.</param>
    public async Task<CompletionStream> CompleteStreamingAsync(CompletionRequestBase request, CancellationToken cancellationToken = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        return new(await OpenStreamAsync(request, cancellationToken).ConfigureAwait(false), _pipeline, request.NumSamples ?? 1, clock);
    }

    /// <summary>Runs a chat and returns the whole result.</summary>
    /// <param name="request">One of the four chat requests; it is read, never changed.</param>
    /// <param name="cancellationToken">Stops the request, including any wait between retries.</param>
    public async Task<ChatResponse> ChatAsync(ChatRequestBase request, CancellationToken cancellationToken = default) =>
        (await GenerateAsync(request, HumanloopJsonContext.Default.ChatResponse, cancellationToken).ConfigureAwait(false)).WithSent(request.Messages);

    /// <summary>Starts a streamed chat; read it with <see cref="GenerationStream{TChunk, TResponse}.ReadNextAsync"/>.</summary>
    /// <param name="request">One of the four chat requests; it is read, never changed.</param>
    /// <param name="cancellationToken">Stops the request while it is being opened.</param>
    public async Task<ChatStream> ChatStreamingAsync(ChatRequestBase request, CancellationToken cancellationToken = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        return new(await OpenStreamAsync(request, cancellationToken).ConfigureAwait(false), _pipeline, request.NumSamples ?? 1, clock, request.Messages);
    }

    // The one send path of every generation endpoint.
    private async Task<TResponse> GenerateAsync<TResponse>(GenerationRequest request, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
        where TResponse : class, IGenerationResult
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var response = await _pipeline.SendAsync(HttpMethod.Post, Checked(request).Path, Serialize(request, stream: false), cancellationToken).ConfigureAwait(false);
        var result = Deserialize(response, responseType);
        ((IAttemptCounted)result).Attempts = response.Attempts;
        ((IAttemptCounted)result).Duration = clock.Elapsed;
        return result;
    }

    // The one stream path of every generation endpoint.
    private Task<StreamingResponse> OpenStreamAsync(GenerationRequest request, CancellationToken cancellationToken) =>
        _pipeline.SendStreamingAsync(HttpMethod.Post, Checked(request).Path, Serialize(request, stream: true), cancellationToken);

    private static GenerationRequest Checked(GenerationRequest request) => request ?? throw new ArgumentNullException(nameof(request));

    /// <summary>
    /// The request's JSON with <c>"stream": true</c> added for a streamed call. The flag is added to the
    /// bytes rather than set on the request, so the caller's object is never changed.
    /// </summary>
    internal static byte[] Serialize(GenerationRequest request, bool stream)
    {
        var json = request.ToJson();
        if (!stream)
        {
            return json;
        }

        // The serializer writes a compact object: the flag goes before its closing brace.
        var flag = json.Length > 2 ? ",\"stream\":true}"u8 : "\"stream\":true}"u8;
        var body = new byte[json.Length - 1 + flag.Length];
        json.AsSpan(0, json.Length - 1).CopyTo(body);
        flag.CopyTo(body.AsSpan(json.Length - 1));
        return body;
    }

    internal T Deserialize<T>(BufferedResponse response, JsonTypeInfo<T> typeInfo)
        where T : class => Deserialize(response, typeInfo, _pipeline.ApiKey);

    internal static T Deserialize<T>(BufferedResponse response, JsonTypeInfo<T> typeInfo, HumanloopApiKey? apiKey)
        where T : class
    {
        if (response.Body.Length == 0)
        {
            throw new HumanloopResponseException("The server answered with an empty body where a JSON object was expected.", string.Empty);
        }

        T? result;
        try
        {
            result = JsonSerializer.Deserialize(response.Body, typeInfo);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a JSON string that is no valid text (bad UTF-8, a lone surrogate).
            var kind = response.ContentType is null or "application/json" ? "malformed JSON" : $"a {response.ContentType} body";
            throw new HumanloopResponseException($"The server answered with {kind} that is not a {typeof(T).Name}: {exception.Message}", RawText(response, apiKey), exception);
        }

        if (result is null)
        {
            throw new HumanloopResponseException("The server answered with JSON null where an object was expected.", "null");
        }

        var problem = result switch
        {
            IWireResponse checkable => checkable.FindProblem(),
            System.Collections.IList items => WireChecks.NullItem(items, "item"),
            _ => null,
        };
        if (problem is not null)
        {
            throw new HumanloopResponseException($"The server's {typeof(T).Name} cannot be used: {problem}.", RawText(response, apiKey));
        }

        return result;
    }

    private static string RawText(BufferedResponse response, HumanloopApiKey? apiKey) =>
        Redactor.Preview(System.Text.Encoding.UTF8.GetString(response.Body), apiKey, 4000);
}
