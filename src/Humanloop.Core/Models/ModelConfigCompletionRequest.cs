using System.Collections;
using System.Collections.Generic;
using System.Text.Json.Serialization;
using Humanloop.Json;

namespace Humanloop;

/// <summary>
/// The fields every inline model configuration has, for completions and chats alike (API reference §3.1,
/// §6.2). Enum-like fields are open strings because the API added values over time.
/// </summary>
public abstract class ModelConfigRequest
{
    /// <summary>Display name; the server generates one when unset.</summary>
    public string? Name { get; set; }

    /// <summary>Free-text description.</summary>
    public string? Description { get; set; }

    /// <summary>Model provider, for example <c>openai</c> or <c>mock</c> (server default: openai).</summary>
    public string? Provider { get; set; }

    /// <summary>Provider model name, for example <c>gpt-4o</c> (required by the API).</summary>
    public string? Model { get; set; }

    /// <summary>Maximum tokens to generate; -1 lets the server compute it.</summary>
    public int? MaxTokens { get; set; }

    /// <summary>Sampling temperature.</summary>
    public double? Temperature { get; set; }

    /// <summary>Nucleus-sampling probability mass.</summary>
    public double? TopP { get; set; }

    /// <summary>Stop sequence(s).</summary>
    [JsonConverter(typeof(StringOrArrayConverter))]
    public IList<string>? Stop { get; set; }

    /// <summary>Presence penalty (-2 to 2).</summary>
    public double? PresencePenalty { get; set; }

    /// <summary>Frequency penalty (-2 to 2).</summary>
    public double? FrequencyPenalty { get; set; }

    /// <summary>Extra provider parameters passed through.</summary>
    [JsonConverter(typeof(FreeFormDictionaryConverter))]
    public IDictionary? Other { get; set; }

    /// <summary>Seed for best-effort deterministic sampling.</summary>
    public int? Seed { get; set; }

    /// <summary>Response format, for example <c>{ "type": "json_object" }</c>.</summary>
    public ResponseFormat? ResponseFormat { get; set; }

    /// <summary>Provider endpoint: <c>complete</c>, <c>chat</c> or <c>edit</c>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>A shallow copy, so callers can adjust a config without changing the one they were given.</summary>
    public ModelConfigRequest Clone() => (ModelConfigRequest)MemberwiseClone();
}

/// <summary>An inline model configuration for <c>/completion</c>: the shared fields and a prompt template.</summary>
public sealed class ModelConfigCompletionRequest : ModelConfigRequest
{
    /// <summary>The prompt template with <c>{{input_name}}</c> variables.</summary>
    public string? PromptTemplate { get; set; }
}

/// <summary>An inline model configuration for <c>/chat</c>: the shared fields, a chat template and tools.</summary>
public sealed class ModelConfigChatRequest : ModelConfigRequest
{
    /// <summary>Messages sent before the request's own, with <c>{{input_name}}</c> variables in their content.</summary>
    public IList<ChatMessage>? ChatTemplate { get; set; }

    /// <summary>The tools the model may call.</summary>
    public IList<ToolDefinition>? Tools { get; set; }
}

/// <summary>The format the model must answer in.</summary>
public sealed class ResponseFormat
{
    /// <summary><c>json_object</c> or <c>json_schema</c>.</summary>
    public string? Type { get; set; }

    /// <summary>The JSON Schema, when <see cref="Type"/> is <c>json_schema</c>.</summary>
    [JsonConverter(typeof(FreeFormDictionaryConverter))]
    public IDictionary? JsonSchema { get; set; }
}
