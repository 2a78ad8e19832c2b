using System.Text.Json.Nodes;
using Humanloop.Server.Domain;
using Humanloop.Server.Http;
using Humanloop.Server.Providers;

namespace Humanloop.Server.Completions;

/// <summary>The four completion endpoints; they share one request shape apart from how the config is chosen.</summary>
internal enum CompletionKind
{
    Inline,
    Deployed,
    ModelConfig,
    Experiment,
}

/// <summary>A validated completion request (the §2.2 shared fields plus the endpoint's own field).</summary>
internal sealed record CompletionRequest
{
    public required CompletionKind Kind { get; init; }
    public string? Project { get; init; }
    public string? ProjectId { get; init; }
    public string? SessionId { get; init; }
    public string? SessionReferenceId { get; init; }
    public string? ParentId { get; init; }
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
    public int? Logprobs { get; init; }
    public string? Suffix { get; init; }

    public ModelConfigContent? ModelConfig { get; init; }
    public string? ModelConfigId { get; init; }
    public string? Environment { get; init; }
    public string? ExperimentId { get; init; }

    public static CompletionRequest Parse(FieldReader body, CompletionKind kind)
    {
        var project = body.String("project");
        var projectId = body.String("project_id");
        var sessionId = body.String("session_id");
        var sessionReferenceId = body.String("session_reference_id");
        var parentId = body.String("parent_id");
        body.String("parent_reference_id");
        var inputs = body.JsonObject("inputs");
        var source = body.String("source");
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

        var stream = body.Bool("stream");
        var user = body.String("user");
        var seed = body.Int("seed");
        var returnInputs = body.Bool("return_inputs");
        var logprobs = body.Int("logprobs");
        var suffix = body.String("suffix");

        ModelConfigContent? modelConfig = null;
        string? modelConfigId = null;
        string? environment = null;
        string? experimentId = null;
        switch (kind)
        {
            case CompletionKind.Inline:
                var config = body.Nested("model_config", required: true);
                modelConfig = config is null ? null : ModelConfigParser.Parse(config);
                break;
            case CompletionKind.ModelConfig:
                modelConfigId = body.String("model_config_id", required: true);
                break;
            case CompletionKind.Experiment:
                experimentId = body.String("experiment_id", required: true);
                break;
            case CompletionKind.Deployed:
                environment = body.String("environment");
                break;
        }

        body.Errors.ThrowIfAny();
        return new CompletionRequest
        {
            Kind = kind,
            Project = project,
            ProjectId = projectId,
            SessionId = sessionId,
            SessionReferenceId = sessionReferenceId,
            ParentId = parentId,
            Inputs = inputs is null ? new JsonObject() : (JsonObject)inputs.DeepClone(),
            Source = source,
            Metadata = (JsonObject?)metadata?.DeepClone(),
            Save = save ?? true,
            SourceDatapointId = sourceDatapointId,
            Keys = ProviderKeys.From(keys?.Object),
            NumSamples = numSamples ?? 1,
            Stream = stream ?? false,
            User = user,
            Seed = seed,
            ReturnInputs = returnInputs ?? true,
            Logprobs = logprobs,
            Suffix = suffix,
            ModelConfig = modelConfig,
            ModelConfigId = modelConfigId,
            Environment = environment,
            ExperimentId = experimentId,
        };
    }
}
