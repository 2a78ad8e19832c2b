using System;
using System.Collections.Generic;
using System.Management.Automation;
using Humanloop.Judging;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Checks;

/// <summary>
/// The Pester face of a check: a cmdlet named Assert-Humanloop&lt;Check&gt;, called through its alias
/// Should-Humanloop&lt;Check&gt;, that takes pipeline input like Pester 6's own Should-* commands, passes
/// silently, and fails through Pester's failure path (so -ErrorAction Continue makes a soft assertion).
/// </summary>
/// <remarks>
/// The commands are cmdlets with the approved verb Assert and Should-* aliases, as Pester advises for
/// modules that ship assertions: a command exported with the verb Should makes Import-Module warn about
/// unapproved verbs unless Pester happened to be imported a moment before.
/// </remarks>
public abstract class AssertionCmdlet : PesterAssertionCmdlet
{
    private readonly List<object?> _actual = [];

    /// <summary>What to check: responses, their Data items, stream chunks or strings; usually piped.</summary>
    [Parameter(ValueFromPipeline = true)]
    [AllowNull]
    [AllowEmptyCollection]
    public object?[]? Actual { get; set; }

    /// <summary>Negates the check: no sample may satisfy it (with -AtLeast, at least that many must not).</summary>
    [Parameter]
    public SwitchParameter Not { get; set; }

    /// <summary>Passes when at least this many samples (or responses) pass, rather than every one.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int AtLeast { get; set; }

    /// <summary>Why the check matters; shown in the failure message.</summary>
    [Parameter]
    public string? Because { get; set; }


    /// <summary>The check this assertion applies, built from its parameters.</summary>
    /// <exception cref="ArgumentException">The parameters do not make a check.</exception>
    protected abstract OutputCheck BuildCheck();

    /// <summary>
    /// The checks this assertion applies, each with whether it is negated: the one check of
    /// <see cref="BuildCheck"/> by default; an assertion over several expectations gives one per expectation.
    /// </summary>
    /// <exception cref="ArgumentException">The parameters do not make checks.</exception>
    protected virtual IReadOnlyList<(OutputCheck Check, bool Not)> BuildChecks() => [(BuildCheck(), Not.IsPresent)];

    /// <inheritdoc />
    protected override void ProcessRecord() => CheckParameters.Collect(_actual, Actual);

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var checks = CheckParameters.Build(this, BuildChecks, AssertionName);
        var failures = new List<string>();
        var context = new CheckContext(action => OnPipelineThreadAsync(action), () => Client);
        RunAsync(async cancellationToken =>
        {
            foreach (var (check, not) in checks)
            {
                var mode = new CheckMode(not, Bound(nameof(AtLeast)) ? AtLeast : null);
                var report = await CheckEngine.RunAsync(check, _actual, mode, context, cancellationToken).ConfigureAwait(false);
                if (report.FailureMessage(AssertionName, Because) is { } message)
                {
                    failures.Add(message);
                }
            }
        });
        if (failures.Count > 0)
        {
            Fail(string.Join("\n", failures));
        }
    }
}

/// <summary>
/// What every Pester assertion of the module shares: the Should-Humanloop&lt;Name&gt; alias it is called by
/// (made by Humanloop.Pester.ps1 for every cmdlet derived from this), and failing the way Pester 6's own
/// assertions fail when Pester is loaded, or with a terminating error when it is not.
/// </summary>
public abstract class PesterAssertionCmdlet : RunspaceClientCmdlet
{
    private const string PesterFailure = "param($caller, $message) (New-ShouldAssertion -Caller $caller -As None).Fail($message)";

    /// <summary>The name users call the assertion by: Should-Humanloop&lt;Name&gt;.</summary>
    protected string AssertionName => "Should-" + MyInvocation.MyCommand.Name["Assert-".Length..];

    /// <summary>Fails as Pester's own assertions do when Pester 6 is loaded; otherwise with a terminating error.</summary>
    protected void Fail(string message)
    {
        if (InvokeCommand.GetCommand("New-ShouldAssertion", CommandTypes.Function) is not null)
        {
            try
            {
                InvokeCommand.InvokeScript(false, ScriptBlock.Create(PesterFailure), null, this, message);
                return;
            }
            catch (RuntimeException failed)
            {
                ThrowTerminatingError(failed.ErrorRecord);
            }
        }

        ThrowTerminatingError(new ErrorRecord(new HumanloopAssertionException(message), "Humanloop.Check.Failed", ErrorCategory.InvalidResult, null));
    }
}

/// <summary>A Should-Humanloop… assertion failed outside Pester.</summary>
public sealed class HumanloopAssertionException(string message) : Exception(message);

/// <summary>What the check cmdlets share in turning parameters into checks.</summary>
internal static class CheckParameters
{
    /// <summary>Builds a check, turning a bad parameter into the terminating error of an invalid invocation.</summary>
    public static T Build<T>(PSCmdlet cmdlet, Func<T> build, string shownName)
    {
        try
        {
            return build();
        }
        catch (UnusableSchemaException unusable)
        {
            // The problem alone stays inside, for callers that name the schema's command differently.
            var worded = new UnusableSchemaException($"The -Schema given to {shownName} {unusable.Message}", unusable);
            cmdlet.ThrowTerminatingError(ErrorRecords.Of(worded, "Humanloop.Check.UnusableSchema", ErrorCategory.InvalidArgument, null));
            throw;
        }
        catch (ArgumentException invalid)
        {
            cmdlet.ThrowTerminatingError(ErrorRecords.InvalidArgument("Humanloop.Check.InvalidCheck", $"{shownName}: {invalid.Message}", null));
            throw;
        }
    }

    /// <summary>
    /// Keeps what one pipeline input (or the parameter) gave, for judging at the end: a stream's chunks are
    /// only samples once all of them are in. A null input is kept, so the check can say it got one.
    /// </summary>
    public static void Collect(List<object?> inputs, object?[]? given)
    {
        if (given is null)
        {
            inputs.Add(null);
            return;
        }

        inputs.AddRange(given);
    }

    /// <summary>A -Schema value as a schema; null when none was given.</summary>
    public static JsonSchemaRule? Schema(PSCmdlet cmdlet, object? schema) => schema is null
        ? null
        : JsonSchemaRule.From(schema, path => cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path));

    /// <summary>A -Tools value as the tool definitions a chat request offers.</summary>
    public static IReadOnlyList<ToolDefinition> Tools(object[] tools) => ChatTools.From(tools, _ => null).Definitions;
}
