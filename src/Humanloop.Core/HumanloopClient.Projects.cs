using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.Json;

namespace Humanloop;

// The Projects group (API reference §6.5).
public sealed partial class HumanloopClient
{
    /// <summary>Creates a project (<c>POST /projects</c>).</summary>
    /// <param name="request">The new project's name and directory.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Project> CreateProjectAsync(CreateProjectRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "projects", ToJson(request, WorkflowJsonContext.Default.CreateProjectRequest, nameof(request)), WorkflowJsonContext.Default.Project, cancellationToken);

    /// <summary>Reads one project (<c>GET /projects/{id}</c>).</summary>
    /// <param name="projectId">The project id (<c>pr_…</c>).</param>
    /// <param name="cancellationToken">Stops the request.</param>
    /// <exception cref="HumanloopApiException">404 when there is no such project.</exception>
    public Task<Project> GetProjectAsync(string projectId, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Get, "projects/" + Segment(projectId, nameof(projectId)), null, WorkflowJsonContext.Default.Project, cancellationToken);

    /// <summary>Reads one page of the team's projects (<c>GET /projects</c>), newest first.</summary>
    /// <param name="page">The page number, from 0.</param>
    /// <param name="size">Projects per page.</param>
    /// <param name="nameFilter">Text the project names must contain (case-insensitive); null for all.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Page<Project>> ListProjectsAsync(int page, int size, string? nameFilter = null, CancellationToken cancellationToken = default)
    {
        CheckPaging(page, size);
        var path = new QueryString().Add("page", page).Add("size", size).Add("filter", nameFilter).AppendTo("projects");
        return SendJsonAsync(HttpMethod.Get, path, null, WorkflowJsonContext.Default.PageProject, cancellationToken);
    }

    /// <summary>Changes a project (<c>PATCH /projects/{id}</c>) and returns it as it now is.</summary>
    /// <param name="projectId">The project id.</param>
    /// <param name="request">The fields to change; unset fields stay as they are.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Project> UpdateProjectAsync(string projectId, UpdateProjectRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Patch, "projects/" + Segment(projectId, nameof(projectId)), ToJson(request, WorkflowJsonContext.Default.UpdateProjectRequest, nameof(request)),
            WorkflowJsonContext.Default.Project, cancellationToken);

    /// <summary>Deletes a project with everything in it (<c>DELETE /projects/{id}</c>).</summary>
    /// <param name="projectId">The project id.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task DeleteProjectAsync(string projectId, CancellationToken cancellationToken = default) =>
        SendWithoutResultAsync(HttpMethod.Delete, "projects/" + Segment(projectId, nameof(projectId)), cancellationToken);
}
