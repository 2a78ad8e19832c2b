using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// Runs a cmdlet's work as tasks while the pipeline thread writes whatever they emit. PowerShell only accepts
/// writes from the pipeline thread, so the tasks queue them here and the pipeline thread runs them while it
/// pumps (<see cref="PumpWrites"/>): for the whole of a one-off call (<see cref="RunAsync"/>), or, for work
/// that outlives one ProcessRecord (a batch of inputs), whenever the cmdlet is called again. The queue is
/// bounded: a task that produces faster than the pipeline consumes (a fast stream into a slow script block)
/// waits for room instead of growing memory without limit. Ctrl+C (<see cref="StopProcessing"/>) cancels the
/// token every task was given and returns at once.
/// </summary>
public abstract class AsyncCmdlet : PSCmdlet, IDisposable
{
    /// <summary>How many writes may wait for the pipeline thread before the tasks wait too.</summary>
    internal const int QueuedWritesLimit = 256;

    private readonly CancellationTokenSource _stopping = new();

    // PowerShell creates the cmdlet on the thread that runs its pipeline.
    private readonly int _pipelineThread = Environment.CurrentManagedThreadId;

    // Open while started work may still write; dropped when the writing ends early, so that work nobody
    // reads any more stops instead of running on, or waiting for room in the queue.
    private volatile WorkSession? _session;

    /// <summary>Runs <paramref name="work"/> to completion, writing its output as it arrives.</summary>
    protected void RunAsync(Func<CancellationToken, Task> work)
    {
        Exception? failure = null;
        var finished = false;
        StartWork(async cancellationToken =>
        {
            try
            {
                await work(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                failure = exception;
            }

            // After every write of the work, so the pump has run them all when it sees this.
            Post(() => finished = true);
        });
        PumpWrites(() => !finished);
        if (failure is not null)
        {
            ThrowFor(failure);
        }
    }

    /// <summary>
    /// Starts <paramref name="work"/> on the thread pool. What it emits is written when the pipeline thread
    /// pumps; its token is cancelled by Ctrl+C, and when the writing ends early.
    /// </summary>
    internal Task StartWork(Func<CancellationToken, Task> work)
    {
        var session = _session;
        if (session is null)
        {
            _session = session = new WorkSession();

            // Ctrl+C may have come while the session was made, and missed it.
            if (_stopping.IsCancellationRequested)
            {
                session.Abandoned.Cancel();
            }
        }

        var cancellationToken = session.Abandoned.Token;
        return Task.Run(() => work(cancellationToken), CancellationToken.None);
    }

    /// <summary>
    /// On the pipeline thread: runs the writes already queued, then waits for more and runs them for as long
    /// as <paramref name="busy"/> says (asked before each). Ctrl+C ends it with
    /// <see cref="PipelineStoppedException"/>; a write that throws (an <c>-ErrorAction Stop</c>, a
    /// <c>Select-Object -First</c> that has enough) ends it with that. Either way the started work is
    /// abandoned: cancelled, and its later writes dropped.
    /// </summary>
    internal void PumpWrites(Func<bool> busy)
    {
        var session = _session;
        if (session is null)
        {
            return;
        }

        try
        {
            // Only those queued now: tasks writing faster than the pipeline reads must not keep it here.
            for (var ready = session.Writes.Count; ready > 0 && session.Writes.TryTake(out var write); ready--)
            {
                write();
            }

            while (busy())
            {
                session.Writes.Take(_stopping.Token)();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            AbandonWork();
            throw new PipelineStoppedException();
        }
        catch
        {
            AbandonWork();
            throw;
        }
    }

    /// <summary>Cancels the started work and drops whatever it writes from now on.</summary>
    internal void AbandonWork()
    {
        // Cancelled, never disposed: the abandoned tasks may still hold its token.
        CancelWorkSoon();
        _session = null;
    }

    /// <summary>
    /// Ends the command for a failure of its work: a cancel or a stop as a stopped pipeline, anything else as a
    /// terminating error (a defect: what an input explains is reported about the input before it gets here).
    /// </summary>
    internal void ThrowFor(Exception failure)
    {
        AbandonWork();
        switch (failure)
        {
            case OperationCanceledException:
                throw new PipelineStoppedException();
            case PipelineStoppedException or ActionPreferenceStopException:
                ExceptionDispatchInfo.Throw(failure);
                break;
            default:
                ThrowTerminatingError(ErrorRecords.Unexpected(failure));
                break;
        }
    }

    /// <summary>Writes an object from the task (or directly, on the pipeline thread).</summary>
    protected void Emit(object value) => Post(() => WriteObject(value));

    /// <summary>Writes a non-terminating error from the task.</summary>
    protected void EmitError(ErrorRecord error) => Post(() => WriteError(error));

    /// <summary>Writes a warning from the task.</summary>
    protected void EmitWarning(string message) => Post(() => WriteWarning(message));

    /// <summary>Writes a verbose message from the task.</summary>
    protected void EmitVerbose(string message) => Post(() => WriteVerbose(message));

    /// <summary>Writes a debug message from the task.</summary>
    protected void EmitDebug(string message) => Post(() => WriteDebug(message));

    /// <summary>Writes a progress record from the task.</summary>
    protected void EmitProgress(ProgressRecord progress) => Post(() => WriteProgress(progress));

    /// <summary>
    /// Runs <paramref name="action"/> on the pipeline thread (where PowerShell commands may run) and hands
    /// its result back to the task. Fails with <see cref="OperationCanceledException"/> when the writing
    /// has already ended.
    /// </summary>
    protected Task<T> OnPipelineThreadAsync<T>(Func<T> action)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var queued = Post(() =>
        {
            try
            {
                done.TrySetResult(action());
            }
            catch (Exception exception)
            {
                done.TrySetException(exception);
            }
        });
        if (!queued)
        {
            done.TrySetCanceled();
        }

        return done.Task;
    }

    /// <summary>
    /// Queues <paramref name="write"/> for the pipeline thread, in order with every other; false when it was
    /// dropped because the writing has ended.
    /// </summary>
    internal bool Post(Action write)
    {
        // The pipeline thread writes at once: it is the one emptying the queue, so it must never wait on it.
        if (Environment.CurrentManagedThreadId == _pipelineThread)
        {
            write();
            return true;
        }

        // A task whose writing already ended may still speak: nobody reads it, so it is dropped, and a
        // task waiting for room is released by the same cancellation.
        var session = _session;
        if (session is null)
        {
            return false;
        }

        try
        {
            session.Writes.Add(write, session.Abandoned.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Ctrl+C: wakes the pipeline thread at once, and cancels the work on the thread pool, so that stopping many
    /// requests (each cancel runs its transport's callbacks) never holds up the return to the prompt.
    /// </summary>
    protected override void StopProcessing()
    {
        _stopping.Cancel();
        CancelWorkSoon();
    }

    /// <summary>Stops any work still running when PowerShell is done with the cmdlet.</summary>
    /// <remarks>The token sources are cancelled rather than disposed: work abandoned by Ctrl+C may still hold a token.</remarks>
    public void Dispose()
    {
        _stopping.Cancel();
        CancelWorkSoon();
        GC.SuppressFinalize(this);
    }

    private void CancelWorkSoon()
    {
        if (_session is { } session)
        {
            ThreadPool.UnsafeQueueUserWorkItem(abandoned => abandoned.Cancel(), session.Abandoned, preferLocal: false);
        }
    }

    /// <summary>The queue of writes of the work started since the last abandonment, and the token that abandons it.</summary>
    private sealed class WorkSession
    {
        public BlockingCollection<Action> Writes { get; } = new(QueuedWritesLimit);

        public CancellationTokenSource Abandoned { get; } = new();
    }
}
