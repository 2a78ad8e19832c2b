using System;
using System.Collections.Concurrent;
using System.Threading;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// The bounded queue of writes from a cmdlet's tasks to its pipeline thread: any thread adds, the pipeline
/// thread alone takes. Unlike a <see cref="BlockingCollection{T}"/>, whose semaphore spins before it sleeps,
/// the pipeline thread goes straight to sleep when the queue is empty: it waits for the network most of the
/// time, and spinning there only took a core from the tasks and the server it waits for (most of the
/// pipeline thread's time in a streamed completion, and a share of every call). A task finding the queue
/// full waits for room.
/// </summary>
internal sealed class WriteQueue(int capacity)
{
    private readonly ConcurrentQueue<Action> _items = new();
    private readonly SemaphoreSlim _room = new(capacity, capacity);
    private readonly ManualResetEventSlim _added = new(initialState: false, spinCount: 0);

    /// <summary>How many writes wait.</summary>
    public int Count => _items.Count;

    /// <summary>Queues <paramref name="write"/>, waiting for room when the queue is full.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled, before or while waiting.</exception>
    public void Add(Action write, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _room.Wait(cancellationToken);
        _items.Enqueue(write);
        _added.Set();
    }

    /// <summary>The next write, if one waits; never waits itself.</summary>
    public bool TryTake(out Action write)
    {
        if (_items.TryDequeue(out write!))
        {
            _room.Release();
            return true;
        }

        return false;
    }

    /// <summary>On the pipeline thread: the next write, waiting (without spinning) until there is one.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public Action Take(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryTake(out var write))
            {
                return write;
            }

            // Looked at again after the reset: a write added in between has set the event, or is seen here.
            _added.Reset();
            if (TryTake(out write))
            {
                return write;
            }

            _added.Wait(cancellationToken);
        }
    }
}
