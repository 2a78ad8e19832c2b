using Humanloop.Server.Providers;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Generation;

/// <summary>
/// One sample to generate: its log id (known before generation, so stream chunks carry it), its
/// config and the conversation that config makes.
/// </summary>
internal sealed record SamplePlan(int Index, string LogId, ModelConfigRecord Config, Conversation Conversation, string? ExperimentId, string? TrialId);

/// <summary>Samples that share a config, generated with one provider call.</summary>
internal sealed record ProviderCallPlan(IModelProvider Provider, ProviderCall Call, IReadOnlyList<SamplePlan> Samples);

/// <summary>
/// Everything resolved before generation starts, so every 4xx happens before a stream begins. <see cref="ParentId"/> is
/// the request's <c>parent_id</c>, or the log its <c>parent_reference_id</c> names.
/// </summary>
internal sealed record GenerationPlan(
    GenerationRequest Request,
    ProjectRecord Project,
    SessionRecord? Session,
    string? ParentId,
    string? Environment,
    IReadOnlyList<SamplePlan> Samples,
    IReadOnlyList<ProviderCallPlan> Calls)
{
    public GenerationKind Kind => Request.Kind;

    public SamplePlan Sample(int index) => Samples[index];
}
