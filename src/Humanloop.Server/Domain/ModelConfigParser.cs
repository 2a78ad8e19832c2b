using System.Text.Json.Nodes;
using Humanloop.Server.Http;

namespace Humanloop.Server.Domain;

/// <summary>
/// Reads the model config fields shared by <c>ModelConfigCompletionRequest</c> (inline on
/// /completion), <c>ModelConfigChatRequest</c> (inline on /chat) and <c>ProjectModelConfigRequest</c>
/// (POST /model-configs), applying defaults. They differ only in the default endpoint.
/// </summary>
internal static class ModelConfigParser
{
    /// <summary>Returns null when a required field is missing or mistyped; the reason is in the reader's errors.</summary>
    public static ModelConfigContent? Parse(FieldReader reader, string defaultEndpoint = ModelEndpoints.Complete)
    {
        var errorsBefore = reader.Errors.Count;
        var model = reader.String("model", required: true);
        var name = reader.String("name");
        var description = reader.String("description");
        var provider = reader.Enum("provider", ProviderNames.Known);
        var maxTokens = reader.Int("max_tokens");
        var temperature = reader.Number("temperature");
        var topP = reader.Number("top_p");
        reader.StringOrStringList("stop");
        var presencePenalty = reader.Number("presence_penalty");
        var frequencyPenalty = reader.Number("frequency_penalty");
        var other = reader.JsonObject("other");
        var seed = reader.Int("seed");
        var responseFormat = ResponseFormat.Read(reader, "response_format");
        var endpoint = reader.Enum("endpoint", ModelEndpoints.All);
        var promptTemplate = reader.String("prompt_template");
        ChatMessageReader.ReadList(reader, "chat_template");
        ToolDefinition.Check(reader, "tools");
        // Both are stored as sent (once checked), so the content hash sees what the client sent.
        var chatTemplate = reader.Object["chat_template"] as JsonArray;
        var tools = reader.Object["tools"] as JsonArray;

        if (model is null || reader.Errors.Count > errorsBefore)
        {
            return null;
        }

        return new ModelConfigContent
        {
            Name = name,
            Description = description,
            Provider = provider ?? ProviderNames.Mock,
            Model = model,
            MaxTokens = maxTokens ?? -1,
            Temperature = temperature ?? 1,
            TopP = topP ?? 1,
            Stop = reader.Object["stop"]?.DeepClone(),
            PresencePenalty = presencePenalty ?? 0,
            FrequencyPenalty = frequencyPenalty ?? 0,
            Other = other is null ? new() : (JsonObject)other.DeepClone(),
            Seed = seed,
            ResponseFormat = responseFormat,
            Endpoint = endpoint ?? defaultEndpoint,
            PromptTemplate = promptTemplate,
            ChatTemplate = chatTemplate is null ? null : (JsonArray)chatTemplate.DeepClone(),
            Tools = tools is null ? null : (JsonArray)tools.DeepClone(),
        };
    }
}
