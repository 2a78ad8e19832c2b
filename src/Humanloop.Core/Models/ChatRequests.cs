using System.Collections.Generic;
using System.Text.Json.Serialization;
using Humanloop.Json;

namespace Humanloop;

/// <summary>The fields of the four chat endpoints beyond the shared ones (API reference §6.2).</summary>
public abstract class ChatRequestBase(string path) : GenerationRequest(path)
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
/// <remarks>The config's chat template comes before <see cref="ChatRequestBase.Messages"/>, and its tools are the ones offered.</remarks>
public sealed class ChatRequest() : ChatRequestBase("chat")
{
    /// <summary>The inline model configuration (required by the API).</summary>
    public ModelConfigChatRequest? ModelConfig { get; set; }
}

/// <summary><c>POST /chat-deployed</c>: a chat with the project's deployed config.</summary>
/// <remarks>The deployed config supplies the chat template and the tools; the request adds the conversation.</remarks>
public sealed class ChatDeployedRequest() : ChatRequestBase("chat-deployed")
{
    /// <summary>Environment name; the server uses its default environment when unset.</summary>
    public string? Environment { get; set; }
}

/// <summary><c>POST /chat-model-config</c>: a chat with a stored model config.</summary>
/// <remarks>The stored config supplies the chat template and the tools; the request adds the conversation.</remarks>
public sealed class ChatModelConfigRequest() : ChatRequestBase("chat-model-config")
{
    /// <summary>Id of the stored model config (required by the API).</summary>
    public string? ModelConfigId { get; set; }
}

/// <summary><c>POST /chat-experiment</c>: each sample uses a config sampled from the experiment.</summary>
/// <remarks>Every config of the experiment must be a chat config; each brings its own template and tools.</remarks>
public sealed class ChatExperimentRequest() : ChatRequestBase("chat-experiment")
{
    /// <summary>Experiment id (<c>exp_…</c>, required by the API).</summary>
    public string? ExperimentId { get; set; }
}
