using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.Http;

namespace Humanloop;

/// <summary>
/// Keeps a batch of requests within what the server takes. The batch takes a slot
/// (<see cref="AcquireAsync"/>) for each unit of work, at most <see cref="Limit"/> at once; the limit adapts to
/// the server's 429s, and a server's Retry-After holds every new slot and every send until it has passed. Give
/// the throttle to the client (<see cref="HumanloopClientOptions.Throttle"/>) so that each attempt waits for the
/// hold and reports how it was answered. Thread-safe.
/// </summary>
/// <remarks>
/// <para>The limit follows additive increase and multiplicative decrease, as TCP's congestion control does:</para>
/// <list type="bullet">
/// <item>A 429 halves the limit (rounding down, never below 1), once per round: every 429 to an attempt sent
/// before the last decrease tells of the same congestion, so it does not halve the limit again.</item>
/// <item><see cref="Limit"/> successes in a row, among attempts sent since the last decrease, raise the limit by
/// one, up to <see cref="MaxConcurrency"/>. From 8 halved to 4 that is 4 + 5 + 6 + 7 = 22 successes back to 8.</item>
/// <item>A failed attempt whose answer asks to wait (Retry-After or retry-after-ms) holds new slots and sends,
/// retries included, until that time; a hint above a minute is not held, as the retry policy does not sleep it.</item>
/// </list>
/// <para>Slots are granted in the order they were asked for, so work starts in the order it was queued. Slots
/// already granted are not taken back when the limit falls: the work holding them finishes first.</para>
/// </remarks>
public sealed class AdaptiveThrottle
{
    private readonly object _gate = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly TimeProvider _time;
    private int _limit;
    private int _inFlight;
    private int _successes;
    private long _round;
    private DateTimeOffset _heldUntil = DateTimeOffset.MinValue;
    private ITimer? _holdTimer;

    /// <summary>Starts with every slot open.</summary>
    /// <param name="maxConcurrency">The most units of work at once, and the limit to start with (at least 1).</param>
    /// <param name="time">The clock of the holds; null for the system's.</param>
    public AdaptiveThrottle(int maxConcurrency, TimeProvider? time = null)
    {
        if (maxConcurrency < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxConcurrency), maxConcurrency, "At least one unit of work must be allowed at once.");
        }

        MaxConcurrency = maxConcurrency;
        _limit = maxConcurrency;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The most units of work at once, whatever the server says.</summary>
    public int MaxConcurrency { get; }

    /// <summary>The most units of work at once now: <see cref="MaxConcurrency"/> until the server answers 429.</summary>
    public int Limit
    {
        get
        {
            lock (_gate)
            {
                return _limit;
            }
        }
    }

    /// <summary>Slots granted and not yet released.</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _inFlight;
            }
        }
    }

    /// <summary>Until when new slots and sends wait for the server's Retry-After; null when nothing is held.</summary>
    public DateTimeOffset? HeldUntil
    {
        get
        {
            lock (_gate)
            {
                return _heldUntil > _time.GetUtcNow() ? _heldUntil : null;
            }
        }
    }

    /// <summary>
    /// Waits for a slot: until fewer than <see cref="Limit"/> are taken, no hold is in force, and every earlier
    /// caller has had its slot. Dispose the result to give the slot back.
    /// </summary>
    /// <param name="cancellationToken">Stops the wait; a slot granted at the same moment is given back.</param>
    public Task<IDisposable> AcquireAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_waiters.Count == 0 && CanGrant(_time.GetUtcNow()))
            {
                _inFlight++;
                return Task.FromResult<IDisposable>(new Slot(this));
            }

            var waiter = new Waiter();
            var node = _waiters.AddLast(waiter);
            if (cancellationToken.CanBeCanceled)
            {
                waiter.Registration = cancellationToken.Register(() => Cancel(node, cancellationToken));
            }

            WakeWhenHoldEnds(_time.GetUtcNow());
            return waiter.Granted.Task;
        }
    }

    /// <summary>
    /// Before each attempt: waits while a hold is in force, then returns the round the attempt is sent in, which
    /// its report (<see cref="RecordSuccess"/>, <see cref="RecordFailure"/>) names.
    /// </summary>
    internal async Task<long> WaitToSendAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                wait = _heldUntil - _time.GetUtcNow();
                if (wait <= TimeSpan.Zero)
                {
                    return _round;
                }
            }

            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>An attempt sent in <paramref name="round"/> was answered with success.</summary>
    internal ThrottleChange RecordSuccess(long round)
    {
        lock (_gate)
        {
            if (round != _round)
            {
                return default;
            }

            _successes++;
            if (_successes < _limit || _limit == MaxConcurrency)
            {
                return default;
            }

            var before = _limit;
            _limit++;
            _successes = 0;
            Grant(_time.GetUtcNow());
            return new ThrottleChange(before, _limit, null);
        }
    }

    /// <summary>
    /// An attempt sent in <paramref name="round"/> failed with <paramref name="status"/>, whose answer asked to wait
    /// <paramref name="retryAfter"/> (null: it did not say).
    /// </summary>
    internal ThrottleChange RecordFailure(long round, int status, TimeSpan? retryAfter)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            TimeSpan? held = null;
            if (retryAfter is { } hint && hint > TimeSpan.Zero && hint <= RetryPolicy.MaxServerDelay && now + hint > _heldUntil)
            {
                _heldUntil = now + hint;
                held = hint;
                WakeWhenHoldEnds(now);
            }

            if (status != 429)
            {
                return new ThrottleChange(_limit, _limit, held);
            }

            _successes = 0;
            var before = _limit;
            if (round == _round)
            {
                _limit = Math.Max(1, _limit / 2);
                _round++;
            }

            return new ThrottleChange(before, _limit, held);
        }
    }

    private bool CanGrant(DateTimeOffset now) => _inFlight < _limit && now >= _heldUntil;

    // Under the gate: hands free slots to the earliest waiters.
    private void Grant(DateTimeOffset now)
    {
        while (_waiters.First is { } first && CanGrant(now))
        {
            _waiters.RemoveFirst();
            _inFlight++;
            first.Value.Registration.Unregister();
            first.Value.Granted.TrySetResult(new Slot(this));
        }

        WakeWhenHoldEnds(now);
    }

    // Under the gate: a hold with waiters behind it needs a timer to let them go when it ends.
    private void WakeWhenHoldEnds(DateTimeOffset now)
    {
        if (_waiters.Count == 0 || now >= _heldUntil)
        {
            return;
        }

        var due = _heldUntil - now;
        if (_holdTimer is null)
        {
            _holdTimer = _time.CreateTimer(_ => OnHoldEnded(), null, due, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _holdTimer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnHoldEnded()
    {
        lock (_gate)
        {
            Grant(_time.GetUtcNow());
        }
    }

    private void Release()
    {
        lock (_gate)
        {
            _inFlight--;
            Grant(_time.GetUtcNow());
        }
    }

    private void Cancel(LinkedListNode<Waiter> node, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            // A waiter already granted has left the list: its slot stands, and its owner gives it back.
            if (node.List is null)
            {
                return;
            }

            _waiters.Remove(node);
        }

        node.Value.Granted.TrySetCanceled(cancellationToken);
    }

    private sealed class Waiter
    {
        public TaskCompletionSource<IDisposable> Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }
    }

    private sealed class Slot(AdaptiveThrottle owner) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release();
            }
        }
    }
}

/// <summary>What one report did to a throttle: the limit before and after, and the hold it started, if any.</summary>
internal readonly record struct ThrottleChange(int Before, int After, TimeSpan? Held);
