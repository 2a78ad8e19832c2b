using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>Adds an experiment to a Humanloop project: configs that compete on the project's feedback.</summary>
/// <remarks>
/// <para>Creates the experiment (POST /v4/projects/{id}/experiments) with the configs given by
/// -ModelConfigId (registered to the project with Register-HumanloopModelConfig) and writes it as a
/// Humanloop.Experiment. New-HumanloopExperiment -ExperimentId then runs completions through it, each
/// with a config the server samples; feedback matching a positive label (-PositiveLabel) counts as a
/// success in the experiment's statistics (Get-HumanloopExperiment shows them).</para>
/// <para>-PositiveLabel takes a hashtable from feedback type to the value, or values, that count as
/// positive: @{ rating = 'good'; action = 'copied', 'saved' }. -SetActive also deploys the experiment to
/// the project's default environment.</para>
/// </remarks>
/// <example>
/// <code>$experiment = Add-HumanloopExperiment -ProjectId $project.Id -Name 'tone' -ModelConfigId $concise.ModelConfigId, $friendly.ModelConfigId -PositiveLabel @{ rating = 'good' }</code>
/// <para>Adds an experiment in which two registered configs compete on "rating = good" feedback.</para>
/// </example>
/// <example>
/// <code>Get-HumanloopProject -Name 'support-bot' | Add-HumanloopExperiment -Name 'all configs' -ModelConfigId (Get-HumanloopModelConfig -ProjectId $project.Id).ModelConfigId -SetActive</code>
/// <para>Puts every config of a project into one experiment and makes it what the project serves by default.</para>
/// </example>
[Cmdlet(VerbsCommon.Add, "HumanloopExperiment", HelpUri = HelpLinks.Cmdlets + "#add-humanloopexperiment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Experiment))]
public sealed class AddHumanloopExperimentCommand : ResourceCmdlet
{
    /// <summary>The project to add the experiment to (pr_…); piped projects bind by their id.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProjectIdCompleter))]
    public string ProjectId { get; set; } = string.Empty;

    /// <summary>The experiment's name.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>The configs that compete (config_…), registered to the project.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ModelConfigIdCompleter))]
    public string[]? ModelConfigId { get; set; }

    /// <summary>Feedback that counts as positive: a hashtable from feedback type to value(s), for example @{ rating = 'good' }.</summary>
    [Parameter]
    [ValidateNotNull]
    public IDictionary? PositiveLabel { get; set; }

    /// <summary>Also deploys the experiment to the project's default environment.</summary>
    [Parameter]
    public SwitchParameter SetActive { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var labels = PositiveLabel is null ? null : PositiveLabels.Read(PositiveLabel, this);
        var configCount = ModelConfigId?.Length ?? 0;
        if (!ShouldProcess(ConfirmTarget(ObjectKind.Project, ProjectId), $"Add experiment '{Name}' with {configCount} model config(s)"))
        {
            return;
        }

        var projectId = ProjectId;
        var request = new CreateExperimentRequest
        {
            Name = Name,
            ConfigIds = ModelConfigId,
            PositiveLabels = labels,
            SetActive = SetActive.IsPresent ? true : null,
        };
        Invoke(projectId, (client, cancellationToken) => client.CreateExperimentAsync(projectId, request, cancellationToken));
    }
}

/// <summary>Gets Humanloop experiments with their per-config statistics: a project's, or by id.</summary>
/// <remarks>
/// <para>-ProjectId lists a project's experiments (GET /v4/projects/{id}/experiments); -Name keeps those
/// whose name matches (wildcards allowed; a name without wildcards that matches nothing is reported as
/// ObjectNotFound). Piped objects with a ProjectId (projects, configs, logs, experiments) list that
/// project's experiments.</para>
/// <para>-Id reads experiments directly (GET /v4/experiments/{id}). The hosted v4 API had no such route;
/// the local server has it. Against other servers, list the project's experiments and filter by name.</para>
/// <para>Each experiment's Configs property holds the statistics of every config: the estimated share of
/// positive feedback (Mean), its uncertainty (Spread) and the number of trials. They show as a table with
/// $experiment.Configs.</para>
/// </remarks>
/// <example>
/// <code>Get-HumanloopProject -Name 'support*' | Get-HumanloopExperiment</code>
/// <para>Lists the experiments of every project whose name starts with "support".</para>
/// </example>
/// <example>
/// <code>Get-HumanloopExperiment exp_7Hd2Lq</code>
/// <para>Reads one experiment by its id alone; no project is needed.</para>
/// </example>
/// <example>
/// <code>(Get-HumanloopExperiment -ProjectId $project.Id -Name 'tone').Configs</code>
/// <para>Shows each config's mean, spread and trial count in the experiment named "tone".</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "HumanloopExperiment", HelpUri = HelpLinks.Cmdlets + "#get-humanloopexperiment", DefaultParameterSetName = ProjectSet)]
[OutputType(typeof(Experiment))]
public sealed class GetHumanloopExperimentCommand : ResourceCmdlet
{
    private const string ProjectSet = "Project";
    private const string IdSet = "Id";

    /// <summary>The project whose experiments to list (pr_…); not needed when the positional values are experiment ids (exp_…).</summary>
    [Parameter(ParameterSetName = ProjectSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProjectIdCompleter))]
    public string ProjectId { get; set; } = string.Empty;

    /// <summary>Experiment names to keep; wildcards are allowed. Without -ProjectId, experiment ids (exp_…) read those experiments.</summary>
    [Parameter(Position = 0, ParameterSetName = ProjectSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <summary>Experiments to read by id (exp_…).</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    [ArgumentCompleter(typeof(ExperimentIdCompleter))]
    public string[] ExperimentId { get; set; } = [];

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == IdSet)
        {
            foreach (var id in ExperimentId)
            {
                Invoke(id, (client, cancellationToken) => client.GetExperimentAsync(id, cancellationToken));
            }

            return;
        }

        if (!Bound(nameof(ProjectId)))
        {
            // An experiment id is enough to read it (GET /experiments/{id}); a name needs its project.
            if (Name is not { Length: > 0 } ids || !Array.TrueForAll(ids, id => id.StartsWith("exp_", StringComparison.Ordinal)))
            {
                ThrowInvalidParameters("Get-HumanloopExperiment needs -ProjectId to list a project's experiments or find them by name; experiment ids (exp_…) alone read those experiments.");
                return;
            }

            foreach (var id in ids)
            {
                Invoke(id, (client, cancellationToken) => client.GetExperimentAsync(id, cancellationToken));
            }

            return;
        }

        var projectId = ProjectId;
        var names = new NameFilter(Name);
        var listed = InvokeEach(projectId, (client, cancellationToken) => client.ListExperimentsAsync(projectId, cancellationToken), experiment => names.Matches(experiment.Name));
        foreach (var missing in listed ? names.UnmatchedLiterals() : [])
        {
            WriteError(ErrorRecords.NotFound("Humanloop.Experiment.NotFound", $"Project {projectId} has no experiment named '{missing}'.", missing));
        }
    }
}

/// <summary>Changes a Humanloop experiment: its name, positive labels, or which configs compete.</summary>
/// <remarks>
/// <para>Sends only what is given (PATCH /v4/experiments/{id}) and writes the experiment as it now is.
/// -AddModelConfigId registers configs of the project to the experiment (or re-activates them);
/// -RemoveModelConfigId stops sampling them, keeping their statistics. -PositiveLabel replaces the
/// labels. Given nothing to change, it warns and sends nothing.</para>
/// </remarks>
/// <example>
/// <code>$experiment | Set-HumanloopExperiment -AddModelConfigId $playful.ModelConfigId -RemoveModelConfigId $concise.ModelConfigId</code>
/// <para>Swaps one competing config for another.</para>
/// </example>
/// <example>
/// <code>Set-HumanloopExperiment -Id $experiment.Id -PositiveLabel @{ rating = 'good'; action = 'copied' }</code>
/// <para>Counts "rating = good" and "action = copied" feedback as positive.</para>
/// </example>
[Cmdlet(VerbsCommon.Set, "HumanloopExperiment", HelpUri = HelpLinks.Cmdlets + "#set-humanloopexperiment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Experiment))]
public sealed class SetHumanloopExperimentCommand : ResourceCmdlet
{
    /// <summary>The experiment to change (exp_…); piped experiments bind by their id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    [ArgumentCompleter(typeof(ExperimentIdCompleter))]
    public string ExperimentId { get; set; } = string.Empty;

    /// <summary>The new name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>The feedback that counts as positive from now on, for example @{ rating = 'good' }.</summary>
    [Parameter]
    [ValidateNotNull]
    public IDictionary? PositiveLabel { get; set; }

    /// <summary>Configs (config_…) to add to the experiment.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? AddModelConfigId { get; set; }

    /// <summary>Configs (config_…) the experiment should stop sampling.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? RemoveModelConfigId { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        WarnIfNothingToChange(nameof(Name), nameof(PositiveLabel), nameof(AddModelConfigId), nameof(RemoveModelConfigId));

        var both = (AddModelConfigId ?? []).Intersect(RemoveModelConfigId ?? [], StringComparer.Ordinal).ToList();
        if (both.Count > 0)
        {
            ThrowInvalidParameters($"-AddModelConfigId and -RemoveModelConfigId both name {string.Join(", ", both)}.");
        }
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (NothingToChange)
        {
            return;
        }

        var labels = PositiveLabel is null ? null : PositiveLabels.Read(PositiveLabel, this);
        if (!ShouldProcess(ConfirmTarget(ObjectKind.Experiment, ExperimentId), "Update Humanloop experiment"))
        {
            return;
        }

        var id = ExperimentId;
        var request = new UpdateExperimentRequest
        {
            Name = Name,
            PositiveLabels = labels,
            ConfigIdsToRegister = AddModelConfigId,
            ConfigIdsToDeregister = RemoveModelConfigId,
        };
        Invoke(id, (client, cancellationToken) => client.UpdateExperimentAsync(id, request, cancellationToken));
    }
}

/// <summary>Deletes a Humanloop experiment; its logs and configs stay.</summary>
/// <remarks>
/// <para>Asks for confirmation (ConfirmImpact High); -Force or -Confirm:$false skips the question, and
/// -WhatIf only says what would be deleted. Writes nothing on success. An unknown id is a
/// non-terminating ObjectNotFound error (Humanloop.Http.404).</para>
/// </remarks>
/// <example>
/// <code>Get-HumanloopExperiment -ProjectId $project.Id -Name 'draft*' | Remove-HumanloopExperiment -Force</code>
/// <para>Deletes a project's experiments whose names start with "draft", without asking.</para>
/// </example>
[Cmdlet(VerbsCommon.Remove, "HumanloopExperiment", HelpUri = HelpLinks.Cmdlets + "#remove-humanloopexperiment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveHumanloopExperimentCommand : RemoveCmdlet
{
    /// <summary>The experiments to delete (exp_…); piped experiments bind by their id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    [ArgumentCompleter(typeof(ExperimentIdCompleter))]
    public string[] ExperimentId { get; set; } = [];

    /// <inheritdoc />
    protected override string Action => "Delete Humanloop experiment";

    /// <inheritdoc />
    private protected override ObjectKind Kind => ObjectKind.Experiment;

    /// <inheritdoc />
    protected override void ProcessRecord() => RemoveEach(ExperimentId, (client, id, cancellationToken) => client.DeleteExperimentAsync(id, cancellationToken));
}

/// <summary>Reads -PositiveLabel: a hashtable from feedback type to the value or values that count as positive.</summary>
internal static class PositiveLabels
{
    /// <summary>The labels, one per type and value; a malformed table stops the command with an error naming the entry.</summary>
    public static List<PositiveLabel> Read(IDictionary table, Cmdlet cmdlet)
    {
        var labels = new List<PositiveLabel>();
        foreach (DictionaryEntry entry in table)
        {
            var type = PowerShellValues.Unwrap(entry.Key) as string;
            if (string.IsNullOrEmpty(type))
            {
                Fail(cmdlet, $"-PositiveLabel has the key '{entry.Key}'; keys must be feedback types such as 'rating'.");
            }

            var values = PowerShellValues.Unwrap(entry.Value) is IEnumerable sequence and not string ? sequence.Cast<object?>().ToList() : [entry.Value];
            foreach (var value in values)
            {
                labels.Add(new PositiveLabel { Type = type, Value = ToText(PowerShellValues.Unwrap(value)) ?? Fail(cmdlet, $"-PositiveLabel.{type} must be a string or number (or several), not '{value}'.") });
            }
        }

        return labels;
    }

    private static string? ToText(object? value) => value switch
    {
        string text when text.Length > 0 => text,
        IConvertible number and not (bool or char or string or DateTime) => number.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };


    private static string Fail(Cmdlet cmdlet, string message)
    {
        cmdlet.ThrowTerminatingError(ErrorRecords.InvalidParameters(message));
        return message;
    }
}
