using System.Collections.Generic;
using System.Management.Automation;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>Creates a Humanloop project.</summary>
/// <remarks>
/// <para>Creates one project per name (POST /v4/projects) and writes each as a Humanloop.Project. Names
/// come from -Name or from the pipeline: strings, or objects with a Name property such as Import-Csv rows.</para>
/// <para>A project is also created on the fly when a completion or a config registration names a project
/// that does not exist; this cmdlet makes it explicit and returns the id at once.</para>
/// </remarks>
/// <example>
/// <code>$project = New-HumanloopProject -Name 'support-bot'</code>
/// <para>Creates a project and keeps it for the commands that follow.</para>
/// </example>
/// <example>
/// <code>'triage', 'summaries' | New-HumanloopProject -WhatIf</code>
/// <para>Shows which projects would be created, without creating them.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "HumanloopProject", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Project))]
public sealed class NewHumanloopProjectCommand : ResourceCmdlet
{
    /// <summary>The name of the project to create; unique within the team.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary>The directory (dir_…) to create the project in.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DirectoryId { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            if (ShouldProcess(name, "Create Humanloop project"))
            {
                var request = new CreateProjectRequest { Name = name, DirectoryId = DirectoryId };
                Invoke(name, (client, cancellationToken) => client.CreateProjectAsync(request, cancellationToken));
            }
        }
    }
}

/// <summary>Gets Humanloop projects: by id, by name (wildcards allowed), or all of them.</summary>
/// <remarks>
/// <para>Without -Id, the cmdlet reads the team's projects page by page (GET /v4/projects, -PageSize per
/// page) and writes each page's projects as soon as it arrives, newest first. -Name keeps the projects
/// whose name matches one of the patterns (case-insensitive); a name without wildcards that matches no
/// project is reported as an ObjectNotFound error.</para>
/// <para>With -Id, each project is read directly; an unknown id is a non-terminating ObjectNotFound error
/// (Humanloop.Http.404). Objects with a ProjectId property (experiments, logs, configs) can be piped in to
/// get their project.</para>
/// </remarks>
/// <example>
/// <code>Get-HumanloopProject</code>
/// <para>Lists every project.</para>
/// </example>
/// <example>
/// <code>Get-HumanloopProject -Name 'support*' | Get-HumanloopExperiment</code>
/// <para>Lists the experiments of every project whose name starts with "support".</para>
/// </example>
/// <example>
/// <code>Get-HumanloopProject -Id pr_3xLq9 | Format-List *</code>
/// <para>Shows every property of one project.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "HumanloopProject", DefaultParameterSetName = ListSet)]
[OutputType(typeof(Project))]
public sealed class GetHumanloopProjectCommand : ResourceCmdlet
{
    private const string ListSet = "List";
    private const string IdSet = "Id";

    /// <summary>Project names to keep; wildcards are allowed. Every project when omitted.</summary>
    [Parameter(Position = 0, ParameterSetName = ListSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <summary>Projects to read by id (pr_…).</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    public string[] ProjectId { get; set; } = [];

    /// <summary>Projects requested per page while listing (default 50).</summary>
    [Parameter(ParameterSetName = ListSet)]
    [ValidateRange(1, 1000)]
    public int PageSize { get; set; } = DefaultPageSize;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == IdSet)
        {
            foreach (var id in ProjectId)
            {
                Invoke(id, (client, cancellationToken) => client.GetProjectAsync(id, cancellationToken));
            }

            return;
        }

        var names = new NameFilter(Name);
        var pageSize = PageSize;
        var listed = InvokePaged(
            Name,
            (client, page, cancellationToken) => client.ListProjectsAsync(page, pageSize, names.ServerFilter, cancellationToken),
            project => names.Matches(project.Name));

        // After a failed listing every name would look missing; the failure was reported instead.
        foreach (var missing in listed ? names.UnmatchedLiterals() : [])
        {
            WriteError(ErrorRecords.NotFound("Humanloop.Project.NotFound", $"There is no project named '{missing}'.", missing));
        }
    }
}

/// <summary>Changes a Humanloop project: its name, directory, or what its default environment serves.</summary>
/// <remarks>
/// <para>Sends only the fields given (PATCH /v4/projects/{id}) and writes the project as it now is.
/// -ActiveConfigId or -ActiveExperimentId deploys that config or experiment to the project's default
/// environment; use Publish-HumanloopModelConfig for other environments. Given nothing to change, it
/// warns and sends nothing.</para>
/// </remarks>
/// <example>
/// <code>Get-HumanloopProject -Name 'support-bot' | Set-HumanloopProject -Name 'support-assistant'</code>
/// <para>Renames a project.</para>
/// </example>
/// <example>
/// <code>Set-HumanloopProject -Id $project.Id -ActiveConfigId $config.ModelConfigId</code>
/// <para>Makes a registered config the one the project serves by default.</para>
/// </example>
[Cmdlet(VerbsCommon.Set, "HumanloopProject", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Project))]
public sealed class SetHumanloopProjectCommand : ResourceCmdlet
{
    /// <summary>The project to change (pr_…); piped projects bind by their id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    public string ProjectId { get; set; } = string.Empty;

    /// <summary>The new name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>The directory (dir_…) to move the project to.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DirectoryId { get; set; }

    /// <summary>A config of the project (config_…) to deploy to its default environment.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ActiveConfigId { get; set; }

    /// <summary>An experiment of the project (exp_…) to deploy to its default environment.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ActiveExperimentId { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        WarnIfNothingToChange(nameof(Name), nameof(DirectoryId), nameof(ActiveConfigId), nameof(ActiveExperimentId));

        if (ActiveConfigId is not null && ActiveExperimentId is not null)
        {
            ThrowInvalidParameters("Use -ActiveConfigId or -ActiveExperimentId, not both: the default environment serves one of them.");
        }
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (NothingToChange)
        {
            return;
        }

        var changes = new List<string>();
        AddChange(changes, "name", Name);
        AddChange(changes, "directory", DirectoryId);
        AddChange(changes, "active config", ActiveConfigId);
        AddChange(changes, "active experiment", ActiveExperimentId);
        if (!ShouldProcess(ProjectId, "Set " + string.Join(", ", changes)))
        {
            return;
        }

        var id = ProjectId;
        var request = new UpdateProjectRequest { Name = Name, DirectoryId = DirectoryId, ActiveConfigId = ActiveConfigId, ActiveExperimentId = ActiveExperimentId };
        Invoke(id, (client, cancellationToken) => client.UpdateProjectAsync(id, request, cancellationToken));
    }

    private static void AddChange(List<string> changes, string what, string? value)
    {
        if (value is not null)
        {
            changes.Add($"{what} to '{value}'");
        }
    }
}

/// <summary>Deletes a Humanloop project with its configs, experiments and logs.</summary>
/// <remarks>
/// <para>Deleting cannot be undone, so the cmdlet asks for confirmation (ConfirmImpact High); -Force or
/// -Confirm:$false skips the question, and -WhatIf only says what would be deleted. Writes nothing on
/// success. An unknown id is a non-terminating ObjectNotFound error (Humanloop.Http.404).</para>
/// </remarks>
/// <example>
/// <code>Get-HumanloopProject -Name 'scratch-*' | Remove-HumanloopProject -Force</code>
/// <para>Deletes every project whose name starts with "scratch-", without asking.</para>
/// </example>
/// <example>
/// <code>Remove-HumanloopProject -Id pr_3xLq9 -WhatIf</code>
/// <para>Shows what would be deleted, and deletes nothing.</para>
/// </example>
[Cmdlet(VerbsCommon.Remove, "HumanloopProject", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveHumanloopProjectCommand : RemoveCmdlet
{
    /// <summary>The projects to delete (pr_…); piped projects bind by their id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    public string[] ProjectId { get; set; } = [];

    /// <inheritdoc />
    protected override string Action => "Delete Humanloop project with all its configs, experiments and logs";

    /// <inheritdoc />
    protected override void ProcessRecord() => RemoveEach(ProjectId, (client, id, cancellationToken) => client.DeleteProjectAsync(id, cancellationToken));
}
