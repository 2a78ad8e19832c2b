using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Humanloop.PowerShell.Evaluations;

/// <summary>A config a run evaluates: stored, deployed to an environment, or given inline and registered for the run.</summary>
/// <param name="Id">The config id (<c>config_…</c>).</param>
/// <param name="Label">How summaries name it.</param>
/// <param name="IsChat">Whether it is a chat config (generated through the chat endpoint).</param>
internal sealed record EvaluatedConfig(string Id, string Label, bool IsChat)
{
    /// <summary>Resolves the plan's configs, in the order given (ids, environments, inline), each once.</summary>
    /// <exception cref="ArgumentException">An environment serves no config.</exception>
    public static async Task<IReadOnlyList<EvaluatedConfig>> ResolveAsync(HumanloopClient client, EvaluationPlan plan, CancellationToken cancellationToken)
    {
        var configs = new List<EvaluatedConfig>();
        foreach (var id in plan.ModelConfigIds)
        {
            var config = await client.GetModelConfigAsync(id, cancellationToken).ConfigureAwait(false);
            configs.Add(new EvaluatedConfig(config.Id!, config.Name ?? config.Id!, IsChatConfig(config)));
        }

        if (plan.Environments.Count > 0)
        {
            var deployments = await client.ListDeploymentsAsync(plan.ProjectId, cancellationToken).ConfigureAwait(false);
            foreach (var environment in plan.Environments)
            {
                var deployment = deployments.FirstOrDefault(candidate => string.Equals(candidate.EnvironmentName, environment, StringComparison.OrdinalIgnoreCase))
                    ?? throw new ArgumentException($"The project {plan.ProjectId} has no environment '{environment}'; it has {string.Join(", ", deployments.Select(candidate => $"'{candidate.EnvironmentName}'"))}.");
                if (deployment.ModelConfigId is not { } configId)
                {
                    throw new ArgumentException(deployment.ExperimentId is { } experiment
                        ? $"The environment '{environment}' serves the experiment {experiment}, not a config; evaluate its configs with -ModelConfigId."
                        : $"Nothing is deployed to the environment '{environment}' of the project {plan.ProjectId}.");
                }

                var config = await client.GetModelConfigAsync(configId, cancellationToken).ConfigureAwait(false);
                configs.Add(new EvaluatedConfig(configId, $"{deployment.EnvironmentName}: {config.Name ?? configId}", IsChatConfig(config)));
            }
        }

        foreach (var inline in plan.InlineConfigs)
        {
            var registered = await client.RegisterModelConfigAsync(new RegisterModelConfigRequest { Config = inline, ProjectId = plan.ProjectId }, cancellationToken).ConfigureAwait(false);
            var config = registered.Config!;
            configs.Add(new EvaluatedConfig(config.Id!, config.Name ?? config.Id!, inline is ModelConfigChatRequest));
        }

        return configs.DistinctBy(config => config.Id).ToList();
    }

    /// <summary>Generates one sample for a datapoint: its inputs, and for a chat config its messages.</summary>
    public async Task<IGenerationResult> GenerateAsync(HumanloopClient client, string projectId, Datapoint datapoint, IDictionary inputs, CancellationToken cancellationToken)
    {
        if (IsChat)
        {
            var chat = new ChatModelConfigRequest
            {
                ModelConfigId = Id,
                ProjectId = projectId,
                Inputs = inputs,
                Messages = datapoint.Messages.ToList(),
                SourceDatapointId = datapoint.Id,
                Source = EvaluationRun.LogSource,
            };
            return await client.ChatAsync(chat, cancellationToken).ConfigureAwait(false);
        }

        var completion = new CompletionModelConfigRequest
        {
            ModelConfigId = Id,
            ProjectId = projectId,
            Inputs = inputs,
            SourceDatapointId = datapoint.Id,
            Source = EvaluationRun.LogSource,
        };
        return await client.CompleteAsync(completion, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsChatConfig(ModelConfig config) =>
        string.Equals(config.Endpoint, "chat", StringComparison.OrdinalIgnoreCase) || config.ChatTemplate is { Length: > 0 } || config.Tools is { Length: > 0 };
}
