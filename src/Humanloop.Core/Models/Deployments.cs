using System.Collections.Generic;

namespace Humanloop;

/// <summary>
/// What one environment of a project serves (<c>EnvironmentProjectConfigResponse</c>): a config, an
/// experiment, or nothing.
/// </summary>
public sealed class Deployment
{
    /// <summary>The project's id.</summary>
    public string? ProjectId { get; init; }

    /// <summary>The project's name.</summary>
    public string? ProjectName { get; init; }

    /// <summary>The deployed config's id, when a config is deployed.</summary>
    public string? ModelConfigId { get; init; }

    /// <summary>The deployed config's display name.</summary>
    public string? ModelConfigName { get; init; }

    /// <summary>The deployed experiment's id, when an experiment is deployed.</summary>
    public string? ExperimentId { get; init; }

    /// <summary>The deployed experiment's name.</summary>
    public string? ExperimentName { get; init; }

    /// <summary>The environment's id (<c>env_…</c>).</summary>
    public string? EnvironmentId { get; init; }

    /// <summary>The environment's name, for example <c>production</c>.</summary>
    public string? EnvironmentName { get; init; }

    /// <summary><c>default</c> for the environment that serves when none is named, else <c>other</c>.</summary>
    public string? EnvironmentTag { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{EnvironmentName}: {ModelConfigName ?? ExperimentName ?? "(nothing deployed)"}";
}

/// <summary>
/// <c>PATCH /projects/{id}/deploy-config</c> (<c>EnvironmentProjectConfigRequest</c>): deploys a config or an
/// experiment (set exactly one) to environments.
/// </summary>
public sealed class DeployRequest
{
    /// <summary>The config to deploy.</summary>
    public string? ConfigId { get; set; }

    /// <summary>The experiment to deploy.</summary>
    public string? ExperimentId { get; set; }

    /// <summary>The target environments; when null the server deploys to its default environment.</summary>
    public IList<EnvironmentReference>? Environments { get; set; }
}

/// <summary>Names an environment in a deploy request.</summary>
public sealed class EnvironmentReference
{
    /// <summary>The environment id (<c>env_…</c>; required by the API).</summary>
    public string? Id { get; set; }

    /// <summary>The environment name.</summary>
    public string? Name { get; set; }
}
