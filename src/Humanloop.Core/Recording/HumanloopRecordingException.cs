using System;
using System.Collections.Generic;

namespace Humanloop;

/// <summary>
/// A recording could not answer: the fixture has no exchange for a request in Replay mode, or the
/// fixture file cannot be read or written. For a request without a match, the message names the
/// closest recorded request and how it differs.
/// </summary>
public sealed class HumanloopRecordingException : HumanloopException
{
    /// <summary>Creates the exception for a fixture that cannot be read or written.</summary>
    public HumanloopRecordingException(string message, string fixturePath, Exception? innerException = null)
        : base(message, innerException)
    {
        FixturePath = fixturePath;
    }

    /// <summary>Creates the exception for a recording that ended, and saved what it had to, with recorded exchanges unused.</summary>
    public HumanloopRecordingException(string message, string fixturePath, RecordingSummary summary)
        : base(message)
    {
        FixturePath = fixturePath;
        Summary = summary;
    }

    /// <summary>Creates the exception for a request the fixture has no recording of (or has answered as often as it may).</summary>
    public HumanloopRecordingException(string problem, HumanloopRecordingFix fix, string fixturePath, string request, int? closestExchange, IReadOnlyList<string> differences)
        : base(problem.TrimEnd() + Environment.NewLine + FixText(fix))
    {
        Problem = problem.TrimEnd();
        Fix = fix;
        FixturePath = fixturePath;
        Request = request;
        ClosestExchange = closestExchange;
        Differences = differences;
    }

    /// <summary>The fixture file.</summary>
    public string FixturePath { get; }

    /// <summary>What is wrong, without the fix (which <see cref="Exception.Message"/> adds once); null for a file problem.</summary>
    public string? Problem { get; }

    /// <summary>What would make a request without a recording replay.</summary>
    public HumanloopRecordingFix Fix { get; }

    /// <summary>The fix in the library's own terms (a host words it with its own parameter names).</summary>
    public static string FixText(HumanloopRecordingFix fix) => fix switch
    {
        HumanloopRecordingFix.Record => "Record it with mode Auto or Record.",
        HumanloopRecordingFix.RecordOrIgnoreFields => "Record it in Auto or Record mode, or ignore fields that change from run to run (RecordingOptions.IgnoreFields).",
        HumanloopRecordingFix.AllowRepeatsOrRecord => "If the code may send it more often than when it was recorded, allow repeats (RecordingOptions.AllowRepeats); otherwise record it again.",
        _ => string.Empty,
    };

    /// <summary>The method and path of the request that had no recording; null for a file problem.</summary>
    public string? Request { get; }

    /// <summary>The 1-based position in the fixture of the closest recorded exchange; null when there is none.</summary>
    public int? ClosestExchange { get; }

    /// <summary>How the request differs from the closest recorded one, one line per field; empty for a repeat.</summary>
    public IReadOnlyList<string> Differences { get; } = [];

    /// <summary>What the recording did, when it ended (and saved) but failed its <see cref="RecordingOptions.RequireAllUsed"/> check; null otherwise.</summary>
    public RecordingSummary? Summary { get; }
}

/// <summary>The way out of a request that a replay has no recording for.</summary>
public enum HumanloopRecordingFix
{
    /// <summary>Not a missing recording.</summary>
    None,

    /// <summary>The fixture holds nothing yet: record.</summary>
    Record,

    /// <summary>A recording is close but differs: record again, or ignore the fields that differ.</summary>
    RecordOrIgnoreFields,

    /// <summary>Every recording of it has answered: allow repeats, or record again.</summary>
    AllowRepeatsOrRecord,
}

/// <summary>What a recording did, reported when it stops.</summary>
public sealed class RecordingSummary
{
    internal RecordingSummary(string path, RecordingMode mode, int replayed, int recorded, IReadOnlyList<string> unusedExchanges, int exchanges, bool saved, string? notSavedReason, bool refused)
    {
        Path = path;
        Mode = mode;
        Replayed = replayed;
        Recorded = recorded;
        UnusedExchanges = unusedExchanges;
        Exchanges = exchanges;
        Saved = saved;
        NotSavedReason = notSavedReason;
        Refused = refused;
    }

    /// <summary>The fixture file.</summary>
    public string Path { get; }

    /// <summary>The mode the recording ran in.</summary>
    public RecordingMode Mode { get; }

    /// <summary>Requests answered from the fixture.</summary>
    public int Replayed { get; }

    /// <summary>Exchanges sent to the endpoint and recorded.</summary>
    public int Recorded { get; }

    /// <summary>Exchanges of the fixture that no request asked for; in Auto mode a sign of stale recordings.</summary>
    public int Unused => UnusedExchanges.Count;

    /// <summary>The unused exchanges, one line each: number in the file, method, path and the start of the body.</summary>
    public IReadOnlyList<string> UnusedExchanges { get; }

    /// <summary>Exchanges the fixture holds now.</summary>
    public int Exchanges { get; }

    /// <summary>True when the fixture file was written.</summary>
    public bool Saved { get; }

    /// <summary>Why the file was not written; null when it was.</summary>
    public string? NotSavedReason { get; }

    /// <summary>
    /// True when the run would have written the file but did not, to keep the exchanges it holds (the
    /// run got a 401 or 403, or recorded nothing) or because it recorded nothing at all: worth a warning.
    /// </summary>
    public bool Refused { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Mode} {Path}: {Replayed} replayed, {Recorded} recorded, {Unused} unused";
}
