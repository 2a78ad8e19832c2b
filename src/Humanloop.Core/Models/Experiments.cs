using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Serialization;

namespace Humanloop;

/// <summary>
/// An experiment (<c>ExperimentResponse</c>): configs competing on a project's feedback. Completions run
/// through it sample one active config each; <see cref="Configs"/> carries each config's statistics.
/// </summary>
public sealed class Experiment
{
    private IReadOnlyList<ExperimentConfig> _configs = [];
    private IReadOnlyList<PositiveLabel> _positiveLabels = [];

    /// <summary>Experiment id (<c>exp_…</c>).</summary>
    public string? Id { get; init; }

    /// <summary>The experiment's id again, under the name of the cmdlets' -ExperimentId parameters, so that piping this
    /// object binds that parameter by property name.</summary>
    [JsonIgnore]
    public string? ExperimentId => Id;

    /// <summary>The project's id.</summary>
    public string? ProjectId { get; init; }

    /// <summary>Experiment name.</summary>
    public string? Name { get; init; }

    /// <summary><c>Initialized</c> until a trial ran, then <c>In progress</c> (values may grow; see <see cref="ExperimentStatus"/>).</summary>
    public string? Status { get; init; }

    /// <summary>The experiment's configs with their statistics.</summary>
    public IReadOnlyList<ExperimentConfig> Configs { get => _configs; init => _configs = value ?? []; }

    /// <summary>The metric the statistics measure.</summary>
    public ExperimentMetric? Metric { get; init; }

    /// <summary>The feedback that counts as a positive outcome.</summary>
    public IReadOnlyList<PositiveLabel> PositiveLabels { get => _positiveLabels; init => _positiveLabels = value ?? []; }

    /// <summary>When the experiment was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When the experiment last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>How many trials ran, over all its configs.</summary>
    [JsonIgnore]
    public int TrialsCount => Configs.Sum(config => config.TrialsCount);

    /// <summary>
    /// The config with the best mean among those that ran at least one trial; null while none has. A config
    /// without trials has only the prior's mean, which says nothing about it, so it never leads.
    /// </summary>
    [JsonIgnore]
    public ExperimentConfig? Leading => Configs
        .Where(config => config.TrialsCount > 0 && config.Mean is not null)
        .OrderByDescending(config => config.Mean)
        .FirstOrDefault();

    /// <inheritdoc />
    public override string ToString() => Name ?? Id ?? string.Empty;
}

/// <summary>The known values of <see cref="Experiment.Status"/>.</summary>
public static class ExperimentStatus
{
    /// <summary>No trial has run yet.</summary>
    public const string Initialized = "Initialized";

    /// <summary>At least one trial has run.</summary>
    public const string InProgress = "In progress";
}

/// <summary>One config of an experiment with its statistics (<c>ExperimentConfigResponse</c>).</summary>
public sealed class ExperimentConfig
{
    /// <summary>The config id (<c>config_…</c>).</summary>
    public string? Id { get; init; }

    /// <summary>The config's id again, under the name of the cmdlets' -ModelConfigId parameters, so that piping this
    /// object binds that parameter by property name.</summary>
    [JsonIgnore]
    public string? ModelConfigId => Id;

    /// <summary>The config's display name.</summary>
    public string? DisplayName { get; init; }

    /// <summary>The estimated share of positive feedback; absent before any feedback.</summary>
    public double? Mean { get; init; }

    /// <summary>The uncertainty of <see cref="Mean"/>.</summary>
    public double? Spread { get; init; }

    /// <summary>How many completions (trials) used the config in this experiment.</summary>
    public int TrialsCount { get; init; }

    /// <summary>Whether the experiment still samples the config.</summary>
    public bool Active { get; init; }

    /// <summary>The config itself.</summary>
    public ModelConfig? Config { get; init; }

    /// <summary>When the config joined the experiment.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When the registration last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <inheritdoc />
    public override string ToString() => DisplayName ?? Id ?? string.Empty;
}

/// <summary>The metric of an experiment (<c>BaseMetricResponse</c>).</summary>
public sealed class ExperimentMetric
{
    /// <summary>Metric id (<c>metric_…</c>).</summary>
    public string? Id { get; init; }

    /// <summary>Metric name.</summary>
    public string? Name { get; init; }

    /// <summary>What the metric measures.</summary>
    public string? Description { get; init; }

    /// <summary>The metric's code, if it is computed by code.</summary>
    public string? Code { get; init; }

    /// <summary>Whether this is the default metric.</summary>
    public bool Default { get; init; }

    /// <summary>Whether the metric is active.</summary>
    public bool Active { get; init; }

    /// <summary>When the metric was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When the metric last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <inheritdoc />
    public override string ToString() => Name ?? Id ?? string.Empty;
}

/// <summary>A feedback type and value that count as a positive outcome, for example rating = good.</summary>
public sealed class PositiveLabel
{
    /// <summary>The feedback type, for example <c>rating</c>.</summary>
    public string? Type { get; set; }

    /// <summary>The feedback value, for example <c>good</c>.</summary>
    public string? Value { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"{Type}={Value}";
}

/// <summary><c>POST /projects/{id}/experiments</c>: adds an experiment to a project.</summary>
public sealed class CreateExperimentRequest
{
    /// <summary>The experiment name (required by the API).</summary>
    public string? Name { get; set; }

    /// <summary>The configs that compete (<c>config_…</c>).</summary>
    public IList<string>? ConfigIds { get; set; }

    /// <summary>The feedback that counts as positive. The spec requires the field, so the client sends an empty list when none is given.</summary>
    public IList<PositiveLabel>? PositiveLabels { get; set; }

    /// <summary>Deploys the experiment to the project's default environment.</summary>
    public bool? SetActive { get; set; }
}

/// <summary><c>PATCH /experiments/{id}</c>: changes an experiment; unset fields stay as they are.</summary>
public sealed class UpdateExperimentRequest
{
    /// <summary>A new name.</summary>
    public string? Name { get; set; }

    /// <summary>Replaces the positive labels.</summary>
    public IList<PositiveLabel>? PositiveLabels { get; set; }

    /// <summary>Configs to add to (or re-activate in) the experiment.</summary>
    public IList<string>? ConfigIdsToRegister { get; set; }

    /// <summary>Configs to stop sampling.</summary>
    public IList<string>? ConfigIdsToDeregister { get; set; }
}
