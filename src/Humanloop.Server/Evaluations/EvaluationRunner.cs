using System.Collections.Concurrent;
using System.Threading.Channels;
using Humanloop.Server.Domain;
using Humanloop.Server.Generation;
using Humanloop.Server.Providers;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Evaluations;

/// <summary>
/// Runs server-generated evaluations (<c>hl_generated</c>) in the background: a channel of runs read by this hosted
/// service, each run on its own (one run's failure never touches another), at most <see cref="DatapointsInFlight"/>
/// datapoints in flight across all runs. A run moves its evaluation from pending to running, generates a log for
/// every snapshot datapoint through the generation pipeline (a failed generation is a log with its error), scores each
/// log with the evaluation's evaluators, and ends completed; or failed when it cannot proceed. Its writes happen only
/// while the evaluation is pending or running, so once a client cancels it nothing more is written; the client's
/// status change also cancels the run's token, which stops provider calls promptly. Stopping the server cancels every
/// run; the next start marks what was left pending or running as failed.
/// <para>
/// Replicas on one PostgreSQL database: a run happens in the replica that received its request (it alone holds the
/// request's provider keys), so it runs once. Its evaluation carries a lease that this runner renews while the run is
/// in flight; a replica's start, and every replica's periodic sweep, fail only runs whose lease lapsed (their replica
/// stopped), never a run another live replica is doing. A client's cancel through another replica stops this run at
/// its next write, which the status refuses.
/// </para>
/// </summary>
internal sealed class EvaluationRunner(
    EvaluationStore evaluations,
    ModelConfigStore configs,
    LogStore logs,
    ProviderCatalog providers,
    GenerationPlanner planner,
    GenerationRunner generations,
    GenerationLogWriter logWriter,
    EvaluationScorer scorer,
    Database database,
    ILogger<EvaluationRunner> logger) : BackgroundService
{
    public const int DatapointsInFlight = 4;

    /// <summary>The reason a run left pending or running by a stopped server is failed with at the next start.</summary>
    public const string InterruptedReason = "interrupted: the server stopped before the run finished";

    private static readonly CompletionKind Completion = new();
    private static readonly ChatKind Chat = new();

    private readonly Channel<Run> _queue = Channel.CreateUnbounded<Run>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, Run> _runs = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots = new(DatapointsInFlight, DatapointsInFlight);

    /// <summary>Queues the run of a new server-generated evaluation. The keys live only as long as the run.</summary>
    public void Start(string evaluationId, ProviderKeys keys)
    {
        var run = new Run(evaluationId, keys);
        _runs[evaluationId] = run;
        if (!_queue.Writer.TryWrite(run))
        {
            // The server is stopping: the run never starts, and the next start marks the evaluation failed.
            run.Finish();
        }
    }

    /// <summary>Stops the run's work promptly; nothing happens when the evaluation has no run in this process.</summary>
    public void Stop(string evaluationId)
    {
        if (_runs.TryGetValue(evaluationId, out var run))
        {
            run.Cancel();
        }
    }

    /// <summary>Completes when the evaluation's run has stopped doing anything (at once when it has none).</summary>
    public Task WhenFinished(string evaluationId) => _runs.TryGetValue(evaluationId, out var run) ? run.Finished : Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var inFlight = new List<Task>();
        if (database.IsShared)
        {
            inFlight.Add(Task.Run(() => SweepLapsedRunsAsync(stoppingToken), CancellationToken.None));
        }

        try
        {
            await foreach (var run in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                inFlight.RemoveAll(task => task.IsCompleted);
                inFlight.Add(Task.Run(() => RunAsync(run, stoppingToken), CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the runs in flight see the same token.
        }

        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var queued))
        {
            queued.Finish();
        }

        await Task.WhenAll(inFlight);
    }

    public override void Dispose()
    {
        base.Dispose();
        _slots.Dispose();
    }

    private async Task RunAsync(Run run, CancellationToken stoppingToken)
    {
        var id = run.EvaluationId;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(run.Token, stoppingToken);
        using var leaseEnd = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        var lease = database.IsShared ? Task.Run(() => RenewLeaseAsync(id, leaseEnd.Token), CancellationToken.None) : Task.CompletedTask;
        try
        {
            // A run cancelled (or failed) before it started does nothing. (A client's POST .../log may have moved it to running.)
            if (!evaluations.TryTransition(id, [EvaluationStatus.Pending, EvaluationStatus.Running], EvaluationStatus.Running))
            {
                return;
            }

            var evaluation = evaluations.GetRequired(id);
            if (CannotProceed(evaluation) is { } reason)
            {
                evaluations.TryTransition(id, [EvaluationStatus.Running], EvaluationStatus.Failed, reason);
                return;
            }

            var config = configs.GetRequired(evaluation.ConfigId);
            var (datapoints, _) = evaluations.Datapoints(id);
            var options = new ParallelOptions { MaxDegreeOfParallelism = DatapointsInFlight, CancellationToken = stop.Token };
            await Parallel.ForEachAsync(datapoints, options, async (datapoint, token) =>
            {
                await _slots.WaitAsync(token);
                try
                {
                    if (!await ProcessAsync(evaluation, config, datapoint, run.Keys, token))
                    {
                        // A write was refused: the evaluation has ended, so the rest of the run is not wanted.
                        await stop.CancelAsync();
                    }
                }
                finally
                {
                    _slots.Release();
                }
            });

            evaluations.TryTransition(id, [EvaluationStatus.Running], EvaluationStatus.Completed);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped by a client's status change (already recorded) or by shutdown (the next start fails it).
        }
        catch (Exception failure)
        {
            logger.LogError(failure, "Evaluation {EvaluationId} failed", id);
            evaluations.TryTransition(id, [EvaluationStatus.Pending, EvaluationStatus.Running], EvaluationStatus.Failed,
                "the run failed: " + FailureMessages.Describe(failure));
        }
        finally
        {
            await leaseEnd.CancelAsync();
            await lease;
            _runs.TryRemove(new KeyValuePair<string, Run>(id, run));
            run.Finish();
        }
    }

    /// <summary>Fails, now and then, the server runs whose replica stopped renewing their lease (see the class summary).</summary>
    private async Task SweepLapsedRunsAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(EvaluationStore.Lease);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    evaluations.FailInterruptedRuns(InterruptedReason, onlyExpiredLeases: true);
                }
                catch (Exception failure) when (failure is not OperationCanceledException)
                {
                    // The database is briefly unreachable: the next tick tries again.
                    logger.LogWarning(failure, "Could not sweep lapsed evaluation runs");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Renews the run's lease while it is in flight, on a shared database; ends when the run does or has ended.</summary>
    private async Task RenewLeaseAsync(string evaluationId, CancellationToken token)
    {
        using var timer = new PeriodicTimer(EvaluationStore.Lease / 3);
        try
        {
            while (await timer.WaitForNextTickAsync(token) && evaluations.RenewLease(evaluationId))
            {
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception failure)
        {
            logger.LogWarning(failure, "Could not renew the lease of evaluation {EvaluationId}", evaluationId);
        }
    }

    /// <summary>Why the run cannot generate anything at all, or null: its config is gone, or its provider is not served here.</summary>
    private string? CannotProceed(EvaluationRecord evaluation)
    {
        if (configs.Get(evaluation.ConfigId) is not { } config)
        {
            return $"the run could not start: config {evaluation.ConfigId} no longer exists";
        }

        try
        {
            providers.Resolve(config.Content, ["model_config", "provider"]);
            return null;
        }
        catch (Http.ApiException unserved)
        {
            return "the run could not start: " + FailureMessages.Describe(unserved);
        }
    }

    /// <summary>
    /// Generates and scores the log of one datapoint. False when a write was refused because the evaluation has
    /// ended (a client cancelled it meanwhile).
    /// </summary>
    private async Task<bool> ProcessAsync(EvaluationRecord evaluation, ModelConfigRecord config, DatapointRecord datapoint, ProviderKeys keys, CancellationToken cancellationToken)
    {
        var chat = config.Content.Endpoint == ModelEndpoints.Chat;
        var request = new GenerationRequest
        {
            Kind = chat ? Chat : Completion,
            ConfigSource = ConfigSource.ModelConfig,
            ProjectId = evaluation.ProjectId,
            ModelConfigId = config.Id,
            Inputs = (System.Text.Json.Nodes.JsonObject)datapoint.Inputs.DeepClone(),
            Messages = chat ? ChatMessageReader.FromStored(datapoint.Messages) : [],
            SourceDatapointId = datapoint.Id,
            Keys = keys,
            EvaluationId = evaluation.Id,
            OnlyWhileEvaluationActive = true,
        };

        string? logId;
        try
        {
            var response = await generations.RunAsync(planner.Plan(request), cancellationToken);
            logId = response.Data[0].Id;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception failure)
        {
            logId = logWriter.WriteFailed(request, evaluation.ProjectId, config.Id, FailureMessages.Describe(failure));
        }

        if (logId is null || logs.Get(logId) is not { } log)
        {
            return false;
        }

        return await scorer.ScoreAsync(new EvaluationSubject(evaluation.Id, log, datapoint, keys), onlyWhileActive: true, cancellationToken);
    }

    /// <summary>One queued or running evaluation run: its keys, its own stop, and when it finished.</summary>
    private sealed class Run(string evaluationId, ProviderKeys keys)
    {
        private readonly CancellationTokenSource _cancel = new();
        private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string EvaluationId { get; } = evaluationId;

        public ProviderKeys Keys { get; } = keys;

        public CancellationToken Token => _cancel.Token;

        public Task Finished => _finished.Task;

        /// <summary>Marks the token cancelled at once; its callbacks (provider calls, waits) run on the thread pool.</summary>
        public void Cancel() => _ = _cancel.CancelAsync();

        public void Finish() => _finished.TrySetResult();
    }
}
