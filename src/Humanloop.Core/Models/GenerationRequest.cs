using System.Collections;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization;
using Humanloop.Json;

namespace Humanloop;

/// <summary>
/// The request fields shared by every generation endpoint, completion and chat alike (API reference §2.2,
/// §6.2). Every field is optional; unset fields are left out of the JSON so the server applies its own
/// defaults. The client reads a request and never changes it, so one request object can be sent many times.
/// </summary>
public abstract class GenerationRequest
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

    /// <summary>End-user id passed through to the provider.</summary>
    public string? User { get; set; }

    /// <summary>Request-level seed (deprecated by the API in favour of the config's seed).</summary>
    public int? Seed { get; set; }

    /// <summary>When false, the response's <c>inputs</c> come back empty (server default: true).</summary>
    public bool? ReturnInputs { get; set; }

    /// <summary>A shallow copy, so a caller can vary a request (the next round of a conversation) without changing this one.</summary>
    public GenerationRequest Clone() => (GenerationRequest)MemberwiseClone();

    private protected GenerationRequest(string path) => Path = path;

    /// <summary>The path under the base URI that serves this kind of request.</summary>
    internal string Path { get; }

    /// <summary>The request as JSON, without the <c>stream</c> flag (the client adds it per call).</summary>
    internal byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, GetType(), HumanloopJsonContext.Default);
}
