using System.Text.Json;
using System.Text.Json.Nodes;

namespace Humanloop.Server.Domain;

/// <summary>
/// A model config with the API's defaults applied. This is what is stored, hashed for
/// deduplication, and returned as <c>ModelConfigResponse</c> (with an id).
/// </summary>
internal sealed record ModelConfigContent
{
    public string? Name { get; init; }
    public string? Description { get; init; }
    public string Provider { get; init; } = ProviderNames.Mock;
    public required string Model { get; init; }
    public int MaxTokens { get; init; } = -1;
    public double Temperature { get; init; } = 1;
    public double TopP { get; init; } = 1;

    /// <summary>As sent: a string, an array of strings, or null.</summary>
    public JsonNode? Stop { get; init; }

    public double PresencePenalty { get; init; }
    public double FrequencyPenalty { get; init; }
    public JsonObject Other { get; init; } = new();
    public int? Seed { get; init; }
    public JsonObject? ResponseFormat { get; init; }
    public string Endpoint { get; init; } = ModelEndpoints.Complete;
    public string? PromptTemplate { get; init; }
    public JsonArray? ChatTemplate { get; init; }
    public JsonArray? Tools { get; init; }

    /// <summary>The chat template as messages (templates not yet filled).</summary>
    public IReadOnlyList<ChatMessage> ChatTemplateMessages() => ChatMessageReader.FromStored(ChatTemplate);

    public IReadOnlyList<ToolDefinition> ToolDefinitions() => ToolDefinition.ListFrom(Tools);

    public IReadOnlyList<string> StopSequences => Stop switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
        JsonArray a => a.Select(n => (string?)n).Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).ToList(),
        _ => [],
    };

    public JsonObject ToJson(bool includeDescriptive = true)
    {
        var json = new JsonObject();
        if (includeDescriptive)
        {
            json["name"] = Name;
            json["description"] = Description;
        }

        json["provider"] = Provider;
        json["model"] = Model;
        json["max_tokens"] = MaxTokens;
        json["temperature"] = Temperature;
        json["top_p"] = TopP;
        json["stop"] = Stop?.DeepClone();
        json["presence_penalty"] = PresencePenalty;
        json["frequency_penalty"] = FrequencyPenalty;
        json["other"] = Other.DeepClone();
        json["seed"] = Seed;
        json["response_format"] = ResponseFormat?.DeepClone();
        json["endpoint"] = Endpoint;
        json["prompt_template"] = PromptTemplate;
        json["chat_template"] = ChatTemplate?.DeepClone();
        json["tools"] = Tools?.DeepClone();
        return json;
    }

    /// <summary>
    /// The deduplication key: everything that affects a generation. Name and description are
    /// excluded, so registering the same settings under another name returns the existing config.
    /// </summary>
    public string ContentHash() => CanonicalJson.Sha256Hex(CanonicalJson.Write(ToJson(includeDescriptive: false)));

    public static ModelConfigContent FromJson(JsonObject json) => new()
    {
        Name = (string?)json["name"],
        Description = (string?)json["description"],
        Provider = (string?)json["provider"] ?? ProviderNames.Mock,
        Model = (string?)json["model"] ?? "",
        MaxTokens = (int?)json["max_tokens"] ?? -1,
        Temperature = (double?)json["temperature"] ?? 1,
        TopP = (double?)json["top_p"] ?? 1,
        Stop = json["stop"]?.DeepClone(),
        PresencePenalty = (double?)json["presence_penalty"] ?? 0,
        FrequencyPenalty = (double?)json["frequency_penalty"] ?? 0,
        Other = json["other"] as JsonObject is { } other ? (JsonObject)other.DeepClone() : new JsonObject(),
        Seed = (int?)json["seed"],
        ResponseFormat = json["response_format"]?.DeepClone() as JsonObject,
        Endpoint = (string?)json["endpoint"] ?? ModelEndpoints.Complete,
        PromptTemplate = (string?)json["prompt_template"],
        ChatTemplate = json["chat_template"]?.DeepClone() as JsonArray,
        Tools = json["tools"]?.DeepClone() as JsonArray,
    };
}

/// <summary>The v4 <c>ModelEndpoints</c>: which kind of generation a config is for.</summary>
internal static class ModelEndpoints
{
    public const string Complete = "complete";
    public const string Chat = "chat";
    public const string Edit = "edit";

    public static readonly IReadOnlyList<string> All = [Complete, Chat, Edit];
}

/// <summary>Provider names of the v4 <c>ModelProviders</c> enum (all snapshots), and the ones served here.</summary>
internal static class ProviderNames
{
    public const string Mock = "mock";
    public const string OpenAi = "openai";
    public const string OpenAiAzure = "openai_azure";

    public static readonly IReadOnlyList<string> Known =
        [OpenAi, OpenAiAzure, Mock, "anthropic", "cohere", "replicate", "google", "groq", "bedrock", "ai21", "langchain"];

    public static readonly IReadOnlyList<string> Served = [Mock, OpenAi, OpenAiAzure];
}
