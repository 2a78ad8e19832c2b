using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>Gets Humanloop logs: a project's (searched and bounded in time), or by id.</summary>
/// <remarks>
/// <para>-ProjectId reads the project's logs newest first, page by page (GET /v4/logs, -PageSize per page),
/// and writes each page's logs into the pipeline as soon as it arrives, so the first logs can be
/// processed while later pages are still being read. -Search keeps logs containing the text (the local
/// server looks in the output and the inputs); -Since and -Until bound the creation time (local times
/// are converted to UTC).</para>
/// <para>-Id reads logs directly (GET /v4/logs/{id}); the LogId of a completion response names the logs
/// it produced. Piped objects with a ProjectId (projects, experiments, completion responses) list that
/// project's logs; to read the logs of particular completions, pass -Id $response.LogId.</para>
/// </remarks>
/// <example>
/// <code>Get-HumanloopLog -ProjectId $p.Id | Where-Object FinishReason -ne 'stop'</code>
/// <para>Finds the project's completions that were cut off (for example by max tokens).</para>
/// </example>
/// <example>
/// <code>Get-HumanloopProject -Name 'support-bot' | Get-HumanloopLog -Search 'refund' -Since (Get-Date).AddDays(-1)</code>
/// <para>Lists yesterday's and today's logs that mention "refund".</para>
/// </example>
/// <example>
/// <code>Get-HumanloopLog -Id $response.LogId | Select-Object -ExpandProperty Feedback</code>
/// <para>Shows the feedback recorded on the logs of a completion.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "HumanloopLog", HelpUri = HelpLinks.Cmdlets + "#get-humanlooplog", DefaultParameterSetName = ProjectSet)]
[OutputType(typeof(Log))]
public sealed class GetHumanloopLogCommand : ResourceCmdlet
{
    private const string ProjectSet = "Project";
    private const string IdSet = "Id";

    /// <summary>The project whose logs to read (pr_…).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ProjectSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProjectIdCompleter))]
    public string ProjectId { get; set; } = string.Empty;

    /// <summary>Text the logs must contain.</summary>
    [Parameter(ParameterSetName = ProjectSet)]
    [ValidateNotNullOrEmpty]
    public string? Search { get; set; }

    /// <summary>Only logs created at or after this time.</summary>
    [Parameter(ParameterSetName = ProjectSet)]
    public DateTime Since { get; set; }

    /// <summary>Only logs created at or before this time.</summary>
    [Parameter(ParameterSetName = ProjectSet)]
    public DateTime Until { get; set; }

    /// <summary>Logs requested per page (default 50).</summary>
    [Parameter(ParameterSetName = ProjectSet)]
    [ValidateRange(1, 1000)]
    public int PageSize { get; set; } = DefaultPageSize;

    /// <summary>Logs to read by id (data_…).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id", "DataId", "data_id")]
    public string[] LogId { get; set; } = [];

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        var bound = MyInvocation.BoundParameters;
        if (bound.ContainsKey(nameof(Since)) && bound.ContainsKey(nameof(Until)) && ToInstant(Since) > ToInstant(Until))
        {
            ThrowInvalidParameters($"-Since ({Since:o}) is later than -Until ({Until:o}); no log can match.");
        }
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == IdSet)
        {
            foreach (var id in LogId)
            {
                Invoke(id, (client, cancellationToken) => client.GetLogAsync(id, cancellationToken));
            }

            return;
        }

        var bound = MyInvocation.BoundParameters;
        var projectId = ProjectId;
        var pageSize = PageSize;
        var filter = new LogFilter
        {
            Search = Search,
            Since = bound.ContainsKey(nameof(Since)) ? ToInstant(Since) : null,
            Until = bound.ContainsKey(nameof(Until)) ? ToInstant(Until) : null,
        };
        InvokePaged(projectId, (client, page, cancellationToken) => client.ListLogsAsync(projectId, page, pageSize, filter, cancellationToken));
    }

    // A DateTime of unspecified kind, such as [datetime]'2024-07-01', is read as local time, like Get-Date's.
    private static DateTimeOffset ToInstant(DateTime value) => new(value);
}

/// <summary>Records a model call made elsewhere as a Humanloop log: its config, inputs, output, timing, tokens and place in a session.</summary>
/// <remarks>
/// <para>Sends one log per input (POST /v4/logs) and writes its ids as a Humanloop.CreatedLog, whose LogId pipes
/// into Add-HumanloopFeedback, Set-HumanloopLog and Remove-HumanloopLog, and whose SessionId and ProjectId pipe
/// into the next Add-HumanloopLog of the same session.</para>
/// <para>The project is given by name (-Project, created when missing) or id (-ProjectId). The config that
/// made the call is given by id (-ModelConfigId, with -TrialId for a config sampled from an experiment) or
/// inline (-ModelConfig: a hashtable keyed by the API's field names, a typed config, or a Humanloop.ModelConfig
/// read from the server). -Duration takes a TimeSpan (a Stopwatch's Elapsed) or a number of seconds;
/// -CreatedAt is when the call was made (local times are converted).</para>
/// <para>Sessions: -SessionId (a session of New-HumanloopSession) or -SessionReferenceId (a key of your own)
/// put the log in a session; -ParentId (a log id) or -ParentReferenceId (another log's -ReferenceId) make it a
/// child there. Objects piped in bind by property name: ProjectId, SessionId, ModelConfigId and TrialId (a
/// config sampled with Get-HumanloopModelConfig -ExperimentId), Inputs and Output (Import-Csv rows).</para>
/// </remarks>
/// <example>
/// <code>$watch = [Diagnostics.Stopwatch]::StartNew(); $answer = Invoke-MyModel $question; $watch.Stop()
/// Add-HumanloopLog -ProjectId $project.Id -ModelConfigId $config.ModelConfigId -Inputs @{ question = $question } -Output $answer -Duration $watch.Elapsed -PromptTokens 42 -OutputTokens 17</code>
/// <para>Logs a call made with another client, with its timing and token counts.</para>
/// </example>
/// <example>
/// <code>$root = Add-HumanloopLog -Project agent -ModelConfig @{ provider = 'openai'; model = 'gpt-4o'; prompt_template = 'Plan: {{goal}}' } -Inputs @{ goal = 'Lisbon' } -Output $plan -SessionReferenceId 'run-42' -ReferenceId 'plan'
/// Add-HumanloopLog -Project agent -ModelConfigId $searcher.ModelConfigId -Output $hits -SessionReferenceId 'run-42' -ParentReferenceId 'plan'</code>
/// <para>Logs two steps of an agent run in one session, the second as a child of the first.</para>
/// </example>
/// <example>
/// <code>Get-HumanloopModelConfig -ExperimentId $experiment.Id | Add-HumanloopLog -Inputs @{ topic = 'tides' } -Output (Invoke-MyModel 'tides')</code>
/// <para>Logs a call made with a config sampled from an experiment, so that its feedback counts for that config.</para>
/// </example>
[Cmdlet(VerbsCommon.Add, "HumanloopLog", HelpUri = HelpLinks.Cmdlets + "#add-humanlooplog", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ConfigIdSet)]
[OutputType(typeof(CreatedLog))]
public sealed class AddHumanloopLogCommand : LogContentCmdlet
{
    private const string ConfigIdSet = "ModelConfigId";
    private const string InlineSet = "ModelConfig";

    private IDictionary? _metadata;

    /// <summary>The project's name; the server creates the project when none has this name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProjectNameCompleter))]
    public string? Project { get; set; }

    /// <summary>The project's id (pr_…); piped objects bind by their ProjectId.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ProjectIdCompleter))]
    public string? ProjectId { get; set; }

    /// <summary>The stored config that made the call (config_…).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ConfigIdSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("ConfigId")]
    [ArgumentCompleter(typeof(ModelConfigIdCompleter))]
    public string? ModelConfigId { get; set; }

    /// <summary>The experiment trial of a config sampled from an experiment (its TrialId), so that feedback counts for that config.</summary>
    [Parameter(ParameterSetName = ConfigIdSet, ValueFromPipelineByPropertyName = true)]
    public string? TrialId { get; set; }

    /// <summary>The config that made the call, inline: a hashtable keyed by the API's field names, a typed config, or a Humanloop.ModelConfig.</summary>
    [Parameter(Mandatory = true, ParameterSetName = InlineSet)]
    [ModelConfigTransformation(typeof(ModelConfigRequest))]
    public ModelConfigRequest? ModelConfig { get; set; }

    /// <summary>The environment whose deployment served the call.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EnvironmentCompleter))]
    public string? Environment { get; set; }

    /// <summary>When the call was made (the server's clock when omitted).</summary>
    [Parameter]
    public DateTime CreatedAt { get; set; }

    /// <summary>What the prompt's tokens cost, in dollars.</summary>
    [Parameter]
    [ValidateRange(0.0, double.MaxValue)]
    public double PromptCost { get; set; }

    /// <summary>What the output's tokens cost, in dollars.</summary>
    [Parameter]
    [ValidateRange(0.0, double.MaxValue)]
    public double OutputCost { get; set; }

    /// <summary>Metadata stored with the log: a hashtable or an object.</summary>
    [Parameter]
    [ValidateNotNull]
    public PSObject? Metadata { get; set; }

    /// <summary>Free text saying where the call came from.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Source { get; set; }

    /// <summary>Asks the server not to store the payloads of the log (the API's save: false); by default it stores them.</summary>
    [Parameter]
    public SwitchParameter NoSave { get; set; }

    /// <summary>Kept for scripts written before -NoSave: -Save:$false is -NoSave; -Save asks for the default, storing.</summary>
    [Parameter(DontShow = true)]
    public SwitchParameter Save { get; set; }

    /// <summary>The session (sesh_…) the log joins; piped sessions and logs bind by their SessionId.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SessionIdCompleter))]
    public string? SessionId { get; set; }

    /// <summary>Your own session key; logs with the same key share a session.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SessionReferenceId { get; set; }

    /// <summary>The log's parent in its session (data_…).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ParentId { get; set; }

    /// <summary>The -ReferenceId of the log's parent in its session.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ParentReferenceId { get; set; }

    /// <summary>Your own reference for the log: children name it with -ParentReferenceId, and Set-HumanloopLog -ReferenceId finds the log by it.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ReferenceId { get; set; }

    /// <summary>The dataset datapoint the call was made for.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SourceDatapointId { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        RejectBoth(nameof(ParentId), nameof(ParentReferenceId));
        if (PayloadStorage.Conflict(MyInvocation.BoundParameters, NoSave, Save) is { } conflict)
        {
            ThrowInvalidParameters(conflict);
        }

        // The same for every input: a value without a JSON form is a mistake in the invocation.
        try
        {
            _metadata = Metadata is null ? null : PowerShellValues.ToJsonObject(Metadata, "-Metadata");
        }
        catch (ArgumentException exception)
        {
            ThrowInvalidParameters(exception.Message);
        }
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        // Checked per input: -ProjectId and -SessionId may come from the pipeline, where an empty value means none.
        var projectId = string.IsNullOrEmpty(ProjectId) ? null : ProjectId;
        var sessionId = string.IsNullOrEmpty(SessionId) ? null : SessionId;
        if ((Project is null) == (projectId is null))
        {
            ThrowInvalidParameters(Project is null
                ? "Say which project the log belongs to: -Project (a name) or -ProjectId."
                : "Use -Project or -ProjectId, not both.");
        }

        if (sessionId is not null && SessionReferenceId is not null)
        {
            ThrowInvalidParameters("Use -SessionId or -SessionReferenceId, not both.");
        }

        LogRequest request;
        try
        {
            request = NewLogRequest();
            request.Project = Project;
            request.ProjectId = projectId;
            request.ConfigId = ModelConfigId;
            request.TrialId = string.IsNullOrEmpty(TrialId) ? null : TrialId;
            request.Config = ModelConfig;
            request.Environment = Environment;
            request.CreatedAt = Bound(nameof(CreatedAt)) ? new DateTimeOffset(CreatedAt) : null;
            request.PromptCost = Bound(nameof(PromptCost)) ? PromptCost : null;
            request.OutputCost = Bound(nameof(OutputCost)) ? OutputCost : null;
            request.Metadata = _metadata;
            request.Source = Source;
            request.Save = PayloadStorage.Save(MyInvocation.BoundParameters, NoSave, Save);
            request.SessionId = sessionId;
            request.SessionReferenceId = SessionReferenceId;
            request.ParentId = ParentId;
            request.ParentReferenceId = ParentReferenceId;
            request.ReferenceId = ReferenceId;
            request.SourceDatapointId = SourceDatapointId;
        }
        catch (ArgumentException exception)
        {
            WriteError(ErrorRecords.From(exception, Inputs, null));
            return;
        }

        var target = projectId ?? Project!;
        var what = LogAction;
        var session = sessionId ?? SessionReferenceId;
        if (ShouldProcess(target, session is null ? what : $"{what} in session {session}"))
        {
            Invoke(target, (client, cancellationToken) => client.AddLogAsync(request, cancellationToken));
        }
    }
}

/// <summary>Changes a Humanloop log's output, error or duration, for example a parent log once its children are done.</summary>
/// <remarks>
/// <para>Sends only what is given (PATCH /v4/logs/{id}) and writes the log as it now is (Humanloop.Log).
/// -ReferenceId finds the log by the reference it was created with (Add-HumanloopLog -ReferenceId) instead of
/// its id (PATCH /v4/logs?reference_id=…). Given nothing to change, it warns and sends nothing.</para>
/// <para>-LogId binds by property name: logs, the output of Add-HumanloopLog, completion and chat results and
/// session trees pipe straight in.</para>
/// </remarks>
/// <example>
/// <code>$plan = Add-HumanloopLog -Project agent -ModelConfigId $planner.ModelConfigId -SessionReferenceId 'run-42'
/// # … the steps below it run …
/// $plan | Set-HumanloopLog -Output 'Booked the 9:40 to Lisbon.' -Duration $watch.Elapsed</code>
/// <para>Fills in a parent log's output once its work has finished.</para>
/// </example>
/// <example>
/// <code>Set-HumanloopLog -ReferenceId 'plan-42' -ErrorMessage 'The flight search timed out.'</code>
/// <para>Records that the call logged with reference plan-42 failed.</para>
/// </example>
[Cmdlet(VerbsCommon.Set, "HumanloopLog", HelpUri = HelpLinks.Cmdlets + "#set-humanlooplog", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = IdSet)]
[OutputType(typeof(Log))]
public sealed class SetHumanloopLogCommand : ResourceCmdlet
{
    private const string IdSet = "Id";
    private const string ReferenceSet = "Reference";

    /// <summary>The logs to change (data_…); piped objects bind by their LogId.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id", "DataId", "data_id")]
    public string[] LogId { get; set; } = [];

    /// <summary>The reference the log was created with (Add-HumanloopLog -ReferenceId), instead of its id.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ReferenceSet)]
    [ValidateNotNullOrEmpty]
    public string ReferenceId { get; set; } = string.Empty;

    /// <summary>The new output.</summary>
    [Parameter]
    [ValidateNotNull]
    public string? Output { get; set; }

    /// <summary>Why the call failed.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ErrorMessage { get; set; }

    /// <summary>How long the call took: a TimeSpan, or a number of seconds.</summary>
    [Parameter]
    [SecondsTransformation]
    public TimeSpan Duration { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing() => WarnIfNothingToChange(nameof(Output), nameof(ErrorMessage), nameof(Duration));

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (NothingToChange)
        {
            return;
        }

        var request = new UpdateLogRequest
        {
            Output = Output,
            Error = ErrorMessage,
            Duration = Bound(nameof(Duration)) ? Duration.TotalSeconds : null,
        };
        if (ParameterSetName == ReferenceSet)
        {
            var reference = ReferenceId;
            if (ShouldProcess($"the log with reference '{reference}'", "Update Humanloop log"))
            {
                Invoke(reference, (client, cancellationToken) => client.UpdateLogByReferenceAsync(reference, request, cancellationToken));
            }

            return;
        }

        foreach (var id in LogId)
        {
            if (ShouldProcess(id, "Update Humanloop log"))
            {
                Invoke(id, (client, cancellationToken) => client.UpdateLogAsync(id, request, cancellationToken));
            }
        }
    }
}

/// <summary>Deletes Humanloop logs.</summary>
/// <remarks>
/// <para>Asks for confirmation per log (ConfirmImpact High); -Force or -Confirm:$false skips the question, and
/// -WhatIf only says what would be deleted. The confirmed ids are deleted 100 to a request
/// (DELETE /v4/logs?id=…), so a failure names the ids of its request. Writes nothing on success.</para>
/// <para>-LogId binds by property name: logs, completion and chat results (every sample's log), the output of
/// Add-HumanloopLog and session trees pipe straight in.</para>
/// </remarks>
/// <example>
/// <code>Get-HumanloopLog -ProjectId $project.Id -Until (Get-Date).AddDays(-90) | Remove-HumanloopLog -Force</code>
/// <para>Deletes a project's logs older than 90 days, without asking.</para>
/// </example>
/// <example>
/// <code>Remove-HumanloopLog -Id data_9sk2 -WhatIf</code>
/// <para>Shows what would be deleted, and deletes nothing.</para>
/// </example>
[Cmdlet(VerbsCommon.Remove, "HumanloopLog", HelpUri = HelpLinks.Cmdlets + "#remove-humanlooplog", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveHumanloopLogCommand : RemoveCmdlet
{
    private readonly List<string> _confirmed = [];

    /// <summary>The logs to delete (data_…); piped objects bind by their LogId.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id", "DataId", "data_id")]
    public string[] LogId { get; set; } = [];

    /// <inheritdoc />
    protected override string Action => "Delete Humanloop log";

    /// <inheritdoc />
    private protected override ObjectKind Kind => ObjectKind.Log;

    /// <inheritdoc />
    protected override void ProcessRecord() => _confirmed.AddRange(Confirmed(LogId));

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        foreach (var batch in DatasetFiles.Batches(_confirmed))
        {
            InvokeWithoutResult(string.Join(", ", batch), (client, cancellationToken) => client.DeleteLogsAsync(batch, cancellationToken));
        }

        base.EndProcessing();
    }
}

/// <summary>Turns what users pass for the parts of a log into the API's values.</summary>
internal static class LogValues
{
    /// <summary>A plain string is what the model said, so it is the assistant's message (not a user's, as in -Messages).</summary>
    /// <exception cref="ArgumentException">The value is neither a string nor a message.</exception>
    public static ChatMessage ToOutputMessage(object value) =>
        PowerShellValues.Unwrap(value) is string text
            ? new ChatMessage { Role = "assistant", Content = text }
            : ChatValues.ToMessages([value], "-OutputMessage")[0];
}
