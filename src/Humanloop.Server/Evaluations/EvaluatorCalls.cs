using System.Text.Json.Nodes;
using Humanloop.Server.Domain;
using Humanloop.Server.Generation;
using Humanloop.Server.Http;
using Humanloop.Server.Providers;

namespace Humanloop.Server.Evaluations;

/// <summary>What a judging model answered, and the log of that call.</summary>
internal sealed record JudgeAnswer(string Text, string LogId);

/// <summary>
/// The model calls of evaluators that judge with a model (llm evaluators, graded built-in checks). They go through
/// the generation pipeline like any completion or chat: planned, run by the config's provider and logged, in the
/// project <see cref="LogProject"/> (created on first use), so an evaluation's own project holds only its logs.
/// </summary>
internal sealed class EvaluatorCalls(GenerationPlanner planner, GenerationRunner runner)
{
    /// <summary>Where the judging calls are logged, as the module logs its grader's calls in a project of their own.</summary>
    public const string LogProject = "humanloop-evaluators";

    private static readonly CompletionKind Completion = new();
    private static readonly ChatKind Chat = new();

    /// <summary>
    /// Renders the config's template (its chat template when it has one, else its prompt template) from
    /// <paramref name="inputs"/> and asks its model.
    /// </summary>
    /// <exception cref="ApiException">A template input is missing, the provider is not served, or the provider failed.</exception>
    public Task<JudgeAnswer> AskAsync(ModelConfigContent config, JsonObject inputs, JsonObject metadata, ProviderKeys keys, CancellationToken cancellationToken)
    {
        GenerationKind kind = config.ChatTemplate is { Count: > 0 } ? Chat : Completion;
        return RunAsync(new GenerationRequest
        {
            Kind = kind,
            ConfigSource = ConfigSource.Inline,
            Project = LogProject,
            ModelConfig = config with { Endpoint = kind.Endpoint },
            Inputs = inputs,
            Metadata = metadata,
            Keys = keys,
        }, cancellationToken);
    }

    /// <summary>Asks the config's model these messages (a grading request), wanting a JSON object back.</summary>
    /// <exception cref="ApiException">The provider is not served, or it failed.</exception>
    public Task<JudgeAnswer> ChatAsync(ModelConfigContent config, IReadOnlyList<ChatMessage> messages, JsonObject metadata, ProviderKeys keys, CancellationToken cancellationToken) =>
        RunAsync(new GenerationRequest
        {
            Kind = Chat,
            ConfigSource = ConfigSource.Inline,
            Project = LogProject,
            ModelConfig = config with { Endpoint = ModelEndpoints.Chat },
            Inputs = [],
            Messages = messages,
            ResponseFormat = new JsonObject { ["type"] = "json_object" },
            Metadata = metadata,
            Keys = keys,
        }, cancellationToken);

    private async Task<JudgeAnswer> RunAsync(GenerationRequest request, CancellationToken cancellationToken)
    {
        var plan = planner.Plan(request);
        var response = await runner.RunAsync(plan, cancellationToken);
        var item = response.Data[0];
        return new JudgeAnswer(item.Output, item.Id);
    }
}
