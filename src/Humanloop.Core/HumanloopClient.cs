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
/// The Humanloop v4 API client. Cheap to create: every instance shares the process-wide connection pool
/// unless <see cref="HumanloopClientOptions.Transport"/> says otherwise. Thread-safe.
/// </summary>
public sealed partial class HumanloopClient
{
    private readonly HttpPipeline _pipeline;

    /// <summary>Creates a client; the options are read once and later changes to them have no effect.</summary>
    /// <exception cref="ArgumentException">The options are incomplete or out of range.</exception>
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

    /// <summary>Runs a completion and returns the whole result.</summary>
    /// <param name="request">One of the four completion requests; its <c>Stream</c> flag is cleared.</param>
    /// <param name="cancellationToken">Stops the request, including any wait between retries.</param>
    public async Task<CompletionResponse> CompleteAsync(CompletionRequestBase request, CancellationToken cancellationToken = default)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        request.Stream = null;
        var response = await _pipeline.SendAsync(HttpMethod.Post, request.Path, Serialize(request), cancellationToken).ConfigureAwait(false);
        var result = Deserialize(response, HumanloopJsonContext.Default.CompletionResponse);
        result.Attempts = response.Attempts;
        return result;
    }

    /// <summary>Starts a streamed completion; read it with <see cref="CompletionStream.ReadNextAsync"/>.</summary>
    /// <param name="request">One of the four completion requests; its <c>Stream</c> flag is set.</param>
    /// <param name="cancellationToken">Stops the request while it is being opened.</param>
    public async Task<CompletionStream> CompleteStreamingAsync(CompletionRequestBase request, CancellationToken cancellationToken = default)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        request.Stream = true;
        var response = await _pipeline.SendStreamingAsync(HttpMethod.Post, request.Path, Serialize(request), cancellationToken).ConfigureAwait(false);
        return new CompletionStream(response, _pipeline, request.NumSamples ?? 1);
    }

    internal static byte[] Serialize(CompletionRequestBase request) => request switch
    {
        CompletionRequest completion => JsonSerializer.SerializeToUtf8Bytes(completion, HumanloopJsonContext.Default.CompletionRequest),
        CompletionDeployedRequest deployed => JsonSerializer.SerializeToUtf8Bytes(deployed, HumanloopJsonContext.Default.CompletionDeployedRequest),
        CompletionModelConfigRequest modelConfig => JsonSerializer.SerializeToUtf8Bytes(modelConfig, HumanloopJsonContext.Default.CompletionModelConfigRequest),
        CompletionExperimentRequest experiment => JsonSerializer.SerializeToUtf8Bytes(experiment, HumanloopJsonContext.Default.CompletionExperimentRequest),
        _ => throw new ArgumentException($"Unknown completion request type {request.GetType().Name}.", nameof(request)),
    };

    internal T Deserialize<T>(BufferedResponse response, JsonTypeInfo<T> typeInfo)
        where T : class => Deserialize(response, typeInfo, _pipeline.ApiKey);

    internal static T Deserialize<T>(BufferedResponse response, JsonTypeInfo<T> typeInfo, HumanloopApiKey apiKey)
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

    private static string RawText(BufferedResponse response, HumanloopApiKey apiKey) =>
        Redactor.Preview(System.Text.Encoding.UTF8.GetString(response.Body), apiKey, 4000);
}
