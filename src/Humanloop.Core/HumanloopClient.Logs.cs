using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.Json;

namespace Humanloop;

// The Logs group (API reference §6.3) and feedback on logs (§6.4).
public sealed partial class HumanloopClient
{
    /// <summary>Reads one log (<c>GET /logs/{id}</c>).</summary>
    /// <param name="logId">The log id (<c>data_…</c>).</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Log> GetLogAsync(string logId, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Get, "logs/" + Segment(logId, nameof(logId)), null, WorkflowJsonContext.Default.Log, cancellationToken);

    /// <summary>Reads one page of a project's logs (<c>GET /logs</c>), newest first.</summary>
    /// <param name="projectId">The project id.</param>
    /// <param name="page">The page number, from 0.</param>
    /// <param name="size">Logs per page.</param>
    /// <param name="filter">Search text and a time range; null for every log.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Page<Log>> ListLogsAsync(string projectId, int page, int size, LogFilter? filter = null, CancellationToken cancellationToken = default)
    {
        CheckPaging(page, size);
        var path = new QueryString()
            .Add("project_id", RequiredId(projectId, nameof(projectId)))
            .Add("search", filter?.Search)
            .Add("start_date", filter?.Since)
            .Add("end_date", filter?.Until)
            .Add("page", page)
            .Add("size", size)
            .AppendTo("logs");
        return SendJsonAsync(HttpMethod.Get, path, null, WorkflowJsonContext.Default.PageLog, cancellationToken);
    }

    /// <summary>Records a call made elsewhere as a log (<c>POST /logs</c>).</summary>
    /// <param name="request">The log: its project, its config (inline, by id or through a trial), and what was sent and received.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<CreatedLog> AddLogAsync(LogRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "logs", ToJson(request, WorkflowJsonContext.Default.LogRequest, nameof(request)),
            WorkflowJsonContext.Default.CreatedLog, cancellationToken);

    /// <summary>Changes a log's output, error or duration (<c>PATCH /logs/{id}</c>) and returns it as it now is.</summary>
    /// <param name="logId">The log id (<c>data_…</c>).</param>
    /// <param name="request">The fields to change; unset fields stay as they are.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Log> UpdateLogAsync(string logId, UpdateLogRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Patch, "logs/" + Segment(logId, nameof(logId)), ToJson(request, WorkflowJsonContext.Default.UpdateLogRequest, nameof(request)),
            WorkflowJsonContext.Default.Log, cancellationToken);

    /// <summary>
    /// Changes the log that was created with <paramref name="referenceId"/> as its <c>reference_id</c>
    /// (<c>PATCH /logs?reference_id=</c>) and returns it as it now is.
    /// </summary>
    /// <param name="referenceId">The caller's own reference the log was created with.</param>
    /// <param name="request">The fields to change; unset fields stay as they are.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Log> UpdateLogByReferenceAsync(string referenceId, UpdateLogRequest request, CancellationToken cancellationToken = default)
    {
        var path = new QueryString().Add("reference_id", RequiredId(referenceId, nameof(referenceId))).AppendTo("logs");
        return SendJsonAsync(HttpMethod.Patch, path, ToJson(request, WorkflowJsonContext.Default.UpdateLogRequest, nameof(request)), WorkflowJsonContext.Default.Log, cancellationToken);
    }

    /// <summary>Deletes logs (<c>DELETE /logs?id=…&amp;id=…</c>).</summary>
    /// <param name="logIds">The log ids (<c>data_…</c>), at least one.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task DeleteLogsAsync(IEnumerable<string> logIds, CancellationToken cancellationToken = default)
    {
        var ids = logIds?.Select(id => RequiredId(id, nameof(logIds))).ToList() ?? throw new ArgumentNullException(nameof(logIds));
        if (ids.Count == 0)
        {
            throw new ArgumentException("Give at least one log id.", nameof(logIds));
        }

        var query = new QueryString();
        foreach (var id in ids)
        {
            query.Add("id", id);
        }

        return SendWithoutResultAsync(HttpMethod.Delete, query.AppendTo("logs"), cancellationToken);
    }

    /// <summary>Records feedback on a log (<c>POST /feedback</c>).</summary>
    /// <param name="request">The log, the feedback type and its value.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Feedback> AddFeedbackAsync(FeedbackRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "feedback", ToJson(request, WorkflowJsonContext.Default.FeedbackRequest, nameof(request)),
            WorkflowJsonContext.Default.Feedback, cancellationToken);
}
