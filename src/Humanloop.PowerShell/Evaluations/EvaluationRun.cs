using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.PowerShell.Checks;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Evaluations;

/// <summary>What Invoke-HumanloopEvaluation was asked to run, read and checked from its parameters.</summary>
internal sealed class EvaluationPlan
{
    public required string ProjectId { get; init; }

    public IReadOnlyList<string> ModelConfigIds { get; init; } = [];

    public IReadOnlyList<string> Environments { get; init; } = [];

    public IReadOnlyList<ModelConfigRequest> InlineConfigs { get; init; } = [];

    public string? DatasetId { get; init; }

    /// <summary>The datapoints of a dataset file, with the name the dataset gets.</summary>
    public (string Name, string Path, IReadOnlyList<DatapointRequest> Datapoints)? DatasetFile { get; init; }

    /// <summary>Server evaluators by id (<c>evfn_…</c>) or name.</summary>
    public IReadOnlyList<string> ServerEvaluators { get; init; } = [];

    public IReadOnlyList<LocalEvaluator> LocalEvaluators { get; init; } = [];

    public int ThrottleLimit { get; init; } = 4;

    public EvaluationThresholds Thresholds { get; init; } = EvaluationThresholds.None;

    /// <summary>Judge the expectations datapoints carry in their target's <c>expect</c> member, as the evaluator <c>expect</c>.</summary>
    public CaseExpectationEvaluator? CaseExpectations { get; init; }
}

/// <summary>What the run needs from the cmdlet that hosts it.</summary>
internal interface IEvaluationHost
{
    /// <summary>The pipeline thread and the client, for checks and script blocks.</summary>
    CheckContext Checks { get; }

    void Warn(string message);

    void Verbose(string message);

    /// <summary>Shows progress; the host decides whether anyone sees it.</summary>
    void Progress(ProgressRecord record);
}

/// <summary>
/// One run of Invoke-HumanloopEvaluation: an evaluation per config over one dataset, whose logs this client
/// generates (throttled) and posts with the local evaluators' results; the server adds its own evaluators'.
/// Cancelling marks the runs cancelled; whatever else stops the run marks them failed. The summaries are
/// read back from the server, so they say what the server stored.
/// </summary>
internal sealed class EvaluationRun(HumanloopClient client, EvaluationPlan plan, IEvaluationHost host)
{
    private const int PageSize = 100;
    /// <summary>The source the run's generations and logs carry.</summary>
    internal const string LogSource = "Invoke-HumanloopEvaluation";

    private readonly List<(EvaluatedConfig Config, Evaluation Evaluation)> _runs = [];
    private readonly List<LocalBinding> _locals = [];

    /// <summary>Runs everything and returns a summary per config and evaluator.</summary>
    /// <exception cref="ArgumentException">A threshold names no evaluator of the run, or an evaluator name is unknown or ambiguous.</exception>
    public async Task<IReadOnlyList<EvaluationSummary>> RunAsync(CancellationToken cancellationToken)
    {
        // Read-only lookups first: a mistake in the parameters stops the run before anything is created.
        var known = await client.ListEvaluatorsAsync(cancellationToken).ConfigureAwait(false);
        var serverEvaluators = plan.ServerEvaluators.Select(reference => Find(known, reference)).DistinctBy(evaluator => evaluator.Id).ToList();
        var names = serverEvaluators.Select(evaluator => evaluator.Name ?? evaluator.Id!).Concat(plan.LocalEvaluators.Select(local => local.Name)).ToList();
        if (plan.CaseExpectations is not null)
        {
            names.Add(CaseExpectationEvaluator.Member);
        }

        if (plan.Thresholds.Unmatched(names) is { Count: > 0 } unmatched)
        {
            throw new ArgumentException($"-Threshold names {string.Join(", ", unmatched.Select(name => $"'{name}'"))}, which match none of the run's evaluators: {string.Join(", ", names.Select(name => $"'{name}'"))}.");
        }

        var configs = await EvaluatedConfig.ResolveAsync(client, plan, cancellationToken).ConfigureAwait(false);
        var datasetId = await DatasetAsync(cancellationToken).ConfigureAwait(false);
        foreach (var local in plan.LocalEvaluators)
        {
            _locals.Add(await LocalBinding.FindAsync(client, local, known, cancellationToken).ConfigureAwait(false));
        }

        var evaluatorIds = serverEvaluators.Select(evaluator => evaluator.Id!).Concat(_locals.Select(local => local.Id).OfType<string>()).ToList();
        foreach (var config in configs)
        {
            var request = new CreateEvaluationRequest { ConfigId = config.Id, DatasetId = datasetId, EvaluatorIds = evaluatorIds, HumanloopGenerated = false };
            var evaluation = await client.CreateEvaluationAsync(plan.ProjectId, request, cancellationToken).ConfigureAwait(false);
            host.Verbose($"Evaluation {evaluation.Id} runs {config.Label} ({config.Id}) over dataset {datasetId}.");
            _runs.Add((config, evaluation));
        }

        try
        {
            var work = await SnapshotsAsync(known, cancellationToken).ConfigureAwait(false);
            await GenerateAndJudgeAsync(work, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await MarkAllAsync(EvaluationStatuses.Cancelled).ConfigureAwait(false);
            throw;
        }
        catch
        {
            await MarkAllAsync(EvaluationStatuses.Failed).ConfigureAwait(false);
            throw;
        }

        await MarkAllAsync(EvaluationStatuses.Completed).ConfigureAwait(false);
        return await SummariesAsync(datasetId, cancellationToken).ConfigureAwait(false);
    }

    private static Evaluator Find(IReadOnlyList<Evaluator> known, string reference)
    {
        if (known.FirstOrDefault(evaluator => evaluator.Id == reference) is { } byId)
        {
            return byId;
        }

        var named = known.Where(evaluator => string.Equals(evaluator.Name, reference, StringComparison.OrdinalIgnoreCase)).ToList();
        return named.Count switch
        {
            1 => named[0],
            0 => throw new ArgumentException($"There is no evaluator with the id or name '{reference}'."),
            _ => throw new ArgumentException($"{named.Count} evaluators are named '{reference}' ({string.Join(", ", named.Select(evaluator => evaluator.Id))}); give the id."),
        };
    }

    private async Task<string> DatasetAsync(CancellationToken cancellationToken)
    {
        if (plan.DatasetId is { } id)
        {
            return (await client.GetDatasetAsync(id, cancellationToken).ConfigureAwait(false)).Id!;
        }

        var (name, path, datapoints) = plan.DatasetFile!.Value;
        return await EvaluationDataset.FindOrCreateAsync(client, plan.ProjectId, name, path, datapoints, host, cancellationToken).ConfigureAwait(false);
    }

    // Each run's own snapshot of the dataset: the datapoints its logs must name. When they carry expectations,
    // the evaluator that judges them joins every run.
    private async Task<List<(int Run, Datapoint Datapoint)>> SnapshotsAsync(IReadOnlyList<Evaluator> known, CancellationToken cancellationToken)
    {
        var work = new List<(int Run, Datapoint Datapoint)>();
        for (var run = 0; run < _runs.Count; run++)
        {
            var datapoints = await ReadAllAsync(_runs[run].Evaluation.Id!, cancellationToken).ConfigureAwait(false);
            work.AddRange(datapoints.Select(record => (run, record.Datapoint!)));
        }

        if (plan.CaseExpectations is { } expectations && CaseExpectationEvaluator.AnyIn(work.Select(item => item.Datapoint)))
        {
            var binding = await LocalBinding.FindAsync(client, expectations, known, cancellationToken).ConfigureAwait(false);
            foreach (var (_, evaluation) in _runs)
            {
                await client.AddEvaluationEvaluatorsAsync(evaluation.Id!, [binding.Id!], cancellationToken).ConfigureAwait(false);
            }

            _locals.Add(binding);
        }

        return work;
    }

    private async Task GenerateAndJudgeAsync(List<(int Run, Datapoint Datapoint)> work, CancellationToken cancellationToken)
    {
        // Datapoint by datapoint across the configs, so a stopped run has judged every config about as far.
        var ordered = work.Select((item, position) => (item, rank: position - work.FindIndex(first => first.Run == item.Run)))
            .OrderBy(entry => entry.rank).ThenBy(entry => entry.item.Run).Select(entry => entry.item).ToList();
        var datapoints = _runs.Count == 0 ? 0 : ordered.Count / _runs.Count;
        var progress = new WorkProgress($"Evaluating {_runs.Count} config(s) over {datapoints} datapoint(s)", DateTime.UtcNow, ordered.Count);
        host.Progress(progress.Record(DateTime.UtcNow));

        var options = new ParallelOptions { MaxDegreeOfParallelism = plan.ThrottleLimit, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(ordered, options, async (item, token) =>
        {
            progress.Begun();
            var succeeded = await ProcessAsync(_runs[item.Run], item.Datapoint, token).ConfigureAwait(false);
            if (progress.Done(succeeded, DateTime.UtcNow) is { } record)
            {
                host.Progress(record);
            }
        }).ConfigureAwait(false);

        host.Progress(progress.Completed());
    }

    /// <summary>Generates, posts and judges one datapoint for one config; false when the datapoint failed.</summary>
    private async Task<bool> ProcessAsync((EvaluatedConfig Config, Evaluation Evaluation) run, Datapoint datapoint, CancellationToken cancellationToken)
    {
        var (config, evaluation) = run;
        IGenerationResult? response = null;
        string? generationError = null;
        var inputs = new Hashtable();
        foreach (DictionaryEntry input in datapoint.Inputs ?? new Hashtable())
        {
            inputs[input.Key] = input.Value;
        }

        try
        {
            response = await config.GenerateAsync(client, plan.ProjectId, datapoint, inputs, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception failed) when (failed is HumanloopException or ArgumentException && !cancellationToken.IsCancellationRequested)
        {
            generationError = failed.Message;
            host.Warn($"{config.Label}, datapoint {datapoint.Id}: the generation failed: {failed.Message}");
        }

        var sample = response?.Samples.FirstOrDefault();
        var chat = sample as ChatData;
        var logRequest = new LogRequest
        {
            ConfigId = config.Id,
            Inputs = inputs,
            Messages = datapoint.Messages.Count > 0 ? datapoint.Messages.ToList() : null,
            Output = sample?.Output,
            OutputMessage = chat?.Message,
            Error = generationError,
            Duration = response?.Duration.TotalSeconds,
            PromptTokens = response?.Usage?.PromptTokens,
            OutputTokens = response?.Usage?.GenerationTokens,
            SourceDatapointId = datapoint.Id,
            Source = LogSource,
        };

        CreatedLog created;
        try
        {
            created = await client.LogEvaluationAsync(evaluation.Id!, new EvaluationLogRequest { DatapointId = datapoint.Id, Log = logRequest }, cancellationToken).ConfigureAwait(false);
        }
        catch (HumanloopException failed) when (!cancellationToken.IsCancellationRequested)
        {
            host.Warn($"{config.Label}, datapoint {datapoint.Id}: the log could not be posted to {evaluation.Id}: {failed.Message}");
            return false;
        }

        if (response is null)
        {
            return false;
        }

        var log = new Log
        {
            Id = created.Id,
            ProjectId = created.ProjectId,
            Inputs = inputs,
            Output = sample?.Output,
            FinishReason = sample?.FinishReason,
            ConfigId = config.Id,
            SourceDatapointId = datapoint.Id,
            Duration = response.Duration.TotalSeconds,
            PromptTokens = response.Usage?.PromptTokens,
            OutputTokens = response.Usage?.GenerationTokens,
        };
        var evaluationCase = new EvaluationCase(datapoint, response, log);
        var succeeded = true;
        foreach (var local in _locals)
        {
            succeeded &= await JudgeAsync(local, evaluationCase, run, cancellationToken).ConfigureAwait(false);
        }

        return succeeded;
    }

    // One local evaluator on one case; its failure is that datapoint's error, reported, and the run goes on.
    private async Task<bool> JudgeAsync(LocalBinding local, EvaluationCase evaluationCase, (EvaluatedConfig Config, Evaluation Evaluation) run, CancellationToken cancellationToken)
    {
        var (config, evaluation) = run;
        object? value = null;
        string? error = null;
        try
        {
            value = await local.Evaluator.JudgeAsync(evaluationCase, host.Checks, cancellationToken).ConfigureAwait(false);
            if (value is null)
            {
                return true;
            }
        }
        catch (Exception failed) when (failed is EvaluatorFailedException or HumanloopException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            error = failed.Message;
        }

        try
        {
            var evaluatorId = await local.IdForAsync(client, value, _runs.Select(run => run.Evaluation.Id!).ToList(), cancellationToken).ConfigureAwait(false);
            var result = new EvaluationResultRequest { LogId = evaluationCase.Log.Id, EvaluatorId = evaluatorId, Result = value, Error = error };
            await client.AddEvaluationResultAsync(evaluation.Id!, result, cancellationToken).ConfigureAwait(false);
        }
        catch (EvaluatorFailedException mismatch)
        {
            error = mismatch.Message;
        }
        catch (HumanloopException failed) when (!cancellationToken.IsCancellationRequested)
        {
            error = $"the result could not be posted: {failed.Message}";
        }

        if (error is not null)
        {
            host.Warn($"{config.Label}, datapoint {evaluationCase.Datapoint.Id}: the evaluator '{local.Evaluator.Name}' failed: {error}");
            return false;
        }

        return true;
    }

    private async Task<List<EvaluationDatapoint>> ReadAllAsync(string evaluationId, CancellationToken cancellationToken)
    {
        var records = new List<EvaluationDatapoint>();
        for (var page = 1; ; page++)
        {
            var batch = await client.ListEvaluationDatapointsAsync(evaluationId, page, PageSize, cancellationToken).ConfigureAwait(false);
            records.AddRange(batch.Records);
            if (batch.Records.Count == 0 || records.Count >= batch.Total)
            {
                return records;
            }
        }
    }

    // The final status is worth setting even after Ctrl+C, so it gets a few seconds of its own.
    private async Task MarkAllAsync(string status)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        foreach (var (_, evaluation) in _runs)
        {
            try
            {
                await client.UpdateEvaluationStatusAsync(evaluation.Id!, status, limit.Token).ConfigureAwait(false);
            }
            catch (Exception failed) when (failed is HumanloopException or OperationCanceledException)
            {
                host.Warn($"Evaluation {evaluation.Id} could not be marked {status}: {failed.Message}");
            }
        }
    }

    private async Task<IReadOnlyList<EvaluationSummary>> SummariesAsync(string datasetId, CancellationToken cancellationToken)
    {
        var history = await client.ListProjectEvaluationsAsync(plan.ProjectId, withAggregates: true, cancellationToken).ConfigureAwait(false);
        var ours = _runs.Select(run => run.Evaluation.Id).ToHashSet();
        var summaries = new List<EvaluationSummary>();
        foreach (var (config, started) in _runs)
        {
            var evaluation = await client.GetEvaluationAsync(started.Id!, withAggregates: false, cancellationToken).ConfigureAwait(false);
            var datapoints = await ReadAllAsync(evaluation.Id!, cancellationToken).ConfigureAwait(false);
            var previous = history
                .Where(run => !ours.Contains(run.Id) && run.Status == EvaluationStatuses.Completed && run.Config?.Id == config.Id && run.Dataset?.Id == datasetId
                    && run.CreatedAt <= started.CreatedAt)
                .OrderByDescending(run => run.CreatedAt)
                .FirstOrDefault();
            foreach (var evaluator in OrderedEvaluators(evaluation))
            {
                summaries.Add(Summarize(config, evaluation, evaluator, datapoints, previous));
            }
        }

        return summaries;
    }

    // Server evaluators as given, then the local ones: -Expect, -LocalEvaluator, the datapoints' own expectations.
    private IEnumerable<Evaluator> OrderedEvaluators(Evaluation evaluation)
    {
        var local = _locals.Select(binding => binding.Id).OfType<string>().ToList();
        return evaluation.Evaluators.Where(evaluator => !local.Contains(evaluator.Id!))
            .Concat(local.Select(id => evaluation.Evaluators.FirstOrDefault(evaluator => evaluator.Id == id)).OfType<Evaluator>());
    }

    private EvaluationSummary Summarize(EvaluatedConfig config, Evaluation evaluation, Evaluator evaluator, IReadOnlyList<EvaluationDatapoint> datapoints, Evaluation? previous)
    {
        var values = new List<object?>();
        var errors = new List<string>();
        foreach (var record in datapoints)
        {
            var result = record.EvaluationResults.FirstOrDefault(candidate => candidate.EvaluatorId == evaluator.Id);
            if (result?.Error is { } error)
            {
                errors.Add(error);
            }
            else if (result is not null && EvaluationScore.IsResultValue(result.Value))
            {
                values.Add(result.Value);
            }
            else if (record.Log?.Error is { } generationError)
            {
                errors.Add("generation failed: " + generationError);
            }
            else if (record.Log is null)
            {
                errors.Add("no log was generated");
            }
        }

        var name = evaluator.Name ?? evaluator.Id!;
        var before = previous?.EvaluatorAggregates?.FirstOrDefault(aggregate => aggregate.EvaluatorId == evaluator.Id)?.AggregateValue;
        var score = EvaluationScore.Of(values);
        var threshold = plan.Thresholds.For(name);
        return new EvaluationSummary
        {
            EvaluationId = evaluation.Id!,
            ProjectId = plan.ProjectId,
            ConfigId = config.Id,
            Config = config.Label,
            DatasetId = evaluation.Dataset?.Id ?? string.Empty,
            Evaluator = name,
            EvaluatorId = evaluator.Id!,
            Source = _locals.Any(local => local.Id == evaluator.Id) ? "local" : evaluator.Type ?? "server",
            Score = score,
            Count = values.Count,
            Errors = errors.Count,
            Datapoints = datapoints.Count,
            Threshold = threshold,
            Passed = EvaluationThresholds.Meets(score, threshold),
            Previous = before,
            PreviousEvaluationId = before is null ? null : previous!.Id,
            ErrorMessages = errors.Distinct().Take(3).ToList(),
            Status = evaluation.Status ?? string.Empty,
        };
    }
}
