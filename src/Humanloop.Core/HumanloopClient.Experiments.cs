using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.Json;

namespace Humanloop;

// The Experiments group (API reference §6.1; present in the 2024-07-12 spec, removed later).
public sealed partial class HumanloopClient
{
    /// <summary>Adds an experiment to a project (<c>POST /projects/{id}/experiments</c>).</summary>
    /// <param name="projectId">The project id.</param>
    /// <param name="request">The experiment; when it has no positive labels an empty list is sent, as the spec requires the field.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Experiment> CreateExperimentAsync(string projectId, CreateExperimentRequest request, CancellationToken cancellationToken = default)
    {
        if (request is null)
        {
            throw new System.ArgumentNullException(nameof(request));
        }

        request.PositiveLabels ??= [];

        return SendJsonAsync(HttpMethod.Post, "projects/" + Segment(projectId, nameof(projectId)) + "/experiments",
            ToJson(request, WorkflowJsonContext.Default.CreateExperimentRequest, nameof(request)), WorkflowJsonContext.Default.Experiment, cancellationToken);
    }

    /// <summary>Reads every experiment of a project (<c>GET /projects/{id}/experiments</c>).</summary>
    /// <param name="projectId">The project id.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public async Task<IReadOnlyList<Experiment>> ListExperimentsAsync(string projectId, CancellationToken cancellationToken = default) =>
        await SendJsonAsync(HttpMethod.Get, "projects/" + Segment(projectId, nameof(projectId)) + "/experiments", null,
            WorkflowJsonContext.Default.ListExperiment, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Reads one experiment (<c>GET /experiments/{id}</c>). The hosted v4 API had no such route (list the
    /// project's experiments instead); the local server offers it.
    /// </summary>
    /// <param name="experimentId">The experiment id (<c>exp_…</c>).</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Get, "experiments/" + Segment(experimentId, nameof(experimentId)), null, WorkflowJsonContext.Default.Experiment, cancellationToken);

    /// <summary>Changes an experiment (<c>PATCH /experiments/{id}</c>) and returns it as it now is.</summary>
    /// <param name="experimentId">The experiment id.</param>
    /// <param name="request">The fields to change.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Experiment> UpdateExperimentAsync(string experimentId, UpdateExperimentRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Patch, "experiments/" + Segment(experimentId, nameof(experimentId)), ToJson(request, WorkflowJsonContext.Default.UpdateExperimentRequest, nameof(request)),
            WorkflowJsonContext.Default.Experiment, cancellationToken);

    /// <summary>Deletes an experiment (<c>DELETE /experiments/{id}</c>); its logs stay.</summary>
    /// <param name="experimentId">The experiment id.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task DeleteExperimentAsync(string experimentId, CancellationToken cancellationToken = default) =>
        SendWithoutResultAsync(HttpMethod.Delete, "experiments/" + Segment(experimentId, nameof(experimentId)), cancellationToken);

    /// <summary>
    /// Samples one of an experiment's active configs (<c>GET /experiments/{id}/model-config</c>); the result
    /// carries the trial id to log against.
    /// </summary>
    /// <param name="experimentId">The experiment id.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<ProjectModelConfig> SampleModelConfigAsync(string experimentId, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Get, "experiments/" + Segment(experimentId, nameof(experimentId)) + "/model-config", null,
            WorkflowJsonContext.Default.ProjectModelConfig, cancellationToken);
}
