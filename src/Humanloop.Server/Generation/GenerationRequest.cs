using System.Text.Json.Nodes;
using Humanloop.Server.Domain;
using Humanloop.Server.Http;
using Humanloop.Server.Providers;

namespace Humanloop.Server.Generation;

/// <summary>How an endpoint of a generation group picks its config: each group has these four endpoints.</summary>
internal enum ConfigSource
{
    /// <summary><c>/completion</c>, <c>/chat</c>: the config comes inline in <c>model_config</c>.</summary>
    Inline,

    /// <summary><c>-deployed</c>: what the project deploys to an environment.</summary>
    Deployed,

    /// <summary><c>-model-config</c>: a stored config by id.</summary>
    ModelConfig,

    /// <summary><c>-experiment</c>: a config sampled from an experiment, per sample.</summary>
    Experiment,
}

/// <summary>
/// A validated generation request: the §2.2 fields every generation endpoint shares, how the config
/// is chosen, and the fields of one kind (a completion's <c>logprobs</c>/<c>suffix</c>, a chat's
/// <c>messages</c>, <c>tool_choice</c> and <c>response_format</c>).
/// </summary>
internal sealed record GenerationRequest
{
    public required GenerationKind Kind { get; init; }
    public required ConfigSource ConfigSource { get; init; }
    public string? Project { get; init; }
    public string? ProjectId { get; init; }
    public string? SessionId { get; init; }
    public string? SessionReferenceId { get; init; }
    public string? ParentId { get; init; }
    public string? ParentReferenceId { get; init; }
    public required JsonObject Inputs { get; init; }
    public string? Source { get; init; }
    public JsonObject? Metadata { get; init; }
    public bool Save { get; init; } = true;
    public string? SourceDatapointId { get; init; }
    public ProviderKeys Keys { get; init; } = ProviderKeys.None;
    public int NumSamples { get; init; } = 1;
    public bool Stream { get; init; }
    public string? User { get; init; }
    public int? Seed { get; init; }
    public bool ReturnInputs { get; init; } = true;

    /// <summary>The evaluation the generated logs belong to (set by evaluation runs, never read from a request body).</summary>
    public string? EvaluationId { get; init; }

    /// <summary>
    /// For a server-run evaluation: write the logs only while the evaluation is pending or running, so nothing is
    /// written once a client has cancelled it.
    /// </summary>
    public bool OnlyWhileEvaluationActive { get; init; }

    public ModelConfigContent? ModelConfig { get; init; }
    public string? ModelConfigId { get; init; }
    public string? Environment { get; init; }
    public string? ExperimentId { get; init; }

    // Completion only.
    public int? Logprobs { get; init; }
    public string? Suffix { get; init; }

    // Chat only.
    public IReadOnlyList<ChatMessage> Messages { get; init; } = [];
    public ToolChoice? ToolChoice { get; init; }
    public JsonObject? ResponseFormat { get; init; }

    /// <summary>The inputs as the response shows them: <c>{}</c> when <c>return_inputs</c> is false.</summary>
    public JsonObject EchoedInputs() => ReturnInputs ? (JsonObject)Inputs.DeepClone() : new JsonObject();

    public static GenerationRequest Parse(FieldReader body, GenerationKind kind, ConfigSource configSource)
    {
        var project = body.String("project");
        var projectId = body.String("project_id");
        var sessionId = body.String("session_id");
        var sessionReferenceId = body.String("session_reference_id");
        var parentId = body.String("parent_id");
        var parentReferenceId = body.String("parent_reference_id");
        var inputs = body.JsonObject("inputs");
        var logSource = body.String("source");
        var metadata = body.JsonObject("metadata");
        var save = body.Bool("save");
        var sourceDatapointId = body.String("source_datapoint_id");
        var keys = body.Nested("provider_api_keys");
        foreach (var name in new[] { "openai", "openai_azure", "openai_azure_endpoint", "mock", "anthropic", "cohere", "ai21", "bedrock" })
        {
            keys?.String(name);
        }

        var numSamples = body.Int("num_samples");
        if (numSamples is < 1)
        {
            body.Errors.Add(body.At("num_samples"), "ensure this value is greater than or equal to 1", "value_error.number.not_ge");
        }
        else if (numSamples > body.Limits.MaxNumSamples)
        {
            body.Errors.Add(body.At("num_samples"), $"ensure this value is less than or equal to {body.Limits.MaxNumSamples} (the server's num_samples limit)", "value_error.number.not_le");
        }

        var stream = body.Bool("stream");
        var user = body.String("user");
        var seed = body.Int("seed");
        var returnInputs = body.Bool("return_inputs");

        ModelConfigContent? modelConfig = null;
        string? modelConfigId = null;
        string? environment = null;
        string? experimentId = null;
        switch (configSource)
        {
            case ConfigSource.Inline:
                var config = body.Nested("model_config", required: true);
                modelConfig = config is null ? null : ModelConfigParser.Parse(config, kind.Endpoint);
                break;
            case ConfigSource.ModelConfig:
                modelConfigId = body.String("model_config_id", required: true);
                break;
            case ConfigSource.Experiment:
                experimentId = body.String("experiment_id", required: true);
                break;
            case ConfigSource.Deployed:
                environment = body.String("environment");
                break;
        }

        var request = new GenerationRequest
        {
            Kind = kind,
            ConfigSource = configSource,
            Project = project,
            ProjectId = projectId,
            SessionId = sessionId,
            SessionReferenceId = sessionReferenceId,
            ParentId = parentId,
            ParentReferenceId = parentReferenceId,
            Inputs = inputs is null ? new JsonObject() : (JsonObject)inputs.DeepClone(),
            Source = logSource,
            Metadata = (JsonObject?)metadata?.DeepClone(),
            Save = save ?? true,
            SourceDatapointId = sourceDatapointId,
            Keys = ProviderKeys.From(keys?.Object),
            NumSamples = numSamples ?? 1,
            Stream = stream ?? false,
            User = user,
            Seed = seed,
            ReturnInputs = returnInputs ?? true,
            ModelConfig = modelConfig,
            ModelConfigId = modelConfigId,
            Environment = environment,
            ExperimentId = experimentId,
        };
        request = kind.ReadOwnFields(body, request);
        body.Errors.ThrowIfAny();
        return request;
    }
}
