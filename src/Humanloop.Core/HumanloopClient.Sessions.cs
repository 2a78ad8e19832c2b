using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.Json;

namespace Humanloop;

// The Sessions group (API reference §6.7).
public sealed partial class HumanloopClient
{
    /// <summary>Logs read per page while collecting a session's logs.</summary>
    private const int SessionLogPageSize = 100;

    /// <summary>Creates an empty session (<c>POST /sessions</c>) whose id later logs can name.</summary>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<CreatedSession> CreateSessionAsync(CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "sessions", null, WorkflowJsonContext.Default.CreatedSession, cancellationToken);

    /// <summary>Reads one session (<c>GET /sessions/{id}</c>).</summary>
    /// <param name="sessionId">The session id (<c>sesh_…</c>).</param>
    /// <param name="cancellationToken">Stops the request.</param>
    /// <exception cref="HumanloopApiException">404 when there is no such session.</exception>
    public Task<Session> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Get, "sessions/" + Segment(sessionId, nameof(sessionId)), null, WorkflowJsonContext.Default.Session, cancellationToken);

    /// <summary>Reads one page of the sessions that hold logs of a project (<c>GET /sessions</c>).</summary>
    /// <param name="projectId">The project id.</param>
    /// <param name="page">The page number, from 1: the spec counts this operation's pages from 1.</param>
    /// <param name="size">Sessions per page.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Page<Session>> ListSessionsAsync(string projectId, int page, int size, CancellationToken cancellationToken = default)
    {
        if (page < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(page), page, "The pages of sessions are numbered from 1.");
        }

        CheckPaging(page, size);
        var path = new QueryString().Add("project_id", RequiredId(projectId, nameof(projectId))).Add("page", page).Add("size", size).AppendTo("sessions");
        return SendJsonAsync(HttpMethod.Get, path, null, WorkflowJsonContext.Default.PageSession, cancellationToken);
    }

    /// <summary>
    /// Reads every log of a session. The API has no listing by session, so this reads the session
    /// (<c>GET /sessions/{id}</c>), then the logs of each of its projects page by page (<c>GET /logs</c>), and
    /// keeps those whose <c>session_id</c> is the session's. Arrange them with <see cref="SessionTree.Arrange"/>.
    /// </summary>
    /// <param name="sessionId">The session id (<c>sesh_…</c>).</param>
    /// <param name="cancellationToken">Stops the requests.</param>
    /// <exception cref="HumanloopApiException">404 when there is no such session.</exception>
    public async Task<IReadOnlyList<Log>> ListSessionLogsAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        var session = await GetSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
        var logs = new List<Log>();
        foreach (var projectId in session.Projects.Select(project => project.Id).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            var seen = 0;
            for (var number = 0; ; number++)
            {
                var page = await ListLogsAsync(projectId, number, SessionLogPageSize, null, cancellationToken).ConfigureAwait(false);
                logs.AddRange(page.Records.Where(log => string.Equals(log.SessionId, session.Id, StringComparison.Ordinal)));
                seen += page.Records.Count;
                if (page.Records.Count == 0 || seen >= page.Total)
                {
                    break;
                }
            }
        }

        return logs;
    }
}
