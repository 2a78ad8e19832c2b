using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization;
using Humanloop.Json;

namespace Humanloop;

/// <summary>The fields of the four chat endpoints beyond the shared ones (API reference §6.2).</summary>
public abstract class ChatRequestBase : GenerationRequest
{
    /// <summary>The conversation so far; the model answers the last message (required by the API).</summary>
    public IList<ChatMessage>? Messages { get; set; }

    /// <summary>
    /// Whether and which tool the model must call: <c>none</c>, <c>auto</c>, <c>required</c>, or an object
    /// <c>{ type = 'function'; function = @{ name = '…' } }</c>.
    /// </summary>
    [JsonConverter(typeof(FreeFormValueConverter))]
    public object? ToolChoice { get; set; }

    /// <summary>The format the model must answer in, for example <c>{ "type": "json_object" }</c>.</summary>
    public ResponseFormat? ResponseFormat { get; set; }
}

/// <summary><c>POST /chat</c>: a chat with an inline model config.</summary>
public sealed class ChatRequest : ChatRequestBase
{
    /// <summary>The inline model configuration (required by the API).</summary>
    public ModelConfigChatRequest? ModelConfig { get; set; }

    internal override string Path => "chat";

    internal override byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, HumanloopJsonContext.Default.ChatRequest);
}

/// <summary><c>POST /chat-deployed</c>: a chat with the project's deployed config.</summary>
public sealed class ChatDeployedRequest : ChatRequestBase
{
    /// <summary>Environment name; the server uses its default environment when unset.</summary>
    public string? Environment { get; set; }

    internal override string Path => "chat-deployed";

    internal override byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, HumanloopJsonContext.Default.ChatDeployedRequest);
}

/// <summary><c>POST /chat-model-config</c>: a chat with a stored model config.</summary>
public sealed class ChatModelConfigRequest : ChatRequestBase
{
    /// <summary>Id of the stored model config (required by the API).</summary>
    public string? ModelConfigId { get; set; }

    internal override string Path => "chat-model-config";

    internal override byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, HumanloopJsonContext.Default.ChatModelConfigRequest);
}

/// <summary><c>POST /chat-experiment</c>: each sample uses a config sampled from the experiment.</summary>
public sealed class ChatExperimentRequest : ChatRequestBase
{
    /// <summary>Experiment id (<c>exp_…</c>, required by the API).</summary>
    public string? ExperimentId { get; set; }

    internal override string Path => "chat-experiment";

    internal override byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, HumanloopJsonContext.Default.ChatExperimentRequest);
}
