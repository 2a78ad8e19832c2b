using Humanloop.Server.Http;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Evaluations;

/// <summary>
/// The status changes a client may make (<c>PATCH /evaluations/{id}/status</c>). A client-driven evaluation
/// (<c>hl_generated: false</c>) takes any status at any time: its client runs it, may reopen a completed one to post
/// more logs, and the server keeps no work of its own for it. A server-run evaluation belongs to the server while it
/// is pending or running: a client may end it (completed, cancelled or failed), which stops the run's work at once,
/// and may relabel an ended one between those three; but setting it to pending or running is a 409, since nothing
/// would run it again (create a new evaluation instead).
/// </summary>
internal sealed class EvaluationLifecycle(EvaluationStore evaluations, EvaluationRunner runner)
{
    public EvaluationRecord SetStatus(string id, string requested)
    {
        var evaluation = evaluations.GetRequired(id);
        if (evaluation.Status == requested)
        {
            return evaluation;
        }

        if (!evaluation.HlGenerated)
        {
            return evaluations.SetStatus(id, requested, null);
        }

        if (EvaluationStatus.IsActive(requested))
        {
            throw ApiException.Conflict(EvaluationStatus.IsActive(evaluation.Status)
                ? $"Evaluation {id} is run by the server, which moves it from pending to running itself; a client may only end it (completed, cancelled or failed)"
                : $"Evaluation {id} was run by the server and has ended ({evaluation.Status}); it cannot be set back to {requested}, as nothing would run it again. Create a new evaluation to run it again");
        }

        // The status first: from here on the run's writes are refused. Then its work is stopped.
        var updated = evaluations.SetStatus(id, requested, null);
        runner.Stop(id);
        return updated;
    }
}
