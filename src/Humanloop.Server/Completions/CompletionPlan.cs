using Humanloop.Server.Providers;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Completions;

/// <summary>One sample to generate: its log id (known before generation, so stream chunks carry it) and its config.</summary>
internal sealed record SamplePlan(int Index, string LogId, ModelConfigRecord Config, string? ExperimentId, string? TrialId);

/// <summary>Samples that share a config, generated with one provider call.</summary>
internal sealed record ProviderCallPlan(ICompletionProvider Provider, ProviderCall Call, IReadOnlyList<SamplePlan> Samples);

/// <summary>Everything resolved before generation starts, so every 4xx happens before a stream begins.</summary>
internal sealed record CompletionPlan(
    CompletionRequest Request,
    ProjectRecord Project,
    SessionRecord? Session,
    string? Environment,
    IReadOnlyList<SamplePlan> Samples,
    IReadOnlyList<ProviderCallPlan> Calls)
{
    public SamplePlan Sample(int index) => Samples[index];
}
