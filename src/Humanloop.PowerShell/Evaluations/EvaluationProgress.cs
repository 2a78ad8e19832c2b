using System;
using System.Globalization;
using System.Management.Automation;
using System.Threading;

namespace Humanloop.PowerShell.Evaluations;

/// <summary>
/// The progress of a run as a progress bar: datapoints done and failed, the rate, and the time left. Counts
/// are safe to update from several tasks; records are made at most every <see cref="Interval"/> so a fast
/// run does not flood the host.
/// </summary>
public sealed class EvaluationProgress
{
    /// <summary>The least time between two progress records.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private const int ActivityId = 0x4856;

    private readonly int _total;
    private readonly string _activity;
    private readonly DateTime _started;
    private readonly object _gate = new();
    private int _done;
    private int _failed;
    private DateTime _shown = DateTime.MinValue;

    /// <summary>Starts counting.</summary>
    /// <param name="total">Datapoints times configs.</param>
    /// <param name="configs">How many configs the run evaluates.</param>
    /// <param name="started">When the run started.</param>
    public EvaluationProgress(int total, int configs, DateTime started)
    {
        _total = total;
        _activity = $"Evaluating {configs} config(s) over {(configs == 0 ? 0 : total / configs)} datapoint(s)";
        _started = started;
    }

    /// <summary>Datapoints finished so far, failed ones included.</summary>
    public int DoneCount => Volatile.Read(ref _done);

    /// <summary>Datapoints that failed (generation, posting, or an evaluator).</summary>
    public int FailedCount => Volatile.Read(ref _failed);

    /// <summary>Counts one finished datapoint; a record to show, or null when one was shown less than <see cref="Interval"/> ago.</summary>
    public ProgressRecord? Done(bool succeeded, DateTime now)
    {
        Interlocked.Increment(ref _done);
        if (!succeeded)
        {
            Interlocked.Increment(ref _failed);
        }

        lock (_gate)
        {
            if (now - _shown < Interval && DoneCount < _total)
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
        var elapsed = (now - _started).TotalSeconds;
        var rate = elapsed > 0 ? done / elapsed : 0;
        var status = string.Format(CultureInfo.InvariantCulture, "{0} of {1} done, {2} failed, {3:0.0}/s", done, _total, FailedCount, rate);
        return new ProgressRecord(ActivityId, _activity, status)
        {
            PercentComplete = _total == 0 ? 100 : Math.Min(100, done * 100 / _total),
            SecondsRemaining = rate > 0 ? (int)Math.Ceiling((_total - done) / rate) : -1,
        };
    }

    /// <summary>The record that takes the bar away.</summary>
    public ProgressRecord Completed() => new(ActivityId, _activity, "Done") { RecordType = ProgressRecordType.Completed };
}
