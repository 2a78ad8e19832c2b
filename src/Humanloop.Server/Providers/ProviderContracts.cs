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
/// What the model is asked, for one config: the messages (a completion's prompt is one user
/// message), and for chats the tools it may call, how it may choose them, and the answer's format.
/// </summary>
internal sealed record Conversation(
    IReadOnlyList<ChatMessage> Messages,
    IReadOnlyList<ToolDefinition> Tools,
    ToolChoice? ToolChoice,
    JsonObject? ResponseFormat);

/// <summary>
/// One provider call: a config, the conversation, and the sample indices (of the whole request) it
/// must produce. Experiments split a request into one call per sampled config. <c>Endpoint</c> is
/// the v4 <c>ModelEndpoints</c> value of the API group that asked (complete or chat).
/// </summary>
internal sealed record ProviderCall(
    ModelConfigContent Config,
    string Endpoint,
    Conversation Conversation,
    IReadOnlyList<int> SampleIndices,
    string? User,
    int? RequestSeed,
    ProviderKeys Keys);

/// <summary>One finished sample: its text and the tool calls it asked for (either may be empty).</summary>
internal sealed record GeneratedSample(int Index, string RawOutput, IReadOnlyList<ToolCall> ToolCalls, string FinishReason, int GenerationTokens);

internal sealed record ProviderGeneration(
    IReadOnlyList<GeneratedSample> Samples,
    int PromptTokens,
    JsonObject ProviderRequest,
    JsonNode ProviderResponse,
    double LatencySeconds);

/// <summary>
/// A piece of a streamed sample: text, tool-call deltas (id and name on every one, arguments a
/// fragment), or both. The last piece of a sample has a finish reason and that sample's generation
/// token count; <see cref="IProviderStream.PromptTokens"/> is known by then.
/// </summary>
internal sealed record StreamDelta(int Index, string Text, IReadOnlyList<ToolCall> ToolCalls, string? FinishReason, int? GenerationTokens);

internal interface IProviderStream : IAsyncDisposable
{
    JsonObject ProviderRequest { get; }

    int PromptTokens { get; }

    /// <summary>A summary of what the provider sent, complete once the stream has been read.</summary>
    JsonNode ProviderResponse { get; }

    IAsyncEnumerable<StreamDelta> ReadAsync(CancellationToken cancellationToken);
}

internal interface IModelProvider
{
    Task<ProviderGeneration> GenerateAsync(ProviderCall call, CancellationToken cancellationToken);

    /// <summary>Starts a stream; provider errors that happen before any output surface here, so they can become an HTTP error.</summary>
    Task<IProviderStream> OpenStreamAsync(ProviderCall call, CancellationToken cancellationToken);
}
