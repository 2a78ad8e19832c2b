using System.Collections;
using System.Collections.Generic;
using System.Text.Json.Serialization;
using Humanloop.Json;

namespace Humanloop;

/// <summary>
/// The request fields shared by the four completion endpoints (API reference §2.2). Every field is
/// optional; unset fields are left out of the JSON so the server applies its own defaults.
/// </summary>
public abstract class CompletionRequestBase
{
    /// <summary>Project name; the server creates the project when none has this name.</summary>
    public string? Project { get; set; }

    /// <summary>Project id (<c>pr_…</c>).</summary>
    public string? ProjectId { get; set; }

    /// <summary>Session id (<c>sesh_…</c>) to attach the log to.</summary>
    public string? SessionId { get; set; }

    /// <summary>Your own session key; reusing it groups logs into one session.</summary>
    public string? SessionReferenceId { get; set; }

    /// <summary>Id of the parent log inside a session.</summary>
    public string? ParentId { get; set; }

    /// <summary>Your own reference to a previously logged parent.</summary>
    public string? ParentReferenceId { get; set; }

    /// <summary>Values for the template's <c>{{name}}</c> variables.</summary>
    [JsonConverter(typeof(FreeFormDictionaryConverter))]
    public IDictionary? Inputs { get; set; }

    /// <summary>Free text saying where the call came from.</summary>
    public string? Source { get; set; }

    /// <summary>Arbitrary metadata stored with the log.</summary>
    [JsonConverter(typeof(FreeFormDictionaryConverter))]
    public IDictionary? Metadata { get; set; }

    /// <summary>Whether the server stores the request and response payloads (server default: true).</summary>
    public bool? Save { get; set; }

    /// <summary>Dataset datapoint this log is derived from.</summary>
    public string? SourceDatapointId { get; set; }

    /// <summary>Per-request model-provider keys, keyed by provider (<c>openai</c>, <c>anthropic</c>, …).</summary>
    public Dictionary<string, string>? ProviderApiKeys { get; set; }

    /// <summary>Number of generations (server default: 1).</summary>
    public int? NumSamples { get; set; }

    /// <summary>Whether to stream the result as server-sent events. The client sets it.</summary>
    public bool? Stream { get; set; }

    /// <summary>End-user id passed through to the provider.</summary>
    public string? User { get; set; }

    /// <summary>Request-level seed (deprecated by the API in favour of the config's seed).</summary>
    public int? Seed { get; set; }

    /// <summary>When false, the response's <c>inputs</c> come back empty (server default: true).</summary>
    public bool? ReturnInputs { get; set; }

    /// <summary>Include log-probabilities of the top n tokens.</summary>
    public int? Logprobs { get; set; }

    /// <summary>Text after an inserted completion.</summary>
    public string? Suffix { get; set; }

    /// <summary>The path under the base URI that serves this kind of request.</summary>
    internal abstract string Path { get; }
}

/// <summary><c>POST /completion</c>: a completion with an inline model config.</summary>
public sealed class CompletionRequest : CompletionRequestBase
{
    /// <summary>The inline model configuration (required by the API).</summary>
    public ModelConfigCompletionRequest? ModelConfig { get; set; }

    internal override string Path => "completion";
}

/// <summary><c>POST /completion-deployed</c>: a completion with the project's deployed config.</summary>
public sealed class CompletionDeployedRequest : CompletionRequestBase
{
    /// <summary>Environment name; the server uses its default environment when unset.</summary>
    public string? Environment { get; set; }

    internal override string Path => "completion-deployed";
}

/// <summary><c>POST /completion-model-config</c>: a completion with a stored model config.</summary>
public sealed class CompletionModelConfigRequest : CompletionRequestBase
{
    /// <summary>Id of the stored model config (required by the API).</summary>
    public string? ModelConfigId { get; set; }

    internal override string Path => "completion-model-config";
}

/// <summary><c>POST /completion-experiment</c>: each sample uses a config sampled from the experiment.</summary>
public sealed class CompletionExperimentRequest : CompletionRequestBase
{
    /// <summary>Experiment id (<c>exp_…</c>, required by the API).</summary>
    public string? ExperimentId { get; set; }

    internal override string Path => "completion-experiment";
}
