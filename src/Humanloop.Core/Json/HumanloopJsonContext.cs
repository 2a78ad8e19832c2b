using System.Text.Json.Serialization;

namespace Humanloop.Json;

/// <summary>
/// Source-generated serializers for every wire type: snake_case names, unset fields omitted, unknown
/// response fields ignored (the API grew over time).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(CompletionRequest))]
[JsonSerializable(typeof(CompletionDeployedRequest))]
[JsonSerializable(typeof(CompletionModelConfigRequest))]
[JsonSerializable(typeof(CompletionExperimentRequest))]
[JsonSerializable(typeof(CompletionResponse))]
[JsonSerializable(typeof(ModelConfigCompletionRequest))]
[JsonSerializable(typeof(ChatRequest))]
[JsonSerializable(typeof(ChatDeployedRequest))]
[JsonSerializable(typeof(ChatModelConfigRequest))]
[JsonSerializable(typeof(ChatExperimentRequest))]
[JsonSerializable(typeof(ChatResponse))]
[JsonSerializable(typeof(ModelConfigChatRequest))]
internal sealed partial class HumanloopJsonContext : JsonSerializerContext
{
}
