using System;
using System.Management.Automation;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>Starts recording or replaying the Humanloop calls of this runspace, for offline, repeatable tests.</summary>
/// <remarks>
/// <para>Every Humanloop call in this runspace then goes through the fixture file given by -Path, until
/// Stop-HumanloopRecording. Replay answers from the file and never touches the network, so it needs
/// no API key; Record sends every call to the real endpoint and saves each exchange; Auto replays what
/// the file has and records what it lacks. Without -Mode, the mode comes from
/// $env:HUMANLOOP_RECORDING_MODE, else Replay: the same tests re-record when that variable says so.</para>
/// <para>Requests match recordings by method, path and JSON body, whatever the call order; metadata and
/// the fields named by -IgnoreField are left out of the comparison. When several recordings match, they
/// answer in recorded order (a recorded 503 and then the 200 of the retry replay as such); once all have
/// answered, Replay repeats the last one. A request with no recording is an error that names the
/// closest recorded request and how it differs.</para>
/// <para>Streams are recorded event by event and replayed as streams (with the recorded pacing when
/// -Pacing is given), and errors replay as the same status and body, so -Stream and error paths can be
/// tested offline; use -MaxRetries 0 to see a recorded 429 or 5xx as the error it was. Before anything
/// is written, the X-API-KEY header, provider_api_keys values, the fields named by -ScrubField and the
/// matches of -ScrubPattern are masked as ****. See docs/recording.md for the file format.</para>
/// </remarks>
/// <example>
/// <code>Start-HumanloopRecording -Path ./fixtures/summaries.json
/// $answer = New-HumanloopCompletion -Project support -Environment production -Inputs @{ question = 'How do I reset my password?' }
/// Stop-HumanloopRecording</code>
/// <para>Replays a committed fixture (the default mode): no network and no key are needed.</para>
/// </example>
/// <example>
/// <code>$env:HUMANLOOP_API_KEY = $key
/// Start-HumanloopRecording -Path ./fixtures/summaries.json -Mode Record -IgnoreField inputs.date -ScrubPattern 'cust-\d+' -Pacing</code>
/// <para>Records against the live endpoint: inputs.date is left out of matching, customer numbers are
/// masked in the file, and the timing of streamed events is kept for replay.</para>
/// </example>
/// <example>
/// <code>Start-HumanloopRecording -Path (Join-Path (Get-Module Humanloop).ModuleBase 'fixtures/rate-limited.json')
/// New-HumanloopCompletion -ProjectId pr_1 -MaxRetries 0 -ErrorVariable failure -ErrorAction SilentlyContinue</code>
/// <para>Replays a ready-made fixture that answers every call with 429, to test an error path.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Start, "HumanloopRecording")]
[OutputType(typeof(void))]
public sealed class StartHumanloopRecordingCommand : PSCmdlet
{
    /// <summary>The fixture file, resolved against the current location; created by Record and Auto when missing.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Replay (the default), Record or Auto; when omitted, $env:HUMANLOOP_RECORDING_MODE decides.</summary>
    [Parameter(Position = 1)]
    public RecordingMode Mode { get; set; }

    /// <summary>
    /// Request body fields left out of matching, besides metadata: a plain name (request_id) at any depth,
    /// or a dotted path from the root (inputs.date, inputs.*).
    /// </summary>
    [Parameter]
    [ValidateNotNull]
    public string[] IgnoreField { get; set; } = [];

    /// <summary>Fields (and header names) whose values are masked in the file, besides provider_api_keys; written like -IgnoreField.</summary>
    [Parameter]
    [ValidateNotNull]
    public string[] ScrubField { get; set; } = [];

    /// <summary>Regular expressions whose matches are masked in every stored header, string and text body.</summary>
    [Parameter]
    [ValidateNotNull]
    public string[] ScrubPattern { get; set; } = [];

    /// <summary>Record: keep the delay before each streamed event. Replay: wait those delays again.</summary>
    [Parameter]
    public SwitchParameter Pacing { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        RecordingTransport started;
        try
        {
            var options = new RecordingOptions
            {
                Mode = RecordingSessions.ResolveMode(MyInvocation.BoundParameters.ContainsKey(nameof(Mode)) ? Mode : null),
                Pacing = Pacing.IsPresent,
            };
            foreach (var field in IgnoreField)
            {
                options.IgnoreFields.Add(field);
            }

            foreach (var field in ScrubField)
            {
                options.ScrubFields.Add(field);
            }

            foreach (var pattern in ScrubPattern)
            {
                options.ScrubPatterns.Add(pattern);
            }

            started = RecordingSessions.Start(this, RecordingSessions.ResolvePath(this, Path), options, ConnectionStore.Current);
        }
        catch (ArgumentException exception)
        {
            ThrowTerminatingError(ErrorRecords.Of(exception, "Humanloop.Recording.InvalidSetting", ErrorCategory.InvalidArgument, Path));
            return;
        }
        catch (HumanloopRecordingException exception)
        {
            ThrowTerminatingError(ErrorRecords.Of(exception, "Humanloop.Recording.FixtureUnavailable", ErrorCategory.ReadError, Path));
            return;
        }

        WriteVerbose($"Calls in this runspace now go through {started.FixturePath} in {started.Mode} mode{(started.Pacing ? " with pacing" : string.Empty)}.");
    }
}

/// <summary>Stops this runspace's recording, writes the fixture (Record and Auto), and reports what it did.</summary>
/// <remarks>
/// <para>Record writes every exchange of the session, replacing the file; Auto writes the file only when
/// something new was recorded; Replay writes nothing. Secrets are masked before the file is written.
/// Calls made afterwards go to the network again.</para>
/// <para>Writes a Humanloop.RecordingSummary: Replayed (answered from the file), Recorded (sent and
/// saved), Unused (recordings nothing asked for: in Replay or Auto, a sign of stale fixtures),
/// Exchanges (in the file now) and Saved.</para>
/// </remarks>
/// <example>
/// <code>AfterAll { Stop-HumanloopRecording | Out-Null }</code>
/// <para>Ends the recording at the end of a Pester file, whatever the tests did.</para>
/// </example>
/// <example>
/// <code>Stop-HumanloopRecording | Format-List Path, Mode, Replayed, Recorded, Unused</code>
/// <para>Shows what the recording did.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Stop, "HumanloopRecording")]
[OutputType(typeof(RecordingSummary))]
public sealed class StopHumanloopRecordingCommand : PSCmdlet
{
    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var active = ConnectionStore.Recording;
        if (active is null)
        {
            WriteError(ErrorRecords.Of(new InvalidOperationException("No recording is running in this runspace; Start-HumanloopRecording starts one."),
                "Humanloop.Recording.NotStarted",
                ErrorCategory.InvalidOperation,
                null));
            return;
        }

        RecordingSummary summary;
        try
        {
            summary = RecordingSessions.Stop(active);
        }
        catch (HumanloopRecordingException exception)
        {
            ThrowTerminatingError(ErrorRecords.Of(exception, "Humanloop.Recording.FixtureUnavailable", ErrorCategory.WriteError, active.FixturePath));
            return;
        }

        WriteVerbose(summary.Saved ? $"Wrote {summary.Exchanges} exchange(s) to {summary.Path}." : $"Nothing to write to {summary.Path}.");
        WriteObject(summary);
    }
}

/// <summary>Starting and stopping the recording of a runspace, shared by Start-HumanloopRecording and Connect-Humanloop.</summary>
internal static class RecordingSessions
{
    public const string ModeVariable = "HUMANLOOP_RECORDING_MODE";

    /// <summary>The mode given, else $env:HUMANLOOP_RECORDING_MODE, else Replay.</summary>
    /// <exception cref="ArgumentException">The environment variable holds something else than a mode name.</exception>
    public static RecordingMode ResolveMode(RecordingMode? given)
    {
        if (given is { } mode)
        {
            return mode;
        }

        var text = Environment.GetEnvironmentVariable(ModeVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return RecordingMode.Replay;
        }

        foreach (var name in Enum.GetNames(typeof(RecordingMode)))
        {
            if (string.Equals(name, text!.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return (RecordingMode)Enum.Parse(typeof(RecordingMode), name);
            }
        }

        throw new ArgumentException($"The {ModeVariable} environment variable holds '{text}'; it must be Replay, Record or Auto.");
    }

    /// <summary>A file-system path for <paramref name="path"/>, relative to the current location.</summary>
    /// <exception cref="ArgumentException">The path is on a drive that is not the file system.</exception>
    public static string ResolvePath(PSCmdlet cmdlet, string path)
    {
        string resolved;
        ProviderInfo provider;
        try
        {
            resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
        }
        catch (Exception exception) when (exception is SessionStateException or NotSupportedException or PSInvalidOperationException)
        {
            throw new ArgumentException($"The fixture path '{path}' cannot be used: {exception.Message}", exception);
        }

        if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"The fixture path '{path}' is on the {provider.Name} provider; a fixture must be a file.");
        }

        return resolved;
    }

    /// <summary>
    /// Opens the fixture and routes this runspace's calls through it. A recording that was still running
    /// is stopped (and saved) first, with a warning, so a test file that failed before its cleanup
    /// cannot leave the next one recording into the wrong fixture.
    /// </summary>
    public static RecordingTransport Start(PSCmdlet cmdlet, string fullPath, RecordingOptions options, HumanloopSettingsLayer? connection)
    {
        // Record and Auto reach the endpoint through the same pooled handler (and proxy) as ordinary calls.
        var network = options.Mode == RecordingMode.Replay ? null : HumanloopClient.SharedNetworkHandler(connection?.Proxy, connection?.ProxyCredential);

        // Stopped (and saved) before the new one opens its fixture, which may be the same file.
        if (ConnectionStore.Recording is { } running)
        {
            var summary = Stop(running);
            cmdlet.WriteWarning($"The recording {running.FixturePath} was still running; it was stopped first ({summary}).");
        }

        var started = RecordingTransport.Open(fullPath, options, network);
        ConnectionStore.SetRecording(started);
        return started;
    }

    /// <summary>Saves <paramref name="recording"/> and ends it; it stays in place when saving fails, so Stop can be tried again.</summary>
    public static RecordingSummary Stop(RecordingTransport recording)
    {
        var summary = recording.Save();
        ConnectionStore.RemoveRecording();
        recording.Dispose();
        return summary;
    }
}
