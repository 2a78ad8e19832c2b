using System;
using System.Globalization;
using System.Management.Automation;
using System.Threading;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// The progress of work on many items as a progress bar: items done (failed ones included), failed and in
/// flight, the rate, and the time left once the number of items is known. Counts are safe to update from
/// several tasks; records are made at most every <see cref="Interval"/> so fast work does not flood the host.
/// </summary>
public sealed class WorkProgress
{
    /// <summary>The least time between two progress records.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private const int ActivityId = 0x4856;

    private readonly string _activity;
    private readonly DateTime _started;
    private readonly object _gate = new();
    private int _total;
    private int _totalKnown;
    private int _begun;
    private int _done;
    private int _failed;
    private DateTime _shown = DateTime.MinValue;

    /// <summary>Starts counting.</summary>
    /// <param name="activity">What the bar says is going on.</param>
    /// <param name="started">When the work started.</param>
    /// <param name="total">How many items there are, or (with <paramref name="totalKnown"/> false) have come so far.</param>
    /// <param name="totalKnown">False while items are still coming (<see cref="AddItem"/>, <see cref="AllItemsAdded"/>).</param>
    public WorkProgress(string activity, DateTime started, int total, bool totalKnown = true)
    {
        _activity = activity;
        _started = started;
        _total = total;
        _totalKnown = totalKnown ? 1 : 0;
    }

    /// <summary>Items finished so far, failed ones included.</summary>
    public int DoneCount => Volatile.Read(ref _done);

    /// <summary>Items that failed.</summary>
    public int FailedCount => Volatile.Read(ref _failed);

    /// <summary>Items begun and not finished.</summary>
    public int InFlightCount => Math.Max(0, Volatile.Read(ref _begun) - DoneCount);

    /// <summary>Counts one more item, while the total is not known yet.</summary>
    public void AddItem() => Interlocked.Increment(ref _total);

    /// <summary>Says that every item has come: the total is known, and with it the time left.</summary>
    public void AllItemsAdded() => Volatile.Write(ref _totalKnown, 1);

    /// <summary>Counts one item begun.</summary>
    public void Begun() => Interlocked.Increment(ref _begun);

    /// <summary>Counts one finished item; a record to show, or null when one was shown less than <see cref="Interval"/> ago.</summary>
    public ProgressRecord? Done(bool succeeded, DateTime now)
    {
        Interlocked.Increment(ref _done);
        if (!succeeded)
        {
            Interlocked.Increment(ref _failed);
        }

        return Update(now);
    }

    /// <summary>A record of the counts as they are, or null when one was shown less than <see cref="Interval"/> ago and not everything is done.</summary>
    public ProgressRecord? Update(DateTime now)
    {
        lock (_gate)
        {
            var allDone = Volatile.Read(ref _totalKnown) == 1 && DoneCount >= Volatile.Read(ref _total);
            if (now - _shown < Interval && !allDone)
            {
                return null;
            }

            _shown = now;
        }

        return Record(now);
    }

    /// <summary>The record for the counts as they are at <paramref name="now"/>.</summary>
    public ProgressRecord Record(DateTime now)
    {
        var done = DoneCount;
        var total = Volatile.Read(ref _total);
        var known = Volatile.Read(ref _totalKnown) == 1;
        var elapsed = (now - _started).TotalSeconds;
        var rate = elapsed > 0 ? done / elapsed : 0;
        var status = string.Format(CultureInfo.InvariantCulture, "{0} of {1}{2} done, {3} failed, {4} in flight, {5:0.0}/s", done, total, known ? string.Empty : "+", FailedCount, InFlightCount, rate);
        return new ProgressRecord(ActivityId, _activity, status)
        {
            PercentComplete = !known ? -1 : total == 0 ? 100 : Math.Min(100, done * 100 / total),
            SecondsRemaining = known && rate > 0 ? (int)Math.Ceiling(Math.Max(0, total - done) / rate) : -1,
        };
    }

    /// <summary>The record that takes the bar away.</summary>
    public ProgressRecord Completed() => new(ActivityId, _activity, "Done") { RecordType = ProgressRecordType.Completed };
}
