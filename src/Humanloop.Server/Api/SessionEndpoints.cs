using Humanloop.Server.Http;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Api;

/// <summary>The Sessions group: sessions group logs (of any project) that callers mark as one conversation or run.</summary>
internal static class SessionEndpoints
{
    public static void MapSessionEndpoints(this IEndpointRouteBuilder v4)
    {
        v4.MapGet("/sessions", (HttpContext context, ProjectStore projects, SessionStore sessions, ResponseBuilder responses) =>
        {
            // This list pages from 1, as the spec says (most others page from 0).
            var query = new QueryReader(context, new ValidationErrors());
            var projectId = query.String("project_id", required: true);
            var page = query.Int("page", 1, minimum: 1);
            var size = query.PageSize(10);
            query.Errors.ThrowIfAny();

            var project = projects.GetRequired(projectId!);
            var (items, total) = sessions.ListForProject(project.Id, page, size);
            return WireResults.Json(new PageResponse<SessionResponse>(items.Select(ResponseBuilder.Session).ToList(), page, size, total));
        });

        // The spec's request has no body: one that is sent is ignored. The session belongs to no project until logs name it.
        v4.MapPost("/sessions", (SessionStore sessions) =>
            WireResults.Json(new CreateSessionResponse(sessions.Create().Id), StatusCodes.Status201Created));

        v4.MapGet("/sessions/{id}", (string id, SessionStore sessions) =>
            WireResults.Json(ResponseBuilder.Session(sessions.Summary(sessions.GetRequired(id)))));
    }
}
