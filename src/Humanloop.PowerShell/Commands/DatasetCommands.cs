using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Humanloop.PowerShell.Infrastructure;
using Humanloop.PowerShell.TestCases;

namespace Humanloop.PowerShell.Commands;

/// <summary>Creates a Humanloop dataset in a project: empty, or filled from a CSV or JSON lines file.</summary>
/// <remarks>
/// <para>Creates the dataset (POST /v4/projects/{id}/datasets) and writes it as a Humanloop.Dataset.</para>
/// <para>-Path also adds a datapoint per case of the file, in the format of Import-HumanloopTestCase:
/// input columns become the inputs, a messages (JSON array) or message column the chat messages, a target
/// column (a JSON object, or text that becomes {"output": text}) and target.name columns the target, and an
/// expect column the target's expect member. The name column is not kept (datapoints have none). The name
/// of the dataset defaults to the file's name without its extension. A malformed file stops the command
/// before anything is created.</para>
/// </remarks>
/// <example>
/// <code>$dataset = New-HumanloopDataset -ProjectId $project.Id -Path ./cases.csv</code>
/// <para>Creates a dataset named "cases" with a datapoint per row of cases.csv.</para>
/// </example>
/// <example>
/// <code>Get-HumanloopProject -Name 'support-bot' | New-HumanloopDataset -Name 'refunds' -Description 'Questions about refunds'</code>
/// <para>Creates an empty dataset, to fill with Add-HumanloopDatapoint.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "HumanloopDataset", HelpUri = HelpLinks.Cmdlets + "#new-humanloopdataset", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = EmptySet)]
[OutputType(typeof(Dataset))]
public sealed class NewHumanloopDatasetCommand : ResourceCmdlet
{
    private const string EmptySet = "Empty";
    private const string PathSet = "Path";

    /// <summary>The project to create the dataset in (pr_…); piped projects bind by their id.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProjectIdCompleter))]
    public string ProjectId { get; set; } = string.Empty;

    /// <summary>The dataset's name; with -Path, the file's name without its extension when omitted.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = EmptySet)]
    [Parameter(Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>What the dataset holds.</summary>
    [Parameter]
    [ValidateNotNull]
    public string? Description { get; set; }

    /// <summary>A CSV (.csv) or JSON lines (.jsonl) file of cases to add as datapoints.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var datapoints = Path is null ? [] : DatasetFiles.Read(this, Path);
        var name = Name ?? System.IO.Path.GetFileNameWithoutExtension(Path!);
        var what = Path is null ? $"Create dataset '{name}'" : $"Create dataset '{name}' with {datapoints.Count} datapoint(s) from {Path}";
        if (!ShouldProcess(ConfirmTarget(ObjectKind.Project, ProjectId), what))
        {
            return;
        }

        var projectId = ProjectId;
        var request = new DatasetRequest { Name = name, Description = Description };
        Invoke(projectId, async (client, cancellationToken) =>
        {
            var dataset = await client.CreateDatasetAsync(projectId, request, cancellationToken).ConfigureAwait(false);
            if (datapoints.Count == 0)
            {
                return dataset;
            }

            foreach (var batch in DatasetFiles.Batches(datapoints))
            {
                await client.AddDatapointsAsync(dataset.Id!, batch, cancellationToken).ConfigureAwait(false);
            }

            // Read back, so the dataset written shows its datapoint count.
            return await client.GetDatasetAsync(dataset.Id!, cancellationToken).ConfigureAwait(false);
        });
    }
}

/// <summary>Gets Humanloop datasets: every one, a project's, or by id; names may have wildcards.</summary>
/// <remarks>
/// <para>Without parameters, lists every dataset of the team (GET /v4/datasets); -ProjectId lists a
/// project's (GET /v4/projects/{id}/datasets), and piped projects bind by their id. -Name keeps the
/// datasets whose name matches (wildcards allowed; a name without wildcards that matches nothing is
/// reported as ObjectNotFound). -Id reads datasets directly; an unknown id is a non-terminating
/// ObjectNotFound error.</para>
/// </remarks>
/// <example>
/// <code>Get-HumanloopDataset -Name 'refund*'</code>
/// <para>Lists the datasets whose names start with "refund".</para>
/// </example>
/// <example>
/// <code>Get-HumanloopProject -Name 'support-bot' | Get-HumanloopDataset</code>
/// <para>Lists a project's datasets with their datapoint counts.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "HumanloopDataset", HelpUri = HelpLinks.Cmdlets + "#get-humanloopdataset", DefaultParameterSetName = ListSet)]
[OutputType(typeof(Dataset))]
public sealed class GetHumanloopDatasetCommand : ResourceCmdlet
{
    private const string ListSet = "List";
    private const string IdSet = "Id";

    /// <summary>The project whose datasets to list (pr_…); every dataset of the team when omitted.</summary>
    // Optional in the default set, so that a piped project (whose Id would also bind -DatasetId) binds here.
    [Parameter(ParameterSetName = ListSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProjectIdCompleter))]
    public string? ProjectId { get; set; }

    /// <summary>Dataset names to keep; wildcards are allowed.</summary>
    [Parameter(Position = 0, ParameterSetName = ListSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <summary>Datasets to read by id (evts_…).</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    [ArgumentCompleter(typeof(DatasetIdCompleter))]
    public string[] DatasetId { get; set; } = [];

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == IdSet)
        {
            foreach (var id in DatasetId)
            {
                Invoke(id, (client, cancellationToken) => client.GetDatasetAsync(id, cancellationToken));
            }

            return;
        }

        var projectId = ProjectId;
        var names = new NameFilter(Name);
        var listed = InvokeEach(
            projectId ?? (object?)Name,
            (client, cancellationToken) => projectId is null ? client.ListAllDatasetsAsync(cancellationToken) : client.ListDatasetsAsync(projectId, cancellationToken),
            dataset => names.Matches(dataset.Name));
        ReportUnmatched(listed, names, "Humanloop.Dataset.NotFound", "dataset");
    }
}

/// <summary>Changes a Humanloop dataset's name or description.</summary>
/// <remarks>
/// <para>Sends only what is given (PATCH /v4/datasets/{id}) and writes the dataset as it now is. Given
/// nothing to change, it warns and sends nothing. To change datapoints, use Add-, Set- and
/// Remove-HumanloopDatapoint.</para>
/// </remarks>
/// <example>
/// <code>Get-HumanloopDataset -Name 'cases' | Set-HumanloopDataset -Name 'refund cases' -Description 'From the June incidents'</code>
/// <para>Renames a dataset and describes it.</para>
/// </example>
[Cmdlet(VerbsCommon.Set, "HumanloopDataset", HelpUri = HelpLinks.Cmdlets + "#set-humanloopdataset", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Dataset))]
public sealed class SetHumanloopDatasetCommand : ResourceCmdlet
{
    /// <summary>The dataset to change (evts_…); piped datasets bind by their id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    [ArgumentCompleter(typeof(DatasetIdCompleter))]
    public string DatasetId { get; set; } = string.Empty;

    /// <summary>The new name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>The new description.</summary>
    [Parameter]
    [ValidateNotNull]
    public string? Description { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing() => WarnIfNothingToChange(nameof(Name), nameof(Description));

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (NothingToChange || !ShouldProcess(ConfirmTarget(ObjectKind.Dataset, DatasetId), "Update Humanloop dataset"))
        {
            return;
        }

        var id = DatasetId;
        var request = new DatasetRequest { Name = Name, Description = Description };
        Invoke(id, (client, cancellationToken) => client.UpdateDatasetAsync(id, request, cancellationToken));
    }
}

/// <summary>Deletes a Humanloop dataset with its datapoints.</summary>
/// <remarks>
/// <para>Asks for confirmation (ConfirmImpact High); -Force or -Confirm:$false skips the question, and
/// -WhatIf only says what would be deleted. Writes nothing on success. An unknown id is a
/// non-terminating ObjectNotFound error (Humanloop.Http.404).</para>
/// </remarks>
/// <example>
/// <code>Get-HumanloopDataset -Name 'scratch-*' | Remove-HumanloopDataset -Force</code>
/// <para>Deletes every dataset whose name starts with "scratch-", without asking.</para>
/// </example>
[Cmdlet(VerbsCommon.Remove, "HumanloopDataset", HelpUri = HelpLinks.Cmdlets + "#remove-humanloopdataset", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveHumanloopDatasetCommand : RemoveCmdlet
{
    /// <summary>The datasets to delete (evts_…); piped datasets bind by their id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    [ArgumentCompleter(typeof(DatasetIdCompleter))]
    public string[] DatasetId { get; set; } = [];

    /// <inheritdoc />
    protected override string Action => "Delete Humanloop dataset with its datapoints";

    /// <inheritdoc />
    private protected override ObjectKind Kind => ObjectKind.Dataset;

    /// <inheritdoc />
    protected override void ProcessRecord() => RemoveEach(DatasetId, (client, id, cancellationToken) => client.DeleteDatasetAsync(id, cancellationToken));
}

/// <summary>Writes a Humanloop dataset's datapoints to a CSV or JSON lines file that New-HumanloopDataset and Import-HumanloopTestCase read back.</summary>
/// <remarks>
/// <para>Reads every datapoint (page by page) and writes them in the format of Import-HumanloopTestCase:
/// CSV (.csv) has a column per input, messages (a JSON array) when any datapoint has messages, expect for
/// the target's expect member, and target.name for every other target member (text as it is, other values
/// as JSON). JSON lines (.jsonl) has an object per datapoint with inputs, messages, expect and target, values
/// keeping their types: prefer it when targets hold numbers, booleans or objects. An input whose name is a
/// column of the format (name, expect, message, messages, inputs, target) cannot be written to CSV: export
/// to JSON lines instead.</para>
/// <para>An existing file is replaced only with -Force. Writes the file (System.IO.FileInfo).</para>
/// </remarks>
/// <example>
/// <code>Get-HumanloopDataset -Name 'refund cases' | Export-HumanloopDataset -Path ./refund-cases.csv</code>
/// <para>Saves a dataset as a CSV file, for review or for Import-HumanloopTestCase.</para>
/// </example>
/// <example>
/// <code>Export-HumanloopDataset -DatasetId $dataset.Id -Path ./cases.jsonl -Force</code>
/// <para>Saves a dataset as JSON lines, replacing the file if it exists.</para>
/// </example>
[Cmdlet(VerbsData.Export, "HumanloopDataset", HelpUri = HelpLinks.Cmdlets + "#export-humanloopdataset", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FileInfo))]
public sealed class ExportHumanloopDatasetCommand : ResourceCmdlet
{
    /// <summary>The dataset to write (evts_…); piped datasets bind by their id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    [ArgumentCompleter(typeof(DatasetIdCompleter))]
    public string DatasetId { get; set; } = string.Empty;

    /// <summary>The file to write: .csv or .jsonl.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Replaces the file if it exists.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (File.Exists(file) && !Force)
        {
            WriteError(ErrorRecords.Of(new IOException($"'{Path}' exists; use -Force to replace it."), "Humanloop.Dataset.FileExists", ErrorCategory.ResourceExists, Path));
            return;
        }

        if (!ShouldProcess(file, $"Write dataset {DatasetId}"))
        {
            return;
        }

        var datapoints = new List<Datapoint>();
        var id = DatasetId;
        if (!RunForInput(id, async (client, cancellationToken) =>
            {
                for (var number = 0; ; number++)
                {
                    var page = await client.ListDatapointsAsync(id, number, 500, cancellationToken).ConfigureAwait(false);
                    datapoints.AddRange(page.Records);
                    if (page.Records.Count == 0 || datapoints.Count >= page.Total)
                    {
                        return;
                    }
                }
            }))
        {
            return;
        }

        try
        {
            DatasetFileWriter.Write(file, datapoints);
            WriteObject(new FileInfo(file));
        }
        catch (FormatException exception)
        {
            WriteError(ErrorRecords.Of(exception, "Humanloop.Dataset.NotWritable", ErrorCategory.InvalidData, id));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            WriteError(ErrorRecords.Of(exception, "Humanloop.Dataset.NotWritable", ErrorCategory.WriteError, Path));
        }
    }
}

/// <summary>Reads dataset files and splits datapoints into the batches one request carries.</summary>
internal static class DatasetFiles
{
    /// <summary>Datapoints per request when adding many.</summary>
    public const int BatchSize = 100;

    /// <summary>The file's cases as datapoints; a missing or malformed file stops the command.</summary>
    public static List<DatapointRequest> Read(PSCmdlet cmdlet, string path)
    {
        try
        {
            var file = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            if (!File.Exists(file))
            {
                cmdlet.ThrowTerminatingError(ErrorRecords.NotFound("Humanloop.Dataset.FileNotFound", $"There is no dataset file '{path}'.", path));
            }

            return TestCaseReader.Read(file).Select(DatasetCases.ToDatapoint).ToList();
        }
        catch (FormatException exception)
        {
            cmdlet.ThrowTerminatingError(ErrorRecords.Of(exception, "Humanloop.Dataset.Invalid", ErrorCategory.InvalidData, path));
            throw;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            cmdlet.ThrowTerminatingError(ErrorRecords.Of(exception, "Humanloop.Dataset.Unreadable", ErrorCategory.ReadError, path));
            throw;
        }
    }

    /// <summary>The datapoints in order, at most <see cref="BatchSize"/> at a time.</summary>
    public static IEnumerable<List<T>> Batches<T>(IReadOnlyList<T> items)
    {
        for (var start = 0; start < items.Count; start += BatchSize)
        {
            yield return items.Skip(start).Take(BatchSize).ToList();
        }
    }
}
