using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.Json;

namespace Humanloop;

// The Logs group (read side, API reference §6.3) and feedback on logs (§6.4).
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

    /// <summary>Records feedback on a log (<c>POST /feedback</c>).</summary>
    /// <param name="request">The log, the feedback type and its value.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Feedback> AddFeedbackAsync(FeedbackRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "feedback", ToJson(request, WorkflowJsonContext.Default.FeedbackRequest, nameof(request)),
            WorkflowJsonContext.Default.Feedback, cancellationToken);
}
