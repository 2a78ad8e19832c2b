using System;
using System.Collections.Generic;
using System.Linq;
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

    /// <summary>
    /// Reads the config a project's environment serves (<c>GET /projects/{id}/active-config</c>): the deployed
    /// config, or one sampled from the deployed experiment, with the trial id a self-made log should carry.
    /// </summary>
    /// <param name="projectId">The project id.</param>
    /// <param name="environment">The environment's name; null for the project's default environment.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    /// <exception cref="HumanloopApiException">404 when nothing is deployed there.</exception>
    public Task<ProjectModelConfig> GetActiveModelConfigAsync(string projectId, string? environment = null, CancellationToken cancellationToken = default)
    {
        var path = new QueryString().Add("environment", environment).AppendTo(ProjectPath(projectId) + "/active-config");
        return SendJsonAsync(HttpMethod.Get, path, null, WorkflowJsonContext.Default.ProjectModelConfig, cancellationToken);
    }

    /// <summary>
    /// Stops an environment from serving its deployed config (<c>DELETE /projects/{id}/active-config</c>); a
    /// deployed experiment stays. Returns the project as it now is.
    /// </summary>
    /// <param name="projectId">The project id.</param>
    /// <param name="environment">The environment's name; null for the project's default environment.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Project> DeactivateModelConfigAsync(string projectId, string? environment = null, CancellationToken cancellationToken = default)
    {
        var path = new QueryString().Add("environment", environment).AppendTo(ProjectPath(projectId) + "/active-config");
        return SendJsonAsync(HttpMethod.Delete, path, null, WorkflowJsonContext.Default.Project, cancellationToken);
    }

    /// <summary>
    /// Stops an environment from serving its deployed experiment (<c>DELETE /projects/{id}/active-experiment</c>);
    /// a deployed config stays. Returns the project as it now is.
    /// </summary>
    /// <param name="projectId">The project id.</param>
    /// <param name="environment">The environment's name; null for the project's default environment.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Project> DeactivateExperimentAsync(string projectId, string? environment = null, CancellationToken cancellationToken = default)
    {
        var path = new QueryString().Add("environment", environment).AppendTo(ProjectPath(projectId) + "/active-experiment");
        return SendJsonAsync(HttpMethod.Delete, path, null, WorkflowJsonContext.Default.Project, cancellationToken);
    }

    /// <summary>Adds a feedback type to a project (<c>POST /projects/{id}/feedback-types</c>).</summary>
    /// <param name="projectId">The project id.</param>
    /// <param name="request">The type's name, class and values.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<FeedbackType> CreateFeedbackTypeAsync(string projectId, FeedbackTypeRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, ProjectPath(projectId) + "/feedback-types", ToJson(request, WorkflowJsonContext.Default.FeedbackTypeRequest, nameof(request)),
            WorkflowJsonContext.Default.FeedbackType, cancellationToken);

    /// <summary>
    /// Changes a project's feedback types (<c>PATCH /projects/{id}/feedback-types</c>): values they lack are added,
    /// and the sentiment of those they have is set. Returns the types as the server reports them.
    /// </summary>
    /// <param name="projectId">The project id.</param>
    /// <param name="requests">The types to change, at least one.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public async Task<IReadOnlyList<FeedbackType>> UpdateFeedbackTypesAsync(string projectId, IEnumerable<FeedbackTypeRequest> requests, CancellationToken cancellationToken = default)
    {
        var list = requests?.ToList() ?? throw new ArgumentNullException(nameof(requests));
        if (list.Count == 0)
        {
            throw new ArgumentException("Give at least one feedback type.", nameof(requests));
        }

        return await SendJsonAsync(HttpMethod.Patch, ProjectPath(projectId) + "/feedback-types", ToJson(list, WorkflowJsonContext.Default.ListFeedbackTypeRequest, nameof(requests)),
            WorkflowJsonContext.Default.ListFeedbackType, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads one page of a project's logs for export (<c>POST /projects/{id}/export</c>), newest first, each
    /// with the JSON the server sent.
    /// </summary>
    /// <param name="projectId">The project id.</param>
    /// <param name="page">The page number, from 0.</param>
    /// <param name="size">Logs per page.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Page<ExportedLog>> ExportProjectLogsAsync(string projectId, int page, int size, CancellationToken cancellationToken = default)
    {
        CheckPaging(page, size);
        var path = new QueryString().Add("page", page).Add("size", size).AppendTo(ProjectPath(projectId) + "/export");
        return SendJsonAsync(HttpMethod.Post, path, null, WorkflowJsonContext.Default.PageExportedLog, cancellationToken);
    }
}
