using System;
using System.Collections.Generic;
using System.Management.Automation;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>Records feedback on Humanloop logs, for example a rating of a completion, or takes it back.</summary>
/// <remarks>
/// <para>Records one piece of feedback per log (POST /v4/feedback) and writes it as a Humanloop.Feedback.
/// Feedback on the logs of an experiment counts in its statistics when it matches a positive label.</para>
/// <para>-LogId binds by property name, so completion responses can be piped straight in: a
/// Humanloop.CompletionResponse gives the id of every sample it holds (its LogId property), and so one
/// piece of feedback per sample; logs, completion data items and earlier feedback give their own log.</para>
/// <para>Streamed completions (-Stream) write one Humanloop.CompletionChunk per token. Piped in, only the
/// last chunk of each sample (the one with a FinishReason) carries a LogId, so a streamed sample gets
/// one piece of feedback, recorded once it has finished; the other chunks are passed over. To rate a
/// stream after showing it, keep the assembled response with -ResponseVariable and pipe that.</para>
/// <para>-Value is a string, a number or a boolean. For -Type rating the usual values are good and bad;
/// action, issue, correction and comment are the API's other types, and projects may define more.
/// -Unset instead removes the log's feedback of that type (the API's unset flag, sent without a value).</para>
/// </remarks>
/// <example>
/// <code>Import-Csv ./questions.csv | New-HumanloopExperiment -ExperimentId $experiment.Id | Add-HumanloopFeedback -Type rating -Value good</code>
/// <para>Runs every CSV row through an experiment and rates each produced log good.</para>
/// </example>
/// <example>
/// <code>Add-HumanloopFeedback -LogId data_9sk2 -Type correction -Value 'Refunds take five working days.'</code>
/// <para>Records the answer that should have been given.</para>
/// </example>
/// <example>
/// <code>Get-HumanloopLog -ProjectId $p.Id | Where-Object FinishReason -eq 'length' | Add-HumanloopFeedback -Type issue -Value truncated</code>
/// <para>Flags every cut-off completion of a project.</para>
/// </example>
/// <example>
/// <code>Add-HumanloopFeedback -LogId data_9sk2 -Type rating -Unset</code>
/// <para>Takes back the rating given to a log.</para>
/// </example>
[Cmdlet(VerbsCommon.Add, "HumanloopFeedback", HelpUri = HelpLinks.Cmdlets + "#add-humanloopfeedback", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ValueSet)]
[OutputType(typeof(Feedback))]
public sealed class AddHumanloopFeedbackCommand : ResourceCmdlet
{
    private const string ValueSet = "Value";
    private const string UnsetSet = "Unset";

    private object? _value;

    /// <summary>The logs (data_…) the feedback is about; a completion response piped in gives the logs of all its samples.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyCollection]
    [Alias("DataId", "data_id")]
    public string[] LogId { get; set; } = [];

    /// <summary>The feedback type: rating, action, issue, correction, comment, or one the project defines.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(FeedbackTypeCompleter))]
    public string Type { get; set; } = string.Empty;

    /// <summary>The feedback value: a string (good, bad, a correction's text, …), a number or a boolean.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ValueSet)]
    [ValidateNotNull]
    public object Value { get; set; } = string.Empty;

    /// <summary>Removes the log's feedback of -Type instead of setting a value.</summary>
    [Parameter(Mandatory = true, ParameterSetName = UnsetSet)]
    public SwitchParameter Unset { get; set; }

    /// <summary>Who gave the feedback.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? User { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        if (ParameterSetName == UnsetSet)
        {
            return;
        }

        var plain = PowerShellValues.ToPlain(Value, "-Value");
        if (plain is not (string or bool or byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal))
        {
            ThrowInvalidParameters($"-Value must be a string, a number or a boolean, not a {plain?.GetType().FullName ?? "null"}.");
        }

        _value = plain;
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (LogId.Length == 0)
        {
            // Only a streamed chunk before its sample's last binds an empty list; given by hand it is a mistake.
            if (!MyInvocation.ExpectingInput)
            {
                ThrowInvalidParameters("-LogId is empty; give the ids of the logs the feedback is about.");
            }

            WriteVerbose("Passed over a pipeline input without a log id (a streamed chunk before its sample's last).");
            return;
        }

        foreach (var id in LogId)
        {
            if (string.IsNullOrWhiteSpace(id))
            {
                WriteError(ErrorRecords.InvalidArgument("Humanloop.Input.Invalid", "A log id is empty.", id));
                continue;
            }

            if (ShouldProcess(id, Unset ? $"Unset feedback {Type}" : $"Add feedback {Type} = {_value}"))
            {
                var request = Unset
                    ? new FeedbackRequest { LogId = id, Type = Type, Unset = true, User = User }
                    : new FeedbackRequest { LogId = id, Type = Type, Value = _value, User = User };
                Invoke(id, (client, cancellationToken) => client.AddFeedbackAsync(request, cancellationToken));
            }
        }
    }
}

/// <summary>The feedback types the API defines (projects may define others).</summary>
public sealed class FeedbackTypeCompleter : KnownValuesCompleter
{
    /// <inheritdoc />
    protected override IReadOnlyList<string> Values => KnownFeedbackTypes.All;
}
