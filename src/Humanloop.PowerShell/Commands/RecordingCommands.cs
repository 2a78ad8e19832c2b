using System;
using System.Management.Automation;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>Starts recording or replaying the Humanloop calls of this runspace, for offline, repeatable tests.</summary>
/// <remarks>
/// <para>Every Humanloop call in this runspace then goes through the fixture file given by -Path, until
/// Stop-HumanloopRecording. Replay answers from the file and never touches the network, so it needs
/// no API key; Record sends every call to the real endpoint and saves each exchange; Auto replays what
/// the file has and records what it lacks; Once records when the file does not exist and otherwise
/// replays it, failing on anything new. Without -Mode, the mode comes from $env:HUMANLOOP_RECORDING_MODE,
/// else Replay: the same tests re-record when that variable says so.</para>
/// <para>Requests match recordings by method, path and JSON body, whatever the call order; metadata and
/// the fields named by -IgnoreField are left out of the comparison. When several recordings match, they
/// answer in recorded order (a recorded 503 and then the 200 of the retry replay as such); once all have
/// answered, a further identical request is an error unless -AllowRepeats lets the last answer repeat. A
/// request with no recording is an error that names the closest recorded request and how it differs.</para>
/// <para>Streams are recorded event by event and replayed as streams (with the recorded pacing when
/// -Pacing is given), and errors replay as the same status and body, so -Stream and error paths can be
/// tested offline; use -MaxRetries 0 to see a recorded 429 or 5xx as the error it was. Before anything
/// is written, the X-API-KEY header, provider_api_keys values, the fields named by -ScrubField and the
/// matches of -ScrubPattern are masked as ****. A run that got a 401 or 403, or recorded nothing, never
/// replaces a fixture that holds exchanges, and files are written through a temporary file, so a failed
/// or killed run leaves the previous fixture intact.</para>
/// <para>-Fixture replays one of the error fixtures that ship with the module (RateLimited, QuotaExhausted,
/// Unauthorized, ServiceUnavailable, ValidationError), which answer any call, as often as asked. They always
/// replay: HUMANLOOP_RECORDING_MODE does not apply to them, and recording into the module's folder is
/// refused. See docs/recording.md for the file format.</para>
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
/// <code>Start-HumanloopRecording -Path ./fixtures/summaries.json -Mode Once</code>
/// <para>Records the fixture if it does not exist yet; from then on replays it, and a request it lacks is an error.</para>
/// </example>
/// <example>
/// <code>Start-HumanloopRecording -Path ./fixtures/polling.json -AllowRepeats -RequireAllUsed</code>
/// <para>Lets the last recorded answer repeat for code that polls, and makes Stop-HumanloopRecording fail,
/// naming them, when recorded exchanges were never replayed.</para>
/// </example>
/// <example>
/// <code>Start-HumanloopRecording -Fixture RateLimited
/// New-HumanloopCompletion -ProjectId pr_1 -MaxRetries 0 -ErrorVariable failure -ErrorAction SilentlyContinue</code>
/// <para>Replays a ready-made fixture that answers every call with 429, to test an error path.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Start, "HumanloopRecording", HelpUri = HelpLinks.Cmdlets + "#start-humanlooprecording", DefaultParameterSetName = PathSet)]
[OutputType(typeof(void))]
public sealed class StartHumanloopRecordingCommand : RecordingCmdlet
{
    /// <summary>The fixture file, resolved against the current location; created by Record, Auto and Once when missing.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Replay (the default), Record, Auto or Once; when omitted, $env:HUMANLOOP_RECORDING_MODE decides.</summary>
    [Parameter(Position = 1)]
    public RecordingMode Mode { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var started = Start(Path, MyInvocation.BoundParameters.ContainsKey(nameof(Mode)) ? Mode : null);
        if (started is not null)
        {
            WriteVerbose($"Calls in this runspace now go through {started.FixturePath} in {started.Mode} mode{(started.Pacing ? " with pacing" : string.Empty)}.");
        }
    }
}

/// <summary>The parameters and the start of a recording, shared by Start-HumanloopRecording and Use-HumanloopRecording.</summary>
public abstract class RecordingCmdlet : PSCmdlet
{
    /// <summary>The parameter set that names a fixture file.</summary>
    protected const string PathSet = "Path";

    /// <summary>The parameter set that names a ready-made fixture.</summary>
    protected const string FixtureSet = "Fixture";

    /// <summary>
    /// A ready-made error fixture shipped with the module, which answers any call: RateLimited (429,
    /// Retry-After 1), QuotaExhausted (429, Retry-After 3600), Unauthorized (401), ServiceUnavailable (503),
    /// ValidationError (422). It always replays.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = FixtureSet)]
    public ReadyMadeFixture Fixture { get; set; }

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

    /// <summary>
    /// Once every recording of a request has answered, the last one answers again. Without it a further
    /// identical request is an error in Replay and Once (Auto records it afresh).
    /// </summary>
    [Parameter]
    public SwitchParameter AllowRepeats { get; set; }

    /// <summary>Stop-HumanloopRecording fails, naming them, when recorded exchanges of the fixture were never replayed.</summary>
    [Parameter]
    public SwitchParameter RequireAllUsed { get; set; }

    /// <summary>
    /// Starts the recording the parameters describe, in <paramref name="mode"/> (null: from the environment),
    /// on <paramref name="path"/> unless -Fixture names a ready-made one. Ends the command with a terminating
    /// error when the recording cannot start.
    /// </summary>
    private protected RecordingTransport? Start(string path, RecordingMode? mode)
    {
        try
        {
            var named = ParameterSetName == FixtureSet;
            var options = new RecordingOptions
            {
                Mode = named ? ReadyMadeFixtures.ModeFor(this, Fixture, mode) : RecordingSessions.ResolveMode(mode),
                Pacing = Pacing.IsPresent,

                // A ready-made fixture holds one answer for any call, given as often as asked.
                AllowRepeats = AllowRepeats.IsPresent || named,
                RequireAllUsed = RequireAllUsed.IsPresent,
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

            var fullPath = named ? ReadyMadeFixtures.PathOf(Fixture) : RecordingSessions.ResolvePath(this, path);
            return RecordingSessions.Start(this, fullPath, options, ConnectionStore.Current);
        }
        catch (ArgumentException exception)
        {
            ThrowTerminatingError(ErrorRecords.Of(exception, "Humanloop.Recording.InvalidSetting", ErrorCategory.InvalidArgument, path));
            return null;
        }
        catch (HumanloopRecordingException exception)
        {
            ThrowTerminatingError(ErrorRecords.Of(exception, "Humanloop.Recording.FixtureUnavailable", ErrorCategory.ReadError, path));
            return null;
        }
    }
}

/// <summary>Stops this runspace's recording, writes the fixture (Record, Auto and Once), and reports what it did.</summary>
/// <remarks>
/// <para>Record writes every exchange of the session, replacing the file; Auto writes the file only when
/// something new was recorded; Once writes only when it recorded a fixture that did not exist; Replay
/// writes nothing. Secrets are masked before the file is written, through a temporary file in the same
/// folder that then replaces the fixture. A run that got a 401 or 403, or recorded nothing, does not
/// replace a fixture that holds exchanges: the file is kept, with a warning. Calls made afterwards go to
/// the network again.</para>
/// <para>Writes a Humanloop.RecordingSummary: Replayed (answered from the file), Recorded (sent), Unused
/// and UnusedExchanges (recordings nothing asked for: in Replay or Auto, a sign of stale fixtures),
/// Exchanges (in the file now), Saved, and NotSavedReason when it was not saved. When the recording was
/// started with -RequireAllUsed and recordings went unused, the summary is written and then a terminating
/// error names each unused exchange.</para>
/// </remarks>
/// <example>
/// <code>AfterAll { Stop-HumanloopRecording | Out-Null }</code>
/// <para>Ends the recording at the end of a Pester file, whatever the tests did.</para>
/// </example>
/// <example>
/// <code>Stop-HumanloopRecording | Format-List Path, Mode, Replayed, Recorded, Unused, Saved, NotSavedReason</code>
/// <para>Shows what the recording did, and why the file was not written when it was not.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Stop, "HumanloopRecording", HelpUri = HelpLinks.Cmdlets + "#stop-humanlooprecording")]
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
            summary = RecordingSessions.Stop(this, active);
        }
        catch (HumanloopRecordingException exception)
        {
            if (exception.Summary is { } ended)
            {
                WriteObject(ended);
            }

            ThrowTerminatingError(RecordingSessions.StopFailure(exception, active));
            return;
        }

        WriteVerbose(summary.Saved ? $"Wrote {summary.Exchanges} exchange(s) to {summary.Path}." : $"Did not write {summary.Path}: {summary.NotSavedReason}");
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

        throw new ArgumentException($"The {ModeVariable} environment variable holds '{text}'; it must be Replay, Record, Auto or Once.");
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
    /// <exception cref="ArgumentException">The fixture is inside the module's folder and the mode could write it.</exception>
    public static RecordingTransport Start(PSCmdlet cmdlet, string fullPath, RecordingOptions options, HumanloopSettingsLayer? connection)
    {
        if (options.Mode != RecordingMode.Replay && ReadyMadeFixtures.IsInsideModule(fullPath))
        {
            throw new ArgumentException(
                $"The fixture {fullPath} is inside the Humanloop module's folder ({ReadyMadeFixtures.ModuleFolder}), and {options.Mode} mode could write it. "
                + "The module's files are replaced on upgrade and shared by every test: record into your tests' folder, "
                + $"and replay a ready-made fixture by name ({ReadyMadeFixtures.Names}), for example Start-HumanloopRecording -Fixture RateLimited.");
        }

        // Record and Auto reach the endpoint through the same pooled handler (and proxy) as ordinary calls.
        var network = options.Mode == RecordingMode.Replay ? null : HumanloopClient.SharedNetworkHandler(connection?.Proxy, connection?.ProxyCredential);

        // Stopped (and saved) before the new one opens its fixture, which may be the same file.
        if (ConnectionStore.Recording is { } running)
        {
            var summary = Stop(cmdlet, running);
            cmdlet.WriteWarning($"The recording {running.FixturePath} was still running; it was stopped first ({summary}).");
        }

        var started = RecordingTransport.Open(fullPath, options, network);
        ConnectionStore.SetRecording(started);
        return started;
    }

    /// <summary>
    /// Saves <paramref name="recording"/> and ends it, warning when it kept the file it would have written;
    /// it stays in place when saving fails, so Stop can be tried again. A -RequireAllUsed failure comes after
    /// the recording ended.
    /// </summary>
    /// <exception cref="HumanloopRecordingException">The file could not be written, or recorded exchanges went unused under -RequireAllUsed.</exception>
    public static RecordingSummary Stop(PSCmdlet cmdlet, RecordingTransport recording)
    {
        RecordingSummary summary;
        try
        {
            summary = recording.Save();
        }
        catch (HumanloopRecordingException exception) when (exception.Summary is not null)
        {
            End(recording);
            throw;
        }

        End(recording);
        if (summary.Refused)
        {
            cmdlet.WriteWarning($"The fixture {summary.Path} was not written: {summary.NotSavedReason}");
        }

        return summary;
    }

    /// <summary>The terminating error of a recording that could not stop cleanly.</summary>
    public static ErrorRecord StopFailure(HumanloopRecordingException exception, RecordingTransport recording) =>
        exception.Summary is null
            ? ErrorRecords.Of(exception, "Humanloop.Recording.FixtureUnavailable", ErrorCategory.WriteError, recording.FixturePath)
            : ErrorRecords.Of(exception, "Humanloop.Recording.UnusedExchanges", ErrorCategory.InvalidResult, recording.FixturePath);

    private static void End(RecordingTransport recording)
    {
        if (ReferenceEquals(ConnectionStore.Recording, recording))
        {
            ConnectionStore.RemoveRecording();
        }

        recording.Dispose();
    }
}
