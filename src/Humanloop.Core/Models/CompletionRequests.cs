namespace Humanloop;

/// <summary>The fields of the four completion endpoints beyond the shared ones.</summary>
public abstract class CompletionRequestBase(string path) : GenerationRequest(path)
{
    /// <summary>Include log-probabilities of the top n tokens.</summary>
    public int? Logprobs { get; set; }

    /// <summary>Text after an inserted completion.</summary>
    public string? Suffix { get; set; }
}

/// <summary><c>POST /completion</c>: a completion with an inline model config.</summary>
public sealed class CompletionRequest() : CompletionRequestBase("completion")
{
    /// <summary>The inline model configuration (required by the API).</summary>
    public ModelConfigCompletionRequest? ModelConfig { get; set; }
}

/// <summary><c>POST /completion-deployed</c>: a completion with the project's deployed config.</summary>
public sealed class CompletionDeployedRequest() : CompletionRequestBase("completion-deployed")
{
    /// <summary>Environment name; the server uses its default environment when unset.</summary>
    public string? Environment { get; set; }
}

/// <summary><c>POST /completion-model-config</c>: a completion with a stored model config.</summary>
public sealed class CompletionModelConfigRequest() : CompletionRequestBase("completion-model-config")
{
    /// <summary>Id of the stored model config (required by the API).</summary>
    public string? ModelConfigId { get; set; }
}

/// <summary><c>POST /completion-experiment</c>: each sample uses a config sampled from the experiment.</summary>
public sealed class CompletionExperimentRequest() : CompletionRequestBase("completion-experiment")
{
    /// <summary>Experiment id (<c>exp_…</c>, required by the API).</summary>
    public string? ExperimentId { get; set; }
}
