using System;
using System.Management.Automation;

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
[Cmdlet(VerbsCommon.Get, "HumanloopLog", DefaultParameterSetName = ProjectSet)]
[OutputType(typeof(Log))]
public sealed class GetHumanloopLogCommand : ResourceCmdlet
{
    private const string ProjectSet = "Project";
    private const string IdSet = "Id";

    /// <summary>The project whose logs to read (pr_…).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ProjectSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
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
