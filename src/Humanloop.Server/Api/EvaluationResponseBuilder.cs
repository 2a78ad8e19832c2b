using System.Text.Json;
using System.Text.Json.Nodes;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Api;

/// <summary>Turns evaluations, their snapshot datapoints and their results into v4 responses.</summary>
internal sealed class EvaluationResponseBuilder(
    ModelConfigStore configs,
    DatasetStore datasets,
    EvaluatorStore evaluators,
    EvaluationStore evaluations,
    LogStore logs,
    ResponseBuilder responses)
{
    /// <summary>
    /// The evaluation. <c>dataset</c> is the dataset as it is now (its snapshot when it was deleted since),
    /// <c>dataset_snapshot</c> as it was when the evaluation was created. Evaluators deleted since are left out.
    /// </summary>
    public EvaluationResponse Evaluation(EvaluationRecord evaluation, bool withAggregates)
    {
        var members = Evaluators(evaluation);
        var snapshot = DatasetEndpoints.Dataset(evaluation.DatasetSnapshot);
        var dataset = datasets.Get(evaluation.DatasetId) is { } current ? DatasetEndpoints.Dataset(current) : snapshot;
        return new EvaluationResponse(
            evaluation.Id,
            evaluation.Status,
            ResponseBuilder.ModelConfig(configs.GetRequired(evaluation.ConfigId)),
            evaluation.CreatedAt,
            evaluation.UpdatedAt,
            members.Select(EvaluatorEndpoints.Evaluator).ToList(),
            dataset,
            evaluation.DatasetVersionId,
            snapshot,
            withAggregates ? Aggregates(evaluation, members) : null,
            null,
            evaluation.StatusReason);
    }

    /// <summary>One page of the snapshot: each datapoint with its latest log (if any) and that log's results.</summary>
    public PageResponse<EvaluationDatapointSnapshotResponse> Datapoints(EvaluationRecord evaluation, int page, int size)
    {
        var (items, total) = evaluations.Datapoints(evaluation.Id, (page - 1) * size, size);
        var latest = logs.LatestForEvaluation(evaluation.Id);
        var shown = items.Select(d => latest.GetValueOrDefault(d.Id)).OfType<LogRecord>().ToList();
        var results = evaluations.Results(shown.Select(l => l.Id).ToList()).ToLookup(r => r.LogId);
        var records = items.Select(datapoint =>
        {
            var log = latest.GetValueOrDefault(datapoint.Id);
            return new EvaluationDatapointSnapshotResponse(
                DatasetEndpoints.Datapoint(datapoint),
                log is null ? null : responses.Log(log),
                log is null ? [] : results[log.Id].Select(Result).ToList());
        }).ToList();
        return new PageResponse<EvaluationDatapointSnapshotResponse>(records, page, size, total);
    }

    /// <summary>A result, with the log of the call that judged it when there was one.</summary>
    public EvaluationResultResponse Result(EvaluationResultRecord result) =>
        ResponseBuilder.EvaluationResult(result, result.JudgeLogId is { } judgeLogId && logs.Get(judgeLogId) is { } judgeLog ? responses.Log(judgeLog) : null);

    private List<EvaluatorRecord> Evaluators(EvaluationRecord evaluation) =>
        evaluations.EvaluatorIds(evaluation.Id).Select(evaluators.Get).OfType<EvaluatorRecord>().ToList();

    /// <summary>
    /// One aggregate per evaluator, over the results without an error on each datapoint's latest log: the share of
    /// true results for a boolean evaluator, the mean for a number evaluator; null when there is none.
    /// </summary>
    private List<ModelConfigEvaluatorAggregateResponse> Aggregates(EvaluationRecord evaluation, List<EvaluatorRecord> members)
    {
        var latest = logs.LatestForEvaluation(evaluation.Id).Values.Select(l => l.Id).ToList();
        var results = evaluations.Results(latest).Where(r => r.Error is null && r.Value is JsonValue).ToLookup(r => r.EvaluatorId);
        return members.Select(evaluator =>
        {
            var values = results[evaluator.Id].Select(r => r.Value!.GetValueKind() switch
            {
                JsonValueKind.True => 1.0,
                JsonValueKind.False => 0.0,
                JsonValueKind.Number when evaluator.ReturnType == "number" => r.Value!.GetValue<double>(),
                _ => (double?)null,
            }).OfType<double>().ToList();
            return new ModelConfigEvaluatorAggregateResponse(evaluation.ConfigId, evaluator.Id, evaluator.Id, values.Count == 0 ? null : values.Average());
        }).ToList();
    }
}
