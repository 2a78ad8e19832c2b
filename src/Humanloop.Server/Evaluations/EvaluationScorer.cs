using Humanloop.Server.Storage;

namespace Humanloop.Server.Evaluations;

/// <summary>
/// Runs an evaluation's evaluators on one of its logs and records their results: what a server-run evaluation does
/// after each generation, and what <c>POST /evaluations/{id}/log</c> does before it answers. Evaluators are taken as
/// the evaluation has them now, so ones added later judge the logs that come after.
/// </summary>
internal sealed class EvaluationScorer(EvaluationStore evaluations, EvaluatorStore evaluators, EvaluatorExecutor executor)
{
    /// <summary>
    /// Scores the log. With <paramref name="onlyWhileActive"/> (a server run) results are recorded only while the
    /// evaluation is pending or running; returns false as soon as one was refused, so the run stops.
    /// </summary>
    public async Task<bool> ScoreAsync(EvaluationSubject subject, bool onlyWhileActive, CancellationToken cancellationToken)
    {
        foreach (var evaluatorId in evaluations.EvaluatorIds(subject.EvaluationId))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (evaluators.Get(evaluatorId) is not { } evaluator || await executor.RunAsync(evaluator, subject, cancellationToken) is not { } outcome)
            {
                continue;
            }

            if (evaluations.SaveResult(subject.EvaluationId, subject.Log.Id, evaluator.Id, outcome.Value, outcome.Error, outcome.JudgeLogId, onlyWhileActive) is null)
            {
                return false;
            }
        }

        return true;
    }
}
