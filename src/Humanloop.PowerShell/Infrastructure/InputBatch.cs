using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// The pipeline inputs of one invocation, run as a batch on its one client. Each input's work runs as a task,
/// at most the throttle's limit at once, started in input order; each input ends in exactly one outcome:
/// what its work wrote, or one error record about the input (<see cref="HumanloopCmdlet.ErrorForInput"/>).
/// Ordered, an input's writes wait until every input before it is wholly written (the earliest unfinished
/// input writes live); unordered, they are written as they come, each object carrying InputIndex.
/// </summary>
/// <remarks>
/// <para>The order is kept on the pipeline thread alone: the tasks queue every write through the cmdlet
/// (<see cref="AsyncCmdlet.Post"/>), tagged with its input, and the pipeline thread writes it or holds it back
/// with its input. An input's last post says it finished, so when the pipeline thread sees it, everything
/// the input wrote is written or held.</para>
/// <para><see cref="Add"/> returns as soon as the batch has room for another input: with one request at a time
/// that is when the input is written, exactly as one call after another would be; above that, when fewer
/// than the limit plus <see cref="ReadAhead"/> inputs are accepted and not yet written, so the pipeline goes
/// on reading inputs while requests are in flight, and a slow input holds back a bounded number of results.</para>
/// </remarks>
internal sealed class InputBatch
{
    /// <summary>With more than one request at a time: how many inputs beyond those in flight are read ahead or held back.</summary>
    public const int ReadAhead = AsyncCmdlet.QueuedWritesLimit;

    private readonly HumanloopCmdlet _cmdlet;
    private readonly Func<HumanloopClient> _client;
    private readonly bool _ordered;
    private readonly int _window;
    private readonly WorkProgress? _progress;
    private readonly Channel<Input> _waiting = Channel.CreateUnbounded<Input>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    // The pipeline thread's alone.
    private readonly Queue<Input> _unwritten = new();
    private int _open;
    private int _count;
    private Task? _dispatcher;

    /// <param name="cmdlet">The cmdlet whose pipeline thread writes, and whose failure policy decides what an input's failure is.</param>
    /// <param name="client">The invocation's client, asked for on the pipeline thread when the first input runs.</param>
    /// <param name="throttleLimit">The most requests at once.</param>
    /// <param name="ordered">Whether results are written in input order.</param>
    /// <param name="progress">The progress bar, or null when nobody watches.</param>
    public InputBatch(HumanloopCmdlet cmdlet, Func<HumanloopClient> client, int throttleLimit, bool ordered, WorkProgress? progress)
    {
        _cmdlet = cmdlet;
        _client = client;
        _ordered = ordered;
        _progress = progress;
        _window = throttleLimit == 1 ? 1 : throttleLimit + ReadAhead;
        Throttle = new AdaptiveThrottle(throttleLimit);
    }

    /// <summary>The batch's share of the server: slots for its inputs, and the limit its client's 429s lower.</summary>
    public AdaptiveThrottle Throttle { get; }

    /// <summary>
    /// On the pipeline thread: queues <paramref name="work"/> for <paramref name="target"/> (the input, the
    /// TargetObject of its error), writing what the batch has ready until there is room for another input.
    /// </summary>
    public void Add(object? target, Func<HumanloopClient, Input, CancellationToken, Task> work)
    {
        var client = _client();
        var input = Accept(target);
        input.Work = work;
        _dispatcher ??= _cmdlet.StartWork(cancellationToken => DispatchAsync(client, cancellationToken));
        _waiting.Writer.TryWrite(input);
        WaitForRoom();
    }

    /// <summary>On the pipeline thread: an input that cannot be sent, whose <paramref name="failure"/> is its outcome, in its turn.</summary>
    public void Reject(object? target, Exception failure)
    {
        var input = Accept(target);
        _progress?.Begun();
        Finish(input, failure);
        WaitForRoom();
    }

    /// <summary>On the pipeline thread, after the last input: writes everything still to come.</summary>
    public void Complete()
    {
        _waiting.Writer.TryComplete();
        _progress?.AllItemsAdded();
        _cmdlet.PumpWrites(() => _open > 0);
        if (_progress is not null && _count > 0)
        {
            _cmdlet.WriteProgress(_progress.Record(DateTime.UtcNow));
            _cmdlet.WriteProgress(_progress.Completed());
        }
    }

    private Input Accept(object? target)
    {
        var input = new Input(this, _count++, target);
        _open++;
        if (_ordered)
        {
            _unwritten.Enqueue(input);
        }

        if (_progress is not null)
        {
            _progress.AddItem();
            if (_progress.Update(DateTime.UtcNow) is { } record)
            {
                _cmdlet.WriteProgress(record);
            }
        }

        return input;
    }

    private void WaitForRoom() => _cmdlet.PumpWrites(() => _open >= _window);

    // Starts the inputs in the order they came, each when the throttle grants it a slot.
    private async Task DispatchAsync(HumanloopClient client, CancellationToken cancellationToken)
    {
        try
        {
            while (await _waiting.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (_waiting.Reader.TryRead(out var input))
                {
                    var slot = await Throttle.AcquireAsync(cancellationToken).ConfigureAwait(false);
                    _ = Task.Run(() => RunAsync(input, client, slot, cancellationToken), CancellationToken.None);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Abandoned: nothing more starts, and nobody reads what would have.
        }
    }

    private async Task RunAsync(Input input, HumanloopClient client, IDisposable slot, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            _progress?.Begun();
            await input.Work!(client, input, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            failure = exception;
        }
        finally
        {
            slot.Dispose();
        }

        // The input's last post: everything it wrote is queued before it.
        _cmdlet.Post(() => Finish(input, failure));
    }

    // On the pipeline thread: the input's outcome is settled; an earliest input finishing lets those after it out.
    private void Finish(Input input, Exception? failure)
    {
        if (failure is not null)
        {
            var error = _cmdlet.ErrorForInput(failure, input.Target);
            if (error is null)
            {
                _cmdlet.ThrowFor(failure);
                return;
            }

            Deliver(input, () => _cmdlet.WriteError(error));
        }

        input.Finished = true;
        if (_progress?.Done(failure is null, DateTime.UtcNow) is { } record)
        {
            _cmdlet.WriteProgress(record);
        }

        if (!_ordered)
        {
            _open--;
            return;
        }

        while (_unwritten.Count > 0 && _unwritten.Peek().Finished)
        {
            _unwritten.Dequeue();
            _open--;
            if (_unwritten.Count > 0)
            {
                _unwritten.Peek().WriteHeldBack();
            }
        }
    }

    // On the pipeline thread: writes now, unless an earlier input is still unwritten.
    private void Deliver(Input input, Action write)
    {
        if (!_ordered || _unwritten.Peek() == input)
        {
            write();
        }
        else
        {
            input.HoldBack(write);
        }
    }

    private object Shown(Input input, object value)
    {
        if (_ordered)
        {
            return value;
        }

        var shown = PSObject.AsPSObject(value);
        shown.Properties.Add(new PSNoteProperty("InputIndex", input.Index));
        return shown;
    }

    /// <summary>One input of the batch, and what its work writes through, in the input's turn.</summary>
    internal sealed class Input
    {
        private readonly InputBatch _batch;
        private List<Action>? _heldBack;

        internal Input(InputBatch batch, int index, object? target)
        {
            _batch = batch;
            Index = index;
            Target = target;
        }

        /// <summary>The input's position among the invocation's inputs, from 0.</summary>
        public int Index { get; }

        internal object? Target { get; }

        internal Func<HumanloopClient, Input, CancellationToken, Task>? Work { get; set; }

        internal bool Finished { get; set; }

        /// <summary>Writes <paramref name="value"/> to the output (from any thread).</summary>
        public void Write(object value) => OnTurn(() => _batch._cmdlet.WriteObject(_batch.Shown(this, value)));

        /// <summary>Writes <paramref name="values"/> to the output in order, handed to the pipeline thread at once (from any thread).</summary>
        public void WriteAll(IReadOnlyList<object> values) => OnTurn(() =>
        {
            foreach (var value in values)
            {
                _batch._cmdlet.WriteObject(_batch.Shown(this, value));
            }
        });

        /// <summary>On the pipeline thread, in the input's turn (inside <see cref="OnTurn"/>): writes <paramref name="value"/> now.</summary>
        public void WriteNow(object value) => _batch._cmdlet.WriteObject(_batch.Shown(this, value));

        /// <summary>Runs <paramref name="action"/> on the pipeline thread, after what the input wrote before it.</summary>
        public void OnTurn(Action action) => _batch._cmdlet.Post(() => _batch.Deliver(this, action));

        internal void HoldBack(Action write) => (_heldBack ??= []).Add(write);

        internal void WriteHeldBack()
        {
            var heldBack = _heldBack;
            _heldBack = null;
            foreach (var write in heldBack ?? [])
            {
                write();
            }
        }
    }
}
