using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Humanloop.PowerShell.Infrastructure;
using System.Threading;
using System.Threading.Tasks;

namespace Humanloop.PowerShell.Commands;

/// <summary>Deploys a model config (or an experiment) to environments of a Humanloop project.</summary>
/// <remarks>
/// <para>After deployment, completions that name the project and an environment (New-HumanloopCompletion
/// -Project … -Environment …) run the deployed config, or a config sampled from the deployed experiment.
/// Without -Environment the project's default environment is meant (what the API calls the active
/// config). Environments are given by name (production, staging, …) or id (env_…); names are looked up
/// among the project's environments, and an unknown one is an ObjectNotFound error.</para>
/// <para>Writes the resulting Humanloop.Deployment of each environment. Piped registrations
/// (Register-HumanloopModelConfig output) bind by ProjectId and ModelConfigId; piped experiments by
/// ProjectId and ExperimentId.</para>
/// </remarks>
/// <example>
/// <code>Register-HumanloopModelConfig -ProjectId $project.Id -Provider mock -Model mock-1 -PromptTemplate '{{question}}' |
///     Publish-HumanloopModelConfig -Environment staging</code>
/// <para>Registers a config and deploys it to the project's staging environment.</para>
/// </example>
/// <example>
/// <code>Publish-HumanloopModelConfig -ProjectId $project.Id -ExperimentId $experiment.Id -Environment production</code>
/// <para>Lets production traffic run through an experiment.</para>
/// </example>
[Cmdlet(VerbsData.Publish, "HumanloopModelConfig", HelpUri = HelpLinks.Cmdlets + "#publish-humanloopmodelconfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = ModelConfigSet)]
[OutputType(typeof(Deployment))]
public sealed class PublishHumanloopModelConfigCommand : ResourceCmdlet
{
    private const string ModelConfigSet = "ModelConfig";
    private const string ExperimentSet = "Experiment";

    /// <summary>The project (pr_…) whose environments to deploy to.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProjectIdCompleter))]
    public string ProjectId { get; set; } = string.Empty;

    /// <summary>The config to deploy (config_…); it must be registered to the project.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ModelConfigSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ModelConfigIdCompleter))]
    public string ModelConfigId { get; set; } = string.Empty;

    /// <summary>The experiment to deploy (exp_…) instead of a single config.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ExperimentSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ExperimentIdCompleter))]
    public string ExperimentId { get; set; } = string.Empty;

    /// <summary>Environment names or ids; the project's default environment when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EnvironmentCompleter))]
    public string[]? Environment { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var what = ParameterSetName == ExperimentSet ? $"experiment {ExperimentId}" : $"model config {ModelConfigId}";
        var where = Environment is null ? "the default environment" : "environment " + string.Join(", ", Environment);
        if (!ShouldProcess(ConfirmTarget(ObjectKind.Project, ProjectId), $"Deploy {what} to {where}"))
        {
            return;
        }

        var projectId = ProjectId;
        var environments = Environment;
        var request = ParameterSetName == ExperimentSet
            ? new DeployRequest { ExperimentId = ExperimentId }
            : new DeployRequest { ConfigId = ModelConfigId };
        InvokeEach(projectId, async (client, cancellationToken) =>
        {
            if (environments is not null)
            {
                var ids = await Environments.ResolveAsync(client, projectId, environments, cancellationToken).ConfigureAwait(false);
                request.Environments = ids.Select(id => new EnvironmentReference { Id = id }).ToList();
            }

            return await client.DeployAsync(projectId, request, cancellationToken).ConfigureAwait(false);
        });
    }
}

/// <summary>Gets what each environment of a Humanloop project serves.</summary>
/// <remarks>
/// <para>Writes one Humanloop.Deployment per environment of the project (GET /v4/projects/{id}/deployed-configs),
/// with the deployed config or experiment; on the local server, environments with nothing deployed are
/// listed too, with empty ModelConfigId and ExperimentId, which is how their names and ids can be found.
/// -Environment keeps the environments whose name or id matches (wildcards allowed).</para>
/// </remarks>
/// <example>
/// <code>Get-HumanloopProject -Name 'support-bot' | Get-HumanloopDeployment</code>
/// <para>Shows what every environment of a project serves.</para>
/// </example>
/// <example>
/// <code>Get-HumanloopDeployment -ProjectId $project.Id -Environment production</code>
/// <para>Shows what the production environment serves.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "HumanloopDeployment", HelpUri = HelpLinks.Cmdlets + "#get-humanloopdeployment")]
[OutputType(typeof(Deployment))]
public sealed class GetHumanloopDeploymentCommand : ResourceCmdlet
{
    /// <summary>The project (pr_…); piped projects bind by their id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProjectIdCompleter))]
    public string ProjectId { get; set; } = string.Empty;

    /// <summary>Environment names or ids to keep; wildcards are allowed. Every environment when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(EnvironmentCompleter))]
    public string[]? Environment { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var projectId = ProjectId;
        var names = new NameFilter(Environment);
        var listed = InvokeEach(
            projectId,
            (client, cancellationToken) => client.ListDeploymentsAsync(projectId, cancellationToken),
            deployment => names.Matches(deployment.EnvironmentName) | names.Matches(deployment.EnvironmentId));
        foreach (var missing in listed ? names.UnmatchedLiterals() : [])
        {
            WriteError(ErrorRecords.NotFound("Humanloop.Environment.NotFound", $"Project {projectId} has no environment '{missing}'.", missing));
        }
    }
}

/// <summary>Removes what an environment of a Humanloop project serves.</summary>
/// <remarks>
/// <para>Deletes the deployment of each environment given (DELETE /v4/projects/{id}/deployed-config/{environment});
/// the config or experiment itself stays registered. Environments are given by name or id. Writes
/// nothing on success; with -PassThru, the project's deployments as they are afterwards (as
/// Get-HumanloopDeployment writes them), to show what each environment still serves. Deployments piped from
/// Get-HumanloopDeployment bind by ProjectId and EnvironmentId.</para>
/// <para>For the default environment, Set-HumanloopProject -ClearActiveConfig or -ClearActiveExperiment removes
/// only a deployed config or only a deployed experiment.</para>
/// </remarks>
/// <example>
/// <code>Unpublish-HumanloopModelConfig -ProjectId $project.Id -Environment staging</code>
/// <para>Stops serving anything from the project's staging environment.</para>
/// </example>
/// <example>
/// <code>Get-HumanloopDeployment -ProjectId $project.Id | Where-Object ExperimentId | Unpublish-HumanloopModelConfig -Confirm:$false</code>
/// <para>Removes every deployment of an experiment in the project.</para>
/// </example>
/// <example>
/// <code>Unpublish-HumanloopModelConfig -ProjectId $project.Id -Environment staging -PassThru | Format-Table</code>
/// <para>Removes the staging deployment and shows what the project's environments serve now.</para>
/// </example>
[Cmdlet(VerbsData.Unpublish, "HumanloopModelConfig", HelpUri = HelpLinks.Cmdlets + "#unpublish-humanloopmodelconfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Deployment))]
public sealed class UnpublishHumanloopModelConfigCommand : ResourceCmdlet
{
    /// <summary>The project (pr_…).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProjectIdCompleter))]
    public string ProjectId { get; set; } = string.Empty;

    /// <summary>Environment names or ids whose deployment to remove.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("EnvironmentId")]
    [ArgumentCompleter(typeof(EnvironmentCompleter))]
    public string[] Environment { get; set; } = [];

    /// <summary>Writes the project's deployments as they are afterwards (Humanloop.Deployment); nothing is written otherwise.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var projectId = ProjectId;
        var removed = false;
        string? project = null;
        foreach (var environment in Environment)
        {
            if (ShouldProcess($"{environment} of {project ??= ConfirmTarget(ObjectKind.Project, projectId)}", "Remove deployment"))
            {
                removed |= RunForInput(environment, async (client, cancellationToken) =>
                {
                    var ids = await Environments.ResolveAsync(client, projectId, [environment], cancellationToken).ConfigureAwait(false);
                    await client.RemoveDeploymentAsync(projectId, ids[0], cancellationToken).ConfigureAwait(false);
                });
            }
        }

        if (PassThru && removed)
        {
            InvokeEach(projectId, (client, cancellationToken) => client.ListDeploymentsAsync(projectId, cancellationToken));
        }
    }
}

/// <summary>Turns environment names into ids: the API addresses environments by id, people by name.</summary>
internal static class Environments
{
    private const string IdPrefix = "env_";

    /// <summary>The ids of <paramref name="namesOrIds"/>, in order; ids pass through unchecked.</summary>
    /// <exception cref="NameNotFoundException">A name is not one of the project's environments.</exception>
    public static async Task<IReadOnlyList<string>> ResolveAsync(HumanloopClient client, string projectId, IReadOnlyList<string> namesOrIds, CancellationToken cancellationToken)
    {
        if (namesOrIds.All(IsId))
        {
            return namesOrIds;
        }

        var known = await client.ListDeploymentsAsync(projectId, cancellationToken).ConfigureAwait(false);
        var ids = new List<string>();
        foreach (var value in namesOrIds)
        {
            var match = IsId(value)
                ? value
                : known.FirstOrDefault(d => string.Equals(d.EnvironmentName, value, StringComparison.OrdinalIgnoreCase))?.EnvironmentId;
            ids.Add(match ?? throw new NameNotFoundException(
                "Humanloop.Environment.NotFound",
                $"Project {projectId} has no environment named '{value}'. Its environments: {string.Join(", ", known.Select(d => d.EnvironmentName).Distinct())}."));
        }

        return ids;
    }

    private static bool IsId(string value) => value.StartsWith(IdPrefix, StringComparison.Ordinal);
}
