using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
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
[Cmdlet(VerbsCommon.New, "HumanloopProject", HelpUri = HelpLinks.Cmdlets + "#new-humanloopproject", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
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
[Cmdlet(VerbsCommon.Get, "HumanloopProject", HelpUri = HelpLinks.Cmdlets + "#get-humanloopproject", DefaultParameterSetName = ListSet)]
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
    [ArgumentCompleter(typeof(ProjectIdCompleter))]
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

/// <summary>Changes a Humanloop project: its name, directory, feedback types and positive labels, or what its default environment serves.</summary>
/// <remarks>
/// <para>Sends only the fields given (PATCH /v4/projects/{id}) and writes the project as it now is.
/// -ActiveConfigId or -ActiveExperimentId deploys that config or experiment to the project's default
/// environment; -ClearActiveConfig and -ClearActiveExperiment stop the default environment from serving its
/// config or its experiment (DELETE /v4/projects/{id}/active-config, /active-experiment), and do nothing when
/// it serves none. For other environments use Publish-HumanloopModelConfig and
/// Unpublish-HumanloopModelConfig -Environment.</para>
/// <para>-FeedbackType adds feedback types, or values to existing ones, and sets their sentiment. Each is a
/// hashtable: Type (the name, required), Class (select, multi_select, text or number, for a new type) and
/// Values: names (@('warm', 'cold')), a hashtable from value to sentiment (@{ warm = 'positive'; cold =
/// 'negative' }), or hashtables with value and sentiment. Types the project lacks are created (POST
/// /v4/projects/{id}/feedback-types), the others changed together (PATCH); values are added, never
/// removed. -PositiveLabel replaces the project's whole list of feedback that counts as positive, for example
/// @{ rating = 'good'; tone = 'warm', 'friendly' }; feedback types are changed before it, so it may name
/// values they add.</para>
/// <para>Given nothing to change, it warns and sends nothing.</para>
/// </remarks>
/// <example>
/// <code>Get-HumanloopProject -Name 'support-bot' | Set-HumanloopProject -Name 'support-assistant'</code>
/// <para>Renames a project.</para>
/// </example>
/// <example>
/// <code>Set-HumanloopProject -Id $project.Id -ActiveConfigId $config.ModelConfigId</code>
/// <para>Makes a registered config the one the project serves by default.</para>
/// </example>
/// <example>
/// <code>Set-HumanloopProject -Id $project.Id -FeedbackType @{ Type = 'tone'; Class = 'select'; Values = [ordered]@{ warm = 'positive'; curt = 'negative' } } -PositiveLabel @{ rating = 'good'; tone = 'warm' }</code>
/// <para>Adds a tone feedback type with a positive and a negative value, and counts good ratings and warm tone as positive.</para>
/// </example>
/// <example>
/// <code>Set-HumanloopProject -Id $project.Id -ClearActiveExperiment</code>
/// <para>Stops the default environment from sampling configs from the experiment deployed there.</para>
/// </example>
[Cmdlet(VerbsCommon.Set, "HumanloopProject", HelpUri = HelpLinks.Cmdlets + "#set-humanloopproject", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Project))]
public sealed class SetHumanloopProjectCommand : ResourceCmdlet
{
    private List<PositiveLabel>? _positiveLabels;
    private List<FeedbackTypeRequest>? _feedbackTypes;

    /// <summary>The project to change (pr_…); piped projects bind by their id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    [ArgumentCompleter(typeof(ProjectIdCompleter))]
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

    /// <summary>Stops the default environment from serving the config deployed there.</summary>
    [Parameter]
    public SwitchParameter ClearActiveConfig { get; set; }

    /// <summary>Stops the default environment from serving the experiment deployed there.</summary>
    [Parameter]
    public SwitchParameter ClearActiveExperiment { get; set; }

    /// <summary>Feedback types to add or change: hashtables with Type, Class and Values (names, or value = sentiment).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public IDictionary[]? FeedbackType { get; set; }

    /// <summary>The feedback that counts as positive from now on, replacing the project's list, for example @{ rating = 'good' }.</summary>
    [Parameter]
    [ValidateNotNull]
    public IDictionary? PositiveLabel { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        WarnIfNothingToChange(nameof(Name), nameof(DirectoryId), nameof(ActiveConfigId), nameof(ActiveExperimentId), nameof(ClearActiveConfig),
            nameof(ClearActiveExperiment), nameof(FeedbackType), nameof(PositiveLabel));

        if (ActiveConfigId is not null && ActiveExperimentId is not null)
        {
            ThrowInvalidParameters("Use -ActiveConfigId or -ActiveExperimentId, not both: the default environment serves one of them.");
        }

        if ((ActiveConfigId ?? ActiveExperimentId) is not null && (ClearActiveConfig || ClearActiveExperiment))
        {
            ThrowInvalidParameters("-ActiveConfigId and -ActiveExperimentId deploy to the default environment, which -ClearActiveConfig and -ClearActiveExperiment empty: give one or the other.");
        }

        _positiveLabels = PositiveLabel is null ? null : PositiveLabels.Read(PositiveLabel, this);
        _feedbackTypes = FeedbackType is null ? null : FeedbackTypes.Read(FeedbackType, this);
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (NothingToChange)
        {
            return;
        }

        var changes = new List<string>();
        AddChange(changes, "feedback types", _feedbackTypes is null ? null : string.Join(", ", _feedbackTypes.Select(type => type.Type)));
        AddChange(changes, "name", Name);
        AddChange(changes, "directory", DirectoryId);
        AddChange(changes, "active config", ActiveConfigId);
        AddChange(changes, "active experiment", ActiveExperimentId);
        AddChange(changes, "positive labels", _positiveLabels is null ? null : string.Join(", ", _positiveLabels));
        if (ClearActiveConfig)
        {
            changes.Add("clear the active config");
        }

        if (ClearActiveExperiment)
        {
            changes.Add("clear the active experiment");
        }

        if (!ShouldProcess(ConfirmTarget(ObjectKind.Project, ProjectId), "Set " + string.Join(", ", changes)))
        {
            return;
        }

        var id = ProjectId;
        var feedbackTypes = _feedbackTypes;
        var clearConfig = ClearActiveConfig.IsPresent;
        var clearExperiment = ClearActiveExperiment.IsPresent;
        var request = new UpdateProjectRequest { Name = Name, DirectoryId = DirectoryId, ActiveConfigId = ActiveConfigId, ActiveExperimentId = ActiveExperimentId, PositiveLabels = _positiveLabels };
        var patch = request is { Name: not null } or { DirectoryId: not null } or { ActiveConfigId: not null } or { ActiveExperimentId: not null } or { PositiveLabels: not null };
        Invoke(id, async (client, cancellationToken) =>
        {
            // Feedback types first: positive labels may name the values they add.
            if (feedbackTypes is not null)
            {
                await FeedbackTypes.ApplyAsync(client, id, feedbackTypes, cancellationToken).ConfigureAwait(false);
            }

            Project? project = null;
            if (patch)
            {
                project = await client.UpdateProjectAsync(id, request, cancellationToken).ConfigureAwait(false);
            }

            if (clearConfig)
            {
                project = await client.DeactivateModelConfigAsync(id, null, cancellationToken).ConfigureAwait(false);
            }

            if (clearExperiment)
            {
                project = await client.DeactivateExperimentAsync(id, null, cancellationToken).ConfigureAwait(false);
            }

            return project ?? await client.GetProjectAsync(id, cancellationToken).ConfigureAwait(false);
        });
    }

    private static void AddChange(List<string> changes, string what, string? value)
    {
        if (value is not null)
        {
            changes.Add($"{what} to '{value}'");
        }
    }
}

/// <summary>Writes every log of a Humanloop project to a JSON or JSON lines file.</summary>
/// <remarks>
/// <para>Reads the project's logs page by page, newest first (POST /v4/projects/{id}/export, -PageSize per page),
/// and writes each log as the server sent it, every field kept: a .json file holds one array with a log per
/// line, a .jsonl (or .ndjson) file one log per line. Pages are written as they arrive, to a temporary file
/// beside the target that replaces it once the last page is in, so a failed export leaves no half-written
/// file and an earlier export intact. Progress shows the logs written of the project's total.</para>
/// <para>An existing file is replaced only with -Force. Writes the file (System.IO.FileInfo). -ProjectId binds
/// by property name, so projects pipe in; with several, give each its own -Path (a script block such as
/// -Path { "./$($_.Name).jsonl" } works).</para>
/// </remarks>
/// <example>
/// <code>Get-HumanloopProject -Name 'support-bot' | Export-HumanloopProject -Path ./support-bot-logs.jsonl</code>
/// <para>Saves every log of a project as JSON lines, for analysis elsewhere.</para>
/// </example>
/// <example>
/// <code>Export-HumanloopProject -ProjectId $project.Id -Path ./logs.json -Force
/// (Get-Content ./logs.json -Raw | ConvertFrom-Json).Count</code>
/// <para>Replaces an earlier export with a JSON array, then counts the logs in it.</para>
/// </example>
[Cmdlet(VerbsData.Export, "HumanloopProject", HelpUri = HelpLinks.Cmdlets + "#export-humanloopproject", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FileInfo))]
public sealed class ExportHumanloopProjectCommand : ResourceCmdlet
{
    /// <summary>The project whose logs to write (pr_…); piped projects bind by their id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    [ArgumentCompleter(typeof(ProjectIdCompleter))]
    public string ProjectId { get; set; } = string.Empty;

    /// <summary>The file to write: .json (an array) or .jsonl (a log per line).</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Logs requested per page (default 100).</summary>
    [Parameter]
    [ValidateRange(1, 1000)]
    public int PageSize { get; set; } = 100;

    /// <summary>Replaces the file if it exists.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        var lines = System.IO.Path.GetExtension(file).ToLowerInvariant() switch
        {
            ".json" => false,
            ".jsonl" or ".ndjson" => true,
            _ => (bool?)null,
        };
        if (lines is null)
        {
            WriteError(ErrorRecords.InvalidArgument("Humanloop.Project.ExportFormat", $"'{Path}' is neither .json nor .jsonl: logs are written as a JSON array or as JSON lines.", Path));
            return;
        }

        if (File.Exists(file) && !Force)
        {
            WriteError(ErrorRecords.Of(new IOException($"'{Path}' exists; use -Force to replace it."), "Humanloop.Project.FileExists", ErrorCategory.ResourceExists, Path));
            return;
        }

        if (!ShouldProcess(file, $"Write the logs of project {ProjectId}"))
        {
            return;
        }

        var id = ProjectId;
        var pageSize = PageSize;
        LogExportFile export;
        try
        {
            export = new LogExportFile(file, lines.Value);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            WriteError(ErrorRecords.Of(exception, "Humanloop.Project.NotWritable", ErrorCategory.WriteError, Path));
            return;
        }

        using (export)
        {
            var progress = new ProgressRecord(0, $"Exporting the logs of project {id}", "Reading the first page");
            var read = RunForInput(id, async (client, cancellationToken) =>
            {
                for (var number = 0; ; number++)
                {
                    var page = await client.ExportProjectLogsAsync(id, number, pageSize, cancellationToken).ConfigureAwait(false);
                    if (!export.Append(page.Records))
                    {
                        return;
                    }

                    progress.StatusDescription = $"{export.Count} of {page.Total} logs";
                    progress.PercentComplete = page.Total == 0 ? 100 : Math.Min(100, export.Count * 100 / page.Total);
                    EmitProgress(progress);
                    if (page.Records.Count == 0 || export.Count >= page.Total)
                    {
                        return;
                    }
                }
            });
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);

            if (export.Failure is { } failure)
            {
                WriteError(ErrorRecords.Of(failure, "Humanloop.Project.NotWritable", ErrorCategory.WriteError, Path));
            }
            else if (read)
            {
                try
                {
                    WriteObject(export.Complete());
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    WriteError(ErrorRecords.Of(exception, "Humanloop.Project.NotWritable", ErrorCategory.WriteError, Path));
                }
            }
        }
    }
}

/// <summary>
/// A project export being written: to a temporary file beside the target, which replaces the target only when
/// the export completes; disposed without completing, the temporary file is removed.
/// </summary>
internal sealed class LogExportFile : IDisposable
{
    private readonly string _target;
    private readonly string _temporary;
    private readonly bool _lines;
    private StreamWriter? _writer;

    /// <exception cref="IOException">The temporary file cannot be created.</exception>
    public LogExportFile(string target, bool lines)
    {
        _target = target;
        _lines = lines;
        var folder = System.IO.Path.GetDirectoryName(target) ?? ".";
        _temporary = System.IO.Path.Combine(folder, "." + System.IO.Path.GetFileName(target) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".partial");
        _writer = new StreamWriter(_temporary, false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { NewLine = "\n" };
        if (!lines)
        {
            _writer.Write('[');
        }
    }

    /// <summary>How many logs were written.</summary>
    public int Count { get; private set; }

    /// <summary>Why writing failed, if it did; the export then stops.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Writes the logs; false (with <see cref="Failure"/> set) when the file could not be written.</summary>
    public bool Append(IReadOnlyList<ExportedLog> logs)
    {
        try
        {
            foreach (var log in logs)
            {
                if (!_lines)
                {
                    _writer!.Write(Count == 0 ? "\n" : ",\n");
                    _writer.Write(log.Json);
                }
                else
                {
                    _writer!.WriteLine(log.Json);
                }

                Count++;
            }

            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Failure = exception;
            return false;
        }
    }

    /// <summary>Finishes the file and puts it in the target's place.</summary>
    public FileInfo Complete()
    {
        if (!_lines)
        {
            _writer!.Write(Count == 0 ? "]\n" : "\n]\n");
        }

        _writer!.Dispose();
        _writer = null;
        File.Move(_temporary, _target, overwrite: true);
        return new FileInfo(_target);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_writer is not null)
        {
            _writer.Dispose();
            _writer = null;
        }

        if (File.Exists(_temporary))
        {
            File.Delete(_temporary);
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
[Cmdlet(VerbsCommon.Remove, "HumanloopProject", HelpUri = HelpLinks.Cmdlets + "#remove-humanloopproject", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveHumanloopProjectCommand : RemoveCmdlet
{
    /// <summary>The projects to delete (pr_…); piped projects bind by their id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    [ArgumentCompleter(typeof(ProjectIdCompleter))]
    public string[] ProjectId { get; set; } = [];

    /// <inheritdoc />
    protected override string Action => "Delete Humanloop project with all its configs, experiments and logs";

    /// <inheritdoc />
    private protected override ObjectKind Kind => ObjectKind.Project;

    /// <inheritdoc />
    protected override void ProcessRecord() => RemoveEach(ProjectId, (client, id, cancellationToken) => client.DeleteProjectAsync(id, cancellationToken));
}

/// <summary>Reads -FeedbackType and applies it: new types are created, existing ones changed in one request.</summary>
internal static class FeedbackTypes
{
    private static readonly string[] Keys = ["Type", "Class", "Values"];

    /// <summary>The feedback types; a malformed entry stops the command with an error naming it.</summary>
    public static List<FeedbackTypeRequest> Read(IEnumerable<IDictionary> entries, Cmdlet cmdlet)
    {
        var types = new List<FeedbackTypeRequest>();
        foreach (var entry in entries)
        {
            var fields = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry field in entry)
            {
                var key = PowerShellValues.Unwrap(field.Key) as string;
                if (key is null || !Keys.Contains(key, StringComparer.OrdinalIgnoreCase))
                {
                    Fail(cmdlet, $"-FeedbackType has the key '{field.Key}'; use Type, Class and Values.");
                }

                fields[key!] = PowerShellValues.Unwrap(field.Value);
            }

            var type = fields.GetValueOrDefault("Type") as string;
            if (string.IsNullOrEmpty(type))
            {
                Fail(cmdlet, "Each -FeedbackType needs a Type: its name, for example @{ Type = 'tone'; Class = 'select'; Values = 'warm', 'curt' }.");
            }

            var feedbackClass = fields.GetValueOrDefault("Class") as string;
            if (fields.GetValueOrDefault("Class") is { } given && (feedbackClass is null || !FeedbackClasses.All.Contains(feedbackClass)))
            {
                Fail(cmdlet, $"-FeedbackType {type} has the class '{given}'; use one of {string.Join(", ", FeedbackClasses.All)}.");
            }

            types.Add(new FeedbackTypeRequest { Type = type, Class = feedbackClass, Values = ReadValues(fields.GetValueOrDefault("Values"), type!, cmdlet) });
        }

        return types;
    }

    /// <summary>Creates the types the project lacks and changes the others; the project is read first to tell them apart.</summary>
    public static async Task ApplyAsync(HumanloopClient client, string projectId, IReadOnlyList<FeedbackTypeRequest> types, CancellationToken cancellationToken)
    {
        var project = await client.GetProjectAsync(projectId, cancellationToken).ConfigureAwait(false);
        var existing = new HashSet<string>(project.FeedbackTypes.Select(type => type.Type).OfType<string>(), StringComparer.Ordinal);
        foreach (var type in types.Where(type => !existing.Contains(type.Type!)))
        {
            await client.CreateFeedbackTypeAsync(projectId, type, cancellationToken).ConfigureAwait(false);
        }

        var changed = types.Where(type => existing.Contains(type.Type!)).ToList();
        if (changed.Count > 0)
        {
            await client.UpdateFeedbackTypesAsync(projectId, changed, cancellationToken).ConfigureAwait(false);
        }
    }

    private static List<FeedbackLabel>? ReadValues(object? values, string type, Cmdlet cmdlet)
    {
        switch (values)
        {
            case null:
                return null;
            case string name:
                return [Label(name, null, type, cmdlet)];
            case IDictionary sentiments:
                return sentiments.Cast<DictionaryEntry>().Select(pair => Label(PowerShellValues.Unwrap(pair.Key), PowerShellValues.Unwrap(pair.Value), type, cmdlet)).ToList();
            case IEnumerable items:
                return items.Cast<object?>().Select(PowerShellValues.Unwrap).Select(item => item is IDictionary label
                    ? Label(Member(label, "value"), Member(label, "sentiment"), type, cmdlet)
                    : Label(item, null, type, cmdlet)).ToList();
            default:
                return [Label(values, null, type, cmdlet)];
        }
    }

    private static object? Member(IDictionary label, string name) =>
        PowerShellValues.Unwrap(label.Keys.Cast<object>().FirstOrDefault(key => string.Equals(PowerShellValues.Unwrap(key) as string, name, StringComparison.OrdinalIgnoreCase)) is { } key ? label[key] : null);

    private static FeedbackLabel Label(object? value, object? sentiment, string type, Cmdlet cmdlet)
    {
        if (value is not string text || text.Length == 0)
        {
            Fail(cmdlet, $"-FeedbackType {type} has the value '{value}'; values are names such as 'good'.");
        }

        if (sentiment is not null && (sentiment is not string known || !LabelSentiments.All.Contains(known)))
        {
            Fail(cmdlet, $"-FeedbackType {type} gives '{value}' the sentiment '{sentiment}'; use one of {string.Join(", ", LabelSentiments.All)}.");
        }

        return new FeedbackLabel { Value = (string)value!, Sentiment = sentiment as string };
    }

    private static void Fail(Cmdlet cmdlet, string message) => cmdlet.ThrowTerminatingError(ErrorRecords.InvalidParameters(message));
}
