using System.Text.Json;
using Humanloop.Json;

namespace Humanloop;

/// <summary>The fields of the four completion endpoints beyond the shared ones.</summary>
public abstract class CompletionRequestBase : GenerationRequest
{
    /// <summary>Include log-probabilities of the top n tokens.</summary>
    public int? Logprobs { get; set; }

    /// <summary>Text after an inserted completion.</summary>
    public string? Suffix { get; set; }
}

/// <summary><c>POST /completion</c>: a completion with an inline model config.</summary>
public sealed class CompletionRequest : CompletionRequestBase
{
    /// <summary>The inline model configuration (required by the API).</summary>
    public ModelConfigCompletionRequest? ModelConfig { get; set; }

    internal override string Path => "completion";

    internal override byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, HumanloopJsonContext.Default.CompletionRequest);
}

/// <summary><c>POST /completion-deployed</c>: a completion with the project's deployed config.</summary>
public sealed class CompletionDeployedRequest : CompletionRequestBase
{
    /// <summary>Environment name; the server uses its default environment when unset.</summary>
    public string? Environment { get; set; }

    internal override string Path => "completion-deployed";

    internal override byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, HumanloopJsonContext.Default.CompletionDeployedRequest);
}

/// <summary><c>POST /completion-model-config</c>: a completion with a stored model config.</summary>
public sealed class CompletionModelConfigRequest : CompletionRequestBase
{
    /// <summary>Id of the stored model config (required by the API).</summary>
    public string? ModelConfigId { get; set; }

    internal override string Path => "completion-model-config";

    internal override byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, HumanloopJsonContext.Default.CompletionModelConfigRequest);
}

/// <summary><c>POST /completion-experiment</c>: each sample uses a config sampled from the experiment.</summary>
public sealed class CompletionExperimentRequest : CompletionRequestBase
{
    /// <summary>Experiment id (<c>exp_…</c>, required by the API).</summary>
    public string? ExperimentId { get; set; }

    internal override string Path => "completion-experiment";

    internal override byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, HumanloopJsonContext.Default.CompletionExperimentRequest);
}
