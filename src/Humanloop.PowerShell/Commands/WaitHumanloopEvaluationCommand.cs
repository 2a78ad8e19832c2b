using System;
using System.Diagnostics;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>Waits until Humanloop evaluations finish, then writes each with its scores.</summary>
/// <remarks>
/// <para>Reads each run (GET /v4/evaluations/{id}) until its status is final (completed, cancelled or
/// failed), polling every quarter second at first and a little less often as the wait grows (at most once a
/// second), and writes a progress record with the run's status meanwhile (in interactive sessions, as Invoke-HumanloopEvaluation decides, or when -ProgressAction is given).
/// Then writes the evaluation with its score per evaluator (EvaluatorAggregates). Piped evaluations bind
/// by their id and are waited for one after the other.</para>
/// <para>-Timeout bounds the whole command's wait, in seconds; a run still unfinished when it has passed is
/// a non-terminating OperationTimeout error (Humanloop.Evaluation.WaitTimeout) naming the run and its last
/// status, and the run goes on. Without -Timeout it waits as long as it takes; Ctrl+C stops waiting at once
/// (the run goes on; Stop-HumanloopEvaluation stops it). An unknown id is a non-terminating ObjectNotFound
/// error.</para>
/// </remarks>
/// <example>
/// <code>$dataset | New-HumanloopEvaluation -ModelConfigId $config.ModelConfigId -EvaluatorId $mentionsRefund.Id | Wait-HumanloopEvaluation</code>
/// <para>Starts a run on the server and writes it once it has finished, with its scores.</para>
/// </example>
/// <example>
/// <code>$run = Wait-HumanloopEvaluation -EvaluationId $run.Id -Timeout 600 -ErrorAction Stop
/// if ($run.Status -ne 'completed') { throw "Evaluation $($run.Id) ended $($run.Status)." }</code>
/// <para>In a CI job: waits up to ten minutes, and fails the job when the run did not complete.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Wait, "HumanloopEvaluation", HelpUri = HelpLinks.Cmdlets + "#wait-humanloopevaluation")]
[OutputType(typeof(Evaluation))]
public sealed class WaitHumanloopEvaluationCommand : ResourceCmdlet
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromSeconds(1);
    private const double PollGrowth = 1.25;

    private readonly Stopwatch _waited = new();
    private int _activity;
    private bool _showProgress;

    /// <summary>The evaluation runs to wait for (ev_…); piped evaluations bind by their id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    public string[] EvaluationId { get; set; } = [];

    /// <summary>The most seconds the command waits in all; 0 checks each run once without waiting. No limit when omitted. (-TimeoutSec bounds each request instead.)</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int Timeout { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        _showProgress = Interactivity.ShowsProgress(this);
        _waited.Start();
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TimeSpan? limit = Bound(nameof(Timeout)) ? TimeSpan.FromSeconds(Timeout) : null;
        foreach (var id in EvaluationId)
        {
            var activity = ++_activity;
            RunForInput(id, (client, cancellationToken) => WaitAsync(client, id, activity, limit, cancellationToken));
        }
    }

    private async Task WaitAsync(HumanloopClient client, string id, int activity, TimeSpan? limit, CancellationToken cancellationToken)
    {
        // A new record for every write: the pipeline thread writes it later, and must see what was meant then.
        ProgressRecord Progress(string status) => new(activity, $"Waiting for evaluation {id}", status);
        var started = _waited.Elapsed;
        var poll = FirstPoll;
        var shown = false;
        try
        {
            while (true)
            {
                var evaluation = await client.GetEvaluationAsync(id, withAggregates: true, cancellationToken).ConfigureAwait(false);
                if (evaluation.IsFinished)
                {
                    Emit(evaluation);
                    return;
                }

                var left = limit - _waited.Elapsed;
                if (left <= TimeSpan.Zero)
                {
                    var message = $"Evaluation {id} is still {evaluation.Status} after the -Timeout of {Timeout} s.";
                    EmitError(ErrorRecords.Of(new TimeoutException(message), "Humanloop.Evaluation.WaitTimeout", ErrorCategory.OperationTimeout, id));
                    return;
                }

                if (_showProgress)
                {
                    EmitProgress(Progress($"Status: {evaluation.Status}; waited {(_waited.Elapsed - started).TotalSeconds:0} s"));
                    shown = true;
                }
                await Task.Delay(left < poll ? left.Value : poll, cancellationToken).ConfigureAwait(false);
                poll = TimeSpan.FromTicks(Math.Min((long)(poll.Ticks * PollGrowth), LongestPoll.Ticks));
            }
        }
        finally
        {
            if (shown)
            {
                EmitProgress(new ProgressRecord(activity, $"Waiting for evaluation {id}", "Done") { RecordType = ProgressRecordType.Completed });
            }
        }
    }
}
