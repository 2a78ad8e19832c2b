using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.Json;

namespace Humanloop;

// Deployments of configs and experiments to a project's environments (API reference §6.5).
public sealed partial class HumanloopClient
{
    /// <summary>
    /// Deploys a config or an experiment to environments of a project (<c>PATCH /projects/{id}/deploy-config</c>)
    /// and returns the resulting deployment of each environment.
    /// </summary>
    /// <param name="projectId">The project id.</param>
    /// <param name="request">What to deploy, and where.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public async Task<IReadOnlyList<Deployment>> DeployAsync(string projectId, DeployRequest request, CancellationToken cancellationToken = default) =>
        await SendJsonAsync(HttpMethod.Patch, "projects/" + Segment(projectId, nameof(projectId)) + "/deploy-config",
            ToJson(request, WorkflowJsonContext.Default.DeployRequest, nameof(request)), WorkflowJsonContext.Default.ListDeployment, cancellationToken).ConfigureAwait(false);

    /// <summary>Reads what each environment of a project serves (<c>GET /projects/{id}/deployed-configs</c>).</summary>
    /// <param name="projectId">The project id.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public async Task<IReadOnlyList<Deployment>> ListDeploymentsAsync(string projectId, CancellationToken cancellationToken = default) =>
        await SendJsonAsync(HttpMethod.Get, "projects/" + Segment(projectId, nameof(projectId)) + "/deployed-configs", null,
            WorkflowJsonContext.Default.ListDeployment, cancellationToken).ConfigureAwait(false);

    /// <summary>Removes whatever an environment of a project serves (<c>DELETE /projects/{id}/deployed-config/{environment_id}</c>).</summary>
    /// <param name="projectId">The project id.</param>
    /// <param name="environmentId">The environment id (<c>env_…</c>).</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task RemoveDeploymentAsync(string projectId, string environmentId, CancellationToken cancellationToken = default) =>
        SendWithoutResultAsync(HttpMethod.Delete,
            "projects/" + Segment(projectId, nameof(projectId)) + "/deployed-config/" + Segment(environmentId, nameof(environmentId)), cancellationToken);
}
