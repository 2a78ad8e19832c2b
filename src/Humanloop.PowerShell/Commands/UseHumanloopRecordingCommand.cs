using System;
using System.Management.Automation;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>Runs a script block with its Humanloop calls recorded or replayed, and always stops the recording.</summary>
/// <remarks>
/// <para>Starts a recording as Start-HumanloopRecording does (same parameters), runs the script block,
/// and stops the recording when the block ends, also when it throws; the block's output, errors and
/// other streams flow out as the block writes them. The block runs in the caller's scope, so variables
/// it sets (-ErrorVariable, results) are there afterwards. A recording already running in the runspace
/// is set aside for the block and resumes afterwards, so an error-fixture check in the middle of a test
/// file is one line.</para>
/// <para>Without -Path or -Fixture, inside a Pester test, the fixture is named after the test:
/// fixtures/&lt;Describe&gt;/&lt;Context…&gt;/&lt;It&gt;.json beside the test file, each name as Pester
/// shows it (templates expanded), with the characters &lt; &gt; : " / \ | ? * and control characters
/// replaced by _, leading and trailing spaces and trailing dots removed, and cut at 100 characters. In a
/// Describe's BeforeAll (no test running) the file is named after the blocks: fixtures/&lt;Describe&gt;.json.</para>
/// <para>When the recording cannot be written or -RequireAllUsed finds unused exchanges, that is a
/// terminating error after the block ran, unless the block itself failed: then the block's error is
/// the one thrown and the recording's is written as a non-terminating error.</para>
/// </remarks>
/// <example>
/// <code>Use-HumanloopRecording -Path ./fixtures/refunds.json {
///     New-HumanloopCompletion -Project support -Environment production -Inputs @{ question = 'Can I get a refund?' }
/// }</code>
/// <para>Replays the fixture for the calls in the block, then stops the recording.</para>
/// </example>
/// <example>
/// <code>It 'reports a rate limit' {
///     Use-HumanloopRecording -Fixture RateLimited { New-HumanloopCompletion -ProjectId pr_1 -MaxRetries 0 -ErrorVariable failure -ErrorAction SilentlyContinue }
///     $failure[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
/// }</code>
/// <para>Answers the calls in the block with a ready-made 429; the file's own recording resumes afterwards.</para>
/// </example>
/// <example>
/// <code>Describe 'Refunds' {
///     It 'quotes the policy' {
///         Use-HumanloopRecording -Mode Once -RequireAllUsed {
///             New-HumanloopCompletion -Project support -Environment production -Inputs @{ question = 'Refund?' } |
///                 Should -ContainHumanloopOutput '30 days'
///         }
///     }
/// }</code>
/// <para>Records fixtures/Refunds/quotes the policy.json beside the test file on the first run, and replays it
/// afterwards; the test fails when the fixture holds an exchange the test no longer asks for.</para>
/// </example>
[Cmdlet(VerbsOther.Use, "HumanloopRecording", HelpUri = HelpLinks.Cmdlets + "#use-humanlooprecording", DefaultParameterSetName = PathSet)]
[OutputType(typeof(object))]
public sealed class UseHumanloopRecordingCommand : RecordingCmdlet
{
    /// <summary>The commands to run inside the recording.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    /// <summary>The fixture file, resolved against the current location; when omitted inside a Pester test, named after the test.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Replay (the default), Record, Auto or Once; when omitted, $env:HUMANLOOP_RECORDING_MODE decides.</summary>
    [Parameter]
    public RecordingMode Mode { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var path = Path;
        if (path is null && ParameterSetName == PathSet)
        {
            path = PesterFixtureName.Of(SessionState);
            if (path is null)
            {
                ThrowTerminatingError(ErrorRecords.InvalidParameters(
                    "Use-HumanloopRecording needs -Path or -Fixture outside a Pester test; inside one, it names the fixture after the test."));
                return;
            }
        }

        // The running recording is set aside, not stopped: it resumes, unsaved, once the block is done.
        var outer = ConnectionStore.Recording;
        if (outer is not null && path is not null && ParameterSetName == PathSet &&
            string.Equals(outer.FixturePath, RecordingSessions.ResolvePath(this, path), StringComparison.Ordinal))
        {
            ThrowTerminatingError(ErrorRecords.InvalidParameters($"The fixture {outer.FixturePath} is already being recorded in this runspace; use it without Use-HumanloopRecording, or give the block its own fixture."));
        }

        if (outer is not null)
        {
            ConnectionStore.RemoveRecording();
        }

        try
        {
            var inner = Start(path ?? string.Empty, MyInvocation.BoundParameters.ContainsKey(nameof(Mode)) ? Mode : null)!;
            WriteVerbose($"Running the block with its calls going through {inner.FixturePath} in {inner.Mode} mode.");
            RunAndStop(inner);
        }
        finally
        {
            if (outer is not null)
            {
                ConnectionStore.SetRecording(outer);
            }
        }
    }

    private void RunAndStop(RecordingTransport inner)
    {
        var ran = false;
        try
        {
            ScriptBlockRunner.DotSource(this, ScriptBlock);
            ran = true;
        }
        finally
        {
            // The block failed (or was stopped): its error is the one that matters, so the recording's own goes to the error stream.
            if (!ran)
            {
                try
                {
                    RecordingSessions.Stop(this, inner);
                }
                catch (HumanloopRecordingException exception)
                {
                    WriteError(RecordingSessions.StopFailure(exception, inner));
                }
            }
        }

        try
        {
            var summary = RecordingSessions.Stop(this, inner);
            WriteVerbose(summary.Saved ? $"Wrote {summary.Exchanges} exchange(s) to {summary.Path}." : $"Did not write {summary.Path}: {summary.NotSavedReason}");
        }
        catch (HumanloopRecordingException exception)
        {
            ThrowTerminatingError(RecordingSessions.StopFailure(exception, inner));
        }
    }
}
