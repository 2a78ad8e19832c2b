using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// Runs a cmdlet's work as a task while the pipeline thread writes whatever the task emits, the moment
/// it emits it. PowerShell only accepts writes from the pipeline thread, so the task queues them here.
/// The queue is bounded: a task that produces faster than the pipeline consumes (a fast stream into a
/// slow script block) waits for room instead of growing memory without limit. Ctrl+C
/// (<see cref="StopProcessing"/>) cancels the token the task was given and returns at once.
/// </summary>
public abstract class AsyncCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    // PowerShell creates the cmdlet on the thread that runs its pipeline.
    private readonly int _pipelineThread = Environment.CurrentManagedThreadId;
    /// <summary>How many writes may wait for the pipeline thread before the task waits too.</summary>
    internal const int QueuedWritesLimit = 256;

    private BlockingCollection<Action>? _writes;
    private CancellationToken _writesAbandoned;

    /// <summary>Runs <paramref name="work"/> to completion, writing its output as it arrives.</summary>
    protected void RunAsync(Func<CancellationToken, Task> work)
    {
        var writes = new BlockingCollection<Action>(QueuedWritesLimit);

        // Cancelled when the writing ends early (Ctrl+C, Select-Object -First, an -ErrorAction Stop), so
        // work nobody reads any more stops instead of running on, or waiting for room in the queue.
        // Cancelled, never disposed: the abandoned task may still hold its token.
        var run = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        _writes = writes;
        _writesAbandoned = run.Token;
        var task = Task.Run(() => work(run.Token));
        task.ContinueWith(_ => writes.CompleteAdding(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            foreach (var write in writes.GetConsumingEnumerable(_stopping.Token))
            {
                write();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        finally
        {
            _writes = null;
            if (!task.IsCompleted)
            {
                run.Cancel();
            }
        }

        if (task.IsFaulted)
        {
            var failure = task.Exception!.GetBaseException();
            if (failure is OperationCanceledException && _stopping.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }

            if (failure is PipelineStoppedException or ActionPreferenceStopException)
            {
                throw failure;
            }

            ThrowTerminatingError(ErrorRecords.Unexpected(failure));
        }
        else if (task.IsCanceled)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>Writes an object from the task (or directly, on the pipeline thread).</summary>
    protected void Emit(object value) => Enqueue(() => WriteObject(value));

    /// <summary>Writes a non-terminating error from the task.</summary>
    protected void EmitError(ErrorRecord error) => Enqueue(() => WriteError(error));

    /// <summary>Writes a warning from the task.</summary>
    protected void EmitWarning(string message) => Enqueue(() => WriteWarning(message));

    /// <summary>Writes a verbose message from the task.</summary>
    protected void EmitVerbose(string message) => Enqueue(() => WriteVerbose(message));

    /// <summary>Writes a debug message from the task.</summary>
    protected void EmitDebug(string message) => Enqueue(() => WriteDebug(message));

    /// <summary>Writes a progress record from the task.</summary>
    protected void EmitProgress(ProgressRecord progress) => Enqueue(() => WriteProgress(progress));

    /// <summary>
    /// Runs <paramref name="action"/> on the pipeline thread (where PowerShell commands may run) and hands
    /// its result back to the task. Fails with <see cref="OperationCanceledException"/> when the writing
    /// has already ended.
    /// </summary>
    protected Task<T> OnPipelineThreadAsync<T>(Func<T> action)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(() =>
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
        if (_writes is null && Environment.CurrentManagedThreadId != _pipelineThread)
        {
            done.TrySetCanceled();
        }

        return done.Task;
    }

    private void Enqueue(Action write)
    {
        // The pipeline thread writes at once: it is the one emptying the queue, so it must never wait on it.
        if (Environment.CurrentManagedThreadId == _pipelineThread)
        {
            write();
            return;
        }

        // A task whose writing already ended may still speak: nobody reads it, so it is dropped, and a
        // task waiting for room is released by the same cancellation.
        var writes = _writes;
        if (writes is not null)
        {
            try
            {
                writes.Add(write, _writesAbandoned);
            }
            catch (InvalidOperationException) when (writes.IsAddingCompleted)
            {
            }
        }
    }

    /// <inheritdoc />
    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Stops any work still running when PowerShell is done with the cmdlet.</summary>
    /// <remarks>The token source is cancelled rather than disposed: work abandoned by Ctrl+C may still hold its token.</remarks>
    public void Dispose()
    {
        _stopping.Cancel();
        GC.SuppressFinalize(this);
    }
}
