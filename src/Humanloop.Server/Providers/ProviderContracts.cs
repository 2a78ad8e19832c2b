using System.Text.Json.Nodes;
using Humanloop.Server.Domain;

namespace Humanloop.Server.Providers;

/// <summary>Keys a request brought in <c>provider_api_keys</c>. Used for one call; never stored or logged.</summary>
internal sealed record ProviderKeys(string? OpenAi, string? OpenAiAzure, string? OpenAiAzureEndpoint)
{
    public static readonly ProviderKeys None = new(null, null, null);

    public static ProviderKeys From(JsonObject? keys) => keys is null
        ? None
        : new ProviderKeys((string?)keys["openai"], (string?)keys["openai_azure"], (string?)keys["openai_azure_endpoint"]);
}

/// <summary>
/// One provider call: a config, its rendered prompt, and the sample indices (of the whole request)
/// it must produce. Experiments split a request into one call per sampled config.
/// </summary>
internal sealed record ProviderCall(
    ModelConfigContent Config,
    string Prompt,
    IReadOnlyList<int> SampleIndices,
    string? User,
    int? RequestSeed,
    ProviderKeys Keys);

internal sealed record GeneratedSample(int Index, string RawOutput, string FinishReason, int GenerationTokens);

internal sealed record ProviderGeneration(
    IReadOnlyList<GeneratedSample> Samples,
    int PromptTokens,
    JsonObject ProviderRequest,
    JsonNode ProviderResponse,
    double LatencySeconds);

/// <summary>
/// A piece of streamed text for one sample. The last piece of a sample has a finish reason and that
/// sample's generation token count; <see cref="IProviderStream.PromptTokens"/> is known by then.
/// </summary>
internal sealed record StreamDelta(int Index, string Text, string? FinishReason, int? GenerationTokens);

internal interface IProviderStream : IAsyncDisposable
{
    JsonObject ProviderRequest { get; }

    int PromptTokens { get; }

    /// <summary>A summary of what the provider sent, complete once the stream has been read.</summary>
    JsonNode ProviderResponse { get; }

    IAsyncEnumerable<StreamDelta> ReadAsync(CancellationToken cancellationToken);
}

internal interface ICompletionProvider
{
    Task<ProviderGeneration> GenerateAsync(ProviderCall call, CancellationToken cancellationToken);

    /// <summary>Starts a stream; provider errors that happen before any text surface here, so they can become an HTTP error.</summary>
    Task<IProviderStream> OpenStreamAsync(ProviderCall call, CancellationToken cancellationToken);
}
