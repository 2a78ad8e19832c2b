using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Humanloop.PowerShell.Infrastructure;
using Humanloop.PowerShell.TestCases;

namespace Humanloop.PowerShell.Commands;

/// <summary>Adds datapoints to a Humanloop dataset: from piped rows (Import-Csv), test cases, datapoints, or parameters.</summary>
/// <remarks>
/// <para>Each piped object is read by the rules of a test case file (Import-HumanloopTestCase): its
/// properties are the columns. Input columns become the inputs (as text); messages (a JSON array, or a list
/// of messages) or message the chat messages; target (a JSON object, or text that becomes {"output": text})
/// and target.name columns the target; expect the target's expect member; name is not kept. Piped
/// Humanloop.TestCase objects and Humanloop.Datapoint objects (to copy datapoints) are taken as they are.</para>
/// <para>-LogId makes a datapoint of each log, with its inputs and messages and no target. Without
/// pipeline input, -Inputs, -Messages and -Target describe one datapoint. The datapoints are
/// sent 100 to a request (POST /v4/datasets/{id}/datapoints) and written as Humanloop.Datapoint objects. A
/// malformed row is a non-terminating error naming the row; the other rows are still added.</para>
/// </remarks>
/// <example>
/// <code>Import-Csv ./cases.csv | Add-HumanloopDatapoint -DatasetId $dataset.Id</code>
/// <para>Adds a datapoint per row of a CSV file.</para>
/// </example>
/// <example>
/// <code>Add-HumanloopDatapoint -DatasetId $dataset.Id -Inputs @{ question = 'Can I get a refund?' } -Target @{ output = 'Yes, within 30 days.' }</code>
/// <para>Adds one datapoint with an expected output.</para>
/// </example>
/// <example>
/// <code>Get-HumanloopDatapoint -DatasetId $old.Id | Add-HumanloopDatapoint -DatasetId $new.Id</code>
/// <para>Copies every datapoint of one dataset into another.</para>
/// </example>
/// <example>
/// <code>$answer = New-HumanloopCompletion -Project support -Inputs @{ question = 'Can I get a refund?' }
/// Add-HumanloopDatapoint -DatasetId $dataset.Id -LogId $answer.LogId</code>
/// <para>Turns logs into datapoints: each log's inputs and messages, without a target (POST with log_ids).</para>
/// </example>
[Cmdlet(VerbsCommon.Add, "HumanloopDatapoint", HelpUri = HelpLinks.Cmdlets + "#add-humanloopdatapoint", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ObjectSet)]
[OutputType(typeof(Datapoint))]
public sealed class AddHumanloopDatapointCommand : ResourceCmdlet
{
    private const string ObjectSet = "Object";
    private const string FieldsSet = "Fields";
    private const string LogSet = "Log";

    private readonly List<DatapointRequest> _pending = [];
    private int _row;

    /// <summary>The dataset to add to (evts_…).</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DatasetIdCompleter))]
    public string DatasetId { get; set; } = string.Empty;

    /// <summary>A row to add: an Import-Csv row, a hashtable, a Humanloop.TestCase or a Humanloop.Datapoint.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ObjectSet)]
    [ValidateNotNull]
    public PSObject? InputObject { get; set; }

    /// <summary>The template inputs of one datapoint, for example @{ question = '…' }.</summary>
    [Parameter(ParameterSetName = FieldsSet)]
    [ValidateNotNull]
    public IDictionary? Inputs { get; set; }

    /// <summary>The chat messages of one datapoint: strings (user messages), hashtables with role and content, or Humanloop.ChatMessage objects.</summary>
    [Parameter(ParameterSetName = FieldsSet)]
    [ValidateNotNullOrEmpty]
    public object[]? Messages { get; set; }

    /// <summary>The target of one datapoint, for example @{ output = '…' }.</summary>
    [Parameter(ParameterSetName = FieldsSet)]
    [ValidateNotNull]
    public IDictionary? Target { get; set; }

    /// <summary>Logs (data_…) to make datapoints of: each log's inputs and messages, without a target.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LogSet)]
    [ValidateNotNullOrEmpty]
    public string[] LogId { get; set; } = [];

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == LogSet)
        {
            var datasetId = DatasetId;
            var logIds = LogId;
            if (ShouldProcess(ConfirmTarget(ObjectKind.Dataset, DatasetId), $"Add a datapoint for each of the logs {string.Join(", ", logIds)}"))
            {
                InvokeEach(datasetId, (client, cancellationToken) => client.AddDatapointsFromLogsAsync(datasetId, logIds, cancellationToken));
            }

            return;
        }

        _row++;
        var source = ParameterSetName == FieldsSet ? "parameters" : $"input {_row}";
        DatapointRequest datapoint;
        try
        {
            datapoint = ParameterSetName == FieldsSet ? DatapointFields.Build(Inputs, Messages, Target) : FromObject(InputObject!, source);
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException)
        {
            WriteError(ErrorRecords.Of(exception, "Humanloop.Datapoint.Invalid", ErrorCategory.InvalidData, InputObject));
            return;
        }

        if (!ShouldProcess(ConfirmTarget(ObjectKind.Dataset, DatasetId), $"Add datapoint ({source}: {Describe(datapoint)})"))
        {
            return;
        }

        _pending.Add(datapoint);
        if (_pending.Count >= DatasetFiles.BatchSize)
        {
            Flush();
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        Flush();
        base.EndProcessing();
    }

    private void Flush()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var batch = _pending.ToList();
        _pending.Clear();
        var datasetId = DatasetId;
        InvokeEach(datasetId, (client, cancellationToken) => client.AddDatapointsAsync(datasetId, batch, cancellationToken));
    }

    private static DatapointRequest FromObject(PSObject input, string source) => input.BaseObject switch
    {
        TestCase testCase => DatasetCases.ToDatapoint(testCase),
        Datapoint datapoint => DatasetCases.ToDatapoint(datapoint),
        _ => DatasetCases.ToDatapoint(TestCaseReader.FromObject(input, source)),
    };

    private static string Describe(DatapointRequest datapoint)
    {
        var parts = new List<string>();
        if (datapoint.Inputs is { Count: > 0 } inputs)
        {
            parts.Add("inputs " + string.Join(", ", inputs.Keys));
        }

        if (datapoint.Messages is { Count: > 0 } messages)
        {
            parts.Add($"{messages.Count} message(s)");
        }

        if (datapoint.Target is { Count: > 0 } target)
        {
            parts.Add("target " + string.Join(", ", target.Keys.Cast<object>()));
        }

        return parts.Count == 0 ? "empty" : string.Join("; ", parts);
    }
}

/// <summary>Gets Humanloop datapoints: a dataset's, or by id.</summary>
/// <remarks>
/// <para>-DatasetId reads the dataset's datapoints page by page (GET /v4/datasets/{id}/datapoints, -PageSize
/// per page), writing each page as soon as it arrives; piped datasets bind by their id. -Id reads
/// datapoints directly (GET /v4/datapoints/{id}); an unknown id is a non-terminating ObjectNotFound error.</para>
/// </remarks>
/// <example>
/// <code>Get-HumanloopDataset -Name 'refund cases' | Get-HumanloopDatapoint | Select-Object -ExpandProperty Inputs</code>
/// <para>Shows the inputs of every datapoint of a dataset.</para>
/// </example>
/// <example>
/// <code>Get-HumanloopDatapoint -Id $datapoint.Id | Format-List *</code>
/// <para>Shows one datapoint with its messages and target.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "HumanloopDatapoint", HelpUri = HelpLinks.Cmdlets + "#get-humanloopdatapoint", DefaultParameterSetName = DatasetSet)]
[OutputType(typeof(Datapoint))]
public sealed class GetHumanloopDatapointCommand : ResourceCmdlet
{
    private const string DatasetSet = "Dataset";
    private const string IdSet = "Id";

    /// <summary>The dataset whose datapoints to read (evts_…).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = DatasetSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DatasetIdCompleter))]
    public string DatasetId { get; set; } = string.Empty;

    /// <summary>Datapoints requested per page (default 50).</summary>
    [Parameter(ParameterSetName = DatasetSet)]
    [ValidateRange(1, 1000)]
    public int PageSize { get; set; } = DefaultPageSize;

    /// <summary>Datapoints to read by id.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    public string[] DatapointId { get; set; } = [];

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == IdSet)
        {
            foreach (var id in DatapointId)
            {
                Invoke(id, (client, cancellationToken) => client.GetDatapointAsync(id, cancellationToken));
            }

            return;
        }

        var datasetId = DatasetId;
        var pageSize = PageSize;
        InvokePaged(datasetId, (client, page, cancellationToken) => client.ListDatapointsAsync(datasetId, page, pageSize, cancellationToken));
    }
}

/// <summary>Changes a Humanloop datapoint: its inputs, messages or target.</summary>
/// <remarks>
/// <para>Sends only what is given (PATCH /v4/datapoints/{id}); each given field replaces the datapoint's
/// whole field. Writes the datapoint as it now is. Given nothing to change, it warns and sends nothing.</para>
/// </remarks>
/// <example>
/// <code>Set-HumanloopDatapoint -Id $datapoint.Id -Target @{ output = 'Yes, within 30 days of purchase.' }</code>
/// <para>Corrects a datapoint's expected output.</para>
/// </example>
[Cmdlet(VerbsCommon.Set, "HumanloopDatapoint", HelpUri = HelpLinks.Cmdlets + "#set-humanloopdatapoint", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Datapoint))]
public sealed class SetHumanloopDatapointCommand : ResourceCmdlet
{
    /// <summary>The datapoint to change; piped datapoints bind by their id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    public string DatapointId { get; set; } = string.Empty;

    /// <summary>The new template inputs.</summary>
    [Parameter]
    [ValidateNotNull]
    public IDictionary? Inputs { get; set; }

    /// <summary>The new chat messages.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public object[]? Messages { get; set; }

    /// <summary>The new target.</summary>
    [Parameter]
    [ValidateNotNull]
    public IDictionary? Target { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing() => WarnIfNothingToChange(nameof(Inputs), nameof(Messages), nameof(Target));

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (NothingToChange)
        {
            return;
        }

        DatapointRequest request;
        try
        {
            request = DatapointFields.Build(Inputs, Messages, Target);
        }
        catch (ArgumentException exception)
        {
            ThrowTerminatingError(ErrorRecords.InvalidParameters(exception.Message));
            return;
        }

        if (!ShouldProcess(DatapointId, "Update Humanloop datapoint"))
        {
            return;
        }

        var id = DatapointId;
        Invoke(id, (client, cancellationToken) => client.UpdateDatapointAsync(id, request, cancellationToken));
    }
}

/// <summary>Deletes Humanloop datapoints.</summary>
/// <remarks>
/// <para>Asks for confirmation per datapoint (ConfirmImpact High); -Force or -Confirm:$false skips the
/// question, and -WhatIf only says what would be deleted. The confirmed ids are deleted 100 to a request
/// (DELETE /v4/datapoints), so a failure names the ids of its request. Writes nothing on success.</para>
/// </remarks>
/// <example>
/// <code>Get-HumanloopDatapoint -DatasetId $dataset.Id | Where-Object { -not $_.Target } | Remove-HumanloopDatapoint -Force</code>
/// <para>Deletes the datapoints of a dataset that have no target.</para>
/// </example>
[Cmdlet(VerbsCommon.Remove, "HumanloopDatapoint", HelpUri = HelpLinks.Cmdlets + "#remove-humanloopdatapoint", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveHumanloopDatapointCommand : RemoveCmdlet
{
    private readonly List<string> _confirmed = [];

    /// <summary>The datapoints to delete; piped datapoints bind by their id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    public string[] DatapointId { get; set; } = [];

    /// <inheritdoc />
    protected override string Action => "Delete Humanloop datapoint";

    /// <inheritdoc />
    private protected override ObjectKind Kind => ObjectKind.Datapoint;

    /// <inheritdoc />
    protected override void ProcessRecord() => _confirmed.AddRange(Confirmed(DatapointId));

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        foreach (var batch in DatasetFiles.Batches(_confirmed))
        {
            InvokeWithoutResult(string.Join(", ", batch), (client, cancellationToken) => client.DeleteDatapointsAsync(batch, cancellationToken));
        }

        base.EndProcessing();
    }
}

/// <summary>Builds a datapoint from the -Inputs, -Messages and -Target parameters.</summary>
internal static class DatapointFields
{
    /// <exception cref="ArgumentException">A message or the target has no JSON form.</exception>
    public static DatapointRequest Build(IDictionary? inputs, object[]? messages, IDictionary? target) => new()
    {
        Inputs = inputs is null ? null : DatasetCases.ToInputs(inputs),
        Messages = messages is null ? null : ChatValues.ToMessages(messages, "-Messages"),
        Target = target is null ? null : PowerShellValues.ToJsonObject(target, "-Target"),
    };
}
