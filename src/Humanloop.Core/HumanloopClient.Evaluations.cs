using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.Json;

namespace Humanloop;

// The Evaluations group (2024-07-12 spec).
public sealed partial class HumanloopClient
{
    /// <summary>Creates an evaluation run (<c>POST /projects/{id}/evaluations</c>).</summary>
    /// <param name="projectId">The project id.</param>
    /// <param name="request">The config, the dataset, the evaluators, and who generates the logs.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Evaluation> CreateEvaluationAsync(string projectId, CreateEvaluationRequest request, CancellationToken cancellationToken = default)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        // The spec requires the list; an empty one is a run scored by nothing yet (evaluators can be added later).
        var body = new CreateEvaluationRequest
        {
            ConfigId = request.ConfigId,
            DatasetId = request.DatasetId,
            EvaluatorIds = request.EvaluatorIds ?? [],
            HumanloopGenerated = request.HumanloopGenerated,
        };
        return SendJsonAsync(HttpMethod.Post, ProjectPath(projectId) + "/evaluations", ToJson(body, WorkflowJsonContext.Default.CreateEvaluationRequest, nameof(request)),
            WorkflowJsonContext.Default.Evaluation, cancellationToken);
    }

    /// <summary>Reads one page of a project's evaluation runs (<c>GET /evaluations</c>).</summary>
    /// <param name="projectId">The project id.</param>
    /// <param name="page">The page number, from 0.</param>
    /// <param name="size">Runs per page.</param>
    /// <param name="filter">Run ids and a time range; null for every run.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Page<Evaluation>> ListEvaluationsAsync(string projectId, int page, int size, EvaluationFilter? filter = null, CancellationToken cancellationToken = default)
    {
        CheckPaging(page, size);
        var query = new QueryString().Add("project_id", RequiredId(projectId, nameof(projectId)));
        foreach (var id in filter?.Ids ?? [])
        {
            query.Add("id", RequiredId(id, nameof(filter)));
        }

        var path = query
            .Add("start_date", filter?.Since)
            .Add("end_date", filter?.Until)
            .Add("page", page)
            .Add("size", size)
            .AppendTo("evaluations");
        return SendJsonAsync(HttpMethod.Get, path, null, WorkflowJsonContext.Default.PageEvaluation, cancellationToken);
    }

    /// <summary>Reads every evaluation run of a project (<c>GET /projects/{id}/evaluations</c>).</summary>
    /// <param name="projectId">The project id.</param>
    /// <param name="withAggregates">Include each run's per-evaluator scores.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public async Task<IReadOnlyList<Evaluation>> ListProjectEvaluationsAsync(string projectId, bool withAggregates = false, CancellationToken cancellationToken = default)
    {
        var path = new QueryString().Add("evaluator_aggregates", withAggregates ? "true" : null).AppendTo(ProjectPath(projectId) + "/evaluations");
        return await SendJsonAsync(HttpMethod.Get, path, null, WorkflowJsonContext.Default.ListEvaluation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one evaluation run (<c>GET /evaluations/{id}</c>).</summary>
    /// <param name="evaluationId">The run id (<c>ev_…</c>).</param>
    /// <param name="withAggregates">Include the per-evaluator scores.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    /// <exception cref="HumanloopApiException">404 when there is no such run.</exception>
    public Task<Evaluation> GetEvaluationAsync(string evaluationId, bool withAggregates = false, CancellationToken cancellationToken = default)
    {
        var path = new QueryString().Add("evaluator_aggregates", withAggregates ? "true" : null).AppendTo(EvaluationPath(evaluationId));
        return SendJsonAsync(HttpMethod.Get, path, null, WorkflowJsonContext.Default.Evaluation, cancellationToken);
    }

    /// <summary>Reads one page of a run's datapoints with their logs and results (<c>GET /evaluations/{id}/datapoints</c>).</summary>
    /// <param name="evaluationId">The run id.</param>
    /// <param name="page">The page number, from 1: this operation alone counts pages from 1 in the spec.</param>
    /// <param name="size">Datapoints per page.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Page<EvaluationDatapoint>> ListEvaluationDatapointsAsync(string evaluationId, int page, int size, CancellationToken cancellationToken = default)
    {
        if (page < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(page), page, "The pages of a run's datapoints are numbered from 1.");
        }

        CheckPaging(page, size);
        var path = new QueryString().Add("page", page).Add("size", size).AppendTo(EvaluationPath(evaluationId) + "/datapoints");
        return SendJsonAsync(HttpMethod.Get, path, null, WorkflowJsonContext.Default.PageEvaluationDatapoint, cancellationToken);
    }

    /// <summary>Sets a run's status (<c>PATCH /evaluations/{id}/status</c>); <c>cancelled</c> stops a run the server is executing.</summary>
    /// <param name="evaluationId">The run id.</param>
    /// <param name="status">The new status (see <see cref="EvaluationStatuses"/>).</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Evaluation> UpdateEvaluationStatusAsync(string evaluationId, string status, CancellationToken cancellationToken = default)
    {
        if (!EvaluationStatuses.All.Contains(status))
        {
            throw new ArgumentException($"'{status}' is not an evaluation status; use one of {string.Join(", ", EvaluationStatuses.All)}.", nameof(status));
        }

        var body = new UpdateEvaluationStatusRequest { Status = status };
        return SendJsonAsync(HttpMethod.Patch, EvaluationPath(evaluationId) + "/status", ToJson(body, WorkflowJsonContext.Default.UpdateEvaluationStatusRequest, nameof(status)),
            WorkflowJsonContext.Default.Evaluation, cancellationToken);
    }

    /// <summary>Adds evaluators to a run (<c>PATCH /evaluations/{id}/evaluators</c>).</summary>
    /// <param name="evaluationId">The run id.</param>
    /// <param name="evaluatorIds">The evaluators (<c>evfn_…</c>), at least one.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Evaluation> AddEvaluationEvaluatorsAsync(string evaluationId, IEnumerable<string> evaluatorIds, CancellationToken cancellationToken = default)
    {
        var ids = evaluatorIds?.Select(id => RequiredId(id, nameof(evaluatorIds))).ToList() ?? throw new ArgumentNullException(nameof(evaluatorIds));
        if (ids.Count == 0)
        {
            throw new ArgumentException("Give at least one evaluator id.", nameof(evaluatorIds));
        }

        var body = new AddEvaluatorsRequest { EvaluatorIds = ids };
        return SendJsonAsync(HttpMethod.Patch, EvaluationPath(evaluationId) + "/evaluators", ToJson(body, WorkflowJsonContext.Default.AddEvaluatorsRequest, nameof(evaluatorIds)),
            WorkflowJsonContext.Default.Evaluation, cancellationToken);
    }

    /// <summary>Posts the log the client generated for one datapoint of a run (<c>POST /evaluations/{id}/log</c>).</summary>
    /// <param name="evaluationId">The run id.</param>
    /// <param name="request">The datapoint and the log.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<CreatedLog> LogEvaluationAsync(string evaluationId, EvaluationLogRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, EvaluationPath(evaluationId) + "/log", ToJson(request, WorkflowJsonContext.Default.EvaluationLogRequest, nameof(request)),
            WorkflowJsonContext.Default.CreatedLog, cancellationToken);

    /// <summary>Posts one evaluator's result on one log of a run (<c>POST /evaluations/{id}/result</c>).</summary>
    /// <param name="evaluationId">The run id.</param>
    /// <param name="request">The log, the evaluator, and the value or the error.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<EvaluationResult> AddEvaluationResultAsync(string evaluationId, EvaluationResultRequest request, CancellationToken cancellationToken = default)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        if (request.Result is not (null or bool or int or long or double or float or decimal))
        {
            throw new ArgumentException($"A result is a boolean or a number, not {request.Result.GetType().Name}.", nameof(request));
        }

        return SendJsonAsync(HttpMethod.Post, EvaluationPath(evaluationId) + "/result", ToJson(request, WorkflowJsonContext.Default.EvaluationResultRequest, nameof(request)),
            WorkflowJsonContext.Default.EvaluationResult, cancellationToken);
    }

    private static string EvaluationPath(string evaluationId) => "evaluations/" + Segment(evaluationId, nameof(evaluationId));
}
