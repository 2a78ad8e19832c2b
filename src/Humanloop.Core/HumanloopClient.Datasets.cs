using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.Json;

namespace Humanloop;

// The Datasets and Datapoints groups (2024-07-12 spec).
public sealed partial class HumanloopClient
{
    /// <summary>Creates a dataset in a project (<c>POST /projects/{id}/datasets</c>).</summary>
    /// <param name="projectId">The project id.</param>
    /// <param name="request">The name and description; an empty description is sent when none is given, as the spec requires the field.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Dataset> CreateDatasetAsync(string projectId, DatasetRequest request, CancellationToken cancellationToken = default)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        var body = new DatasetRequest { Name = request.Name, Description = request.Description ?? string.Empty };
        return SendJsonAsync(HttpMethod.Post, ProjectPath(projectId) + "/datasets", ToJson(body, WorkflowJsonContext.Default.DatasetRequest, nameof(request)),
            WorkflowJsonContext.Default.Dataset, cancellationToken);
    }

    /// <summary>Reads a project's datasets (<c>GET /projects/{id}/datasets</c>).</summary>
    /// <param name="projectId">The project id.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public async Task<IReadOnlyList<Dataset>> ListDatasetsAsync(string projectId, CancellationToken cancellationToken = default) =>
        await SendJsonAsync(HttpMethod.Get, ProjectPath(projectId) + "/datasets", null, WorkflowJsonContext.Default.ListDataset, cancellationToken).ConfigureAwait(false);

    /// <summary>Reads every dataset of the team (<c>GET /datasets</c>).</summary>
    /// <param name="cancellationToken">Stops the request.</param>
    public async Task<IReadOnlyList<Dataset>> ListAllDatasetsAsync(CancellationToken cancellationToken = default) =>
        await SendJsonAsync(HttpMethod.Get, "datasets", null, WorkflowJsonContext.Default.ListDataset, cancellationToken).ConfigureAwait(false);

    /// <summary>Reads one dataset (<c>GET /datasets/{id}</c>).</summary>
    /// <param name="datasetId">The dataset id (<c>evts_…</c>).</param>
    /// <param name="cancellationToken">Stops the request.</param>
    /// <exception cref="HumanloopApiException">404 when there is no such dataset.</exception>
    public Task<Dataset> GetDatasetAsync(string datasetId, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Get, DatasetPath(datasetId), null, WorkflowJsonContext.Default.Dataset, cancellationToken);

    /// <summary>Changes a dataset's name or description (<c>PATCH /datasets/{id}</c>).</summary>
    /// <param name="datasetId">The dataset id.</param>
    /// <param name="request">The fields to change; unset fields stay as they are.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Dataset> UpdateDatasetAsync(string datasetId, DatasetRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Patch, DatasetPath(datasetId), ToJson(request, WorkflowJsonContext.Default.DatasetRequest, nameof(request)),
            WorkflowJsonContext.Default.Dataset, cancellationToken);

    /// <summary>Deletes a dataset with its datapoints (<c>DELETE /datasets/{id}</c>).</summary>
    /// <param name="datasetId">The dataset id.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task DeleteDatasetAsync(string datasetId, CancellationToken cancellationToken = default) =>
        SendWithoutResultAsync(HttpMethod.Delete, DatasetPath(datasetId), cancellationToken);

    /// <summary>Adds datapoints to a dataset in one request (<c>POST /datasets/{id}/datapoints</c> with an array).</summary>
    /// <param name="datasetId">The dataset id.</param>
    /// <param name="datapoints">The datapoints, at least one.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    /// <returns>The datapoints as created, in the order given.</returns>
    public async Task<IReadOnlyList<Datapoint>> AddDatapointsAsync(string datasetId, IEnumerable<DatapointRequest> datapoints, CancellationToken cancellationToken = default)
    {
        var list = datapoints?.ToList() ?? throw new ArgumentNullException(nameof(datapoints));
        if (list.Count == 0 || list.Any(item => item is null))
        {
            throw new ArgumentException("Give at least one datapoint, and no null ones.", nameof(datapoints));
        }

        return await SendJsonAsync(HttpMethod.Post, DatasetPath(datasetId) + "/datapoints", ToJson(list, WorkflowJsonContext.Default.ListDatapointRequest, nameof(datapoints)),
            WorkflowJsonContext.Default.ListDatapoint, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds a datapoint per log: its inputs, messages and output (<c>POST /datasets/{id}/datapoints</c> with <c>log_ids</c>).</summary>
    /// <param name="datasetId">The dataset id.</param>
    /// <param name="logIds">The logs (<c>data_…</c>).</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public async Task<IReadOnlyList<Datapoint>> AddDatapointsFromLogsAsync(string datasetId, IEnumerable<string> logIds, CancellationToken cancellationToken = default)
    {
        var request = new DatapointsFromLogsRequest { LogIds = logIds?.ToList() ?? throw new ArgumentNullException(nameof(logIds)) };
        return await SendJsonAsync(HttpMethod.Post, DatasetPath(datasetId) + "/datapoints", ToJson(request, WorkflowJsonContext.Default.DatapointsFromLogsRequest, nameof(logIds)),
            WorkflowJsonContext.Default.ListDatapoint, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one page of a dataset's datapoints (<c>GET /datasets/{id}/datapoints</c>).</summary>
    /// <param name="datasetId">The dataset id.</param>
    /// <param name="page">The page number, from 0.</param>
    /// <param name="size">Datapoints per page.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Page<Datapoint>> ListDatapointsAsync(string datasetId, int page, int size, CancellationToken cancellationToken = default)
    {
        CheckPaging(page, size);
        var path = new QueryString().Add("page", page).Add("size", size).AppendTo(DatasetPath(datasetId) + "/datapoints");
        return SendJsonAsync(HttpMethod.Get, path, null, WorkflowJsonContext.Default.PageDatapoint, cancellationToken);
    }

    /// <summary>Reads one datapoint (<c>GET /datapoints/{id}</c>).</summary>
    /// <param name="datapointId">The datapoint id.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    /// <exception cref="HumanloopApiException">404 when there is no such datapoint.</exception>
    public Task<Datapoint> GetDatapointAsync(string datapointId, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Get, "datapoints/" + Segment(datapointId, nameof(datapointId)), null, WorkflowJsonContext.Default.Datapoint, cancellationToken);

    /// <summary>
    /// Changes a datapoint (<c>PATCH /datapoints/{id}</c>). The spec declares no body for this operation; the
    /// body is the official SDKs' <c>UpdateDatapointRequest</c> (inputs, messages, target).
    /// </summary>
    /// <param name="datapointId">The datapoint id.</param>
    /// <param name="request">The fields to change; unset fields stay as they are.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Datapoint> UpdateDatapointAsync(string datapointId, DatapointRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Patch, "datapoints/" + Segment(datapointId, nameof(datapointId)), ToJson(request, WorkflowJsonContext.Default.DatapointRequest, nameof(request)),
            WorkflowJsonContext.Default.Datapoint, cancellationToken);

    /// <summary>
    /// Deletes datapoints (<c>DELETE /datapoints</c>). The spec declares no parameters; the ids travel as the
    /// JSON array body the official SDKs send.
    /// </summary>
    /// <param name="datapointIds">The datapoint ids, at least one.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task DeleteDatapointsAsync(IEnumerable<string> datapointIds, CancellationToken cancellationToken = default)
    {
        var ids = datapointIds?.Select(id => RequiredId(id, nameof(datapointIds))).ToList() ?? throw new ArgumentNullException(nameof(datapointIds));
        if (ids.Count == 0)
        {
            throw new ArgumentException("Give at least one datapoint id.", nameof(datapointIds));
        }

        return SendWithoutResultAsync(HttpMethod.Delete, "datapoints", cancellationToken, ToJson(ids, WorkflowJsonContext.Default.ListString, nameof(datapointIds)));
    }

    private static string ProjectPath(string projectId) => "projects/" + Segment(projectId, nameof(projectId));

    private static string DatasetPath(string datasetId) => "datasets/" + Segment(datasetId, nameof(datasetId));
}
