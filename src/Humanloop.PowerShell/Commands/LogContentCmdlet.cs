using System;
using System.Collections.Generic;
using System.Management.Automation;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>
/// What a model call produced, as the cmdlets that post a log take it (Add-HumanloopLog, Add-HumanloopEvaluationLog):
/// the same parameters, the same conversions and the same request fields, in one place.
/// </summary>
public abstract class LogContentCmdlet : ResourceCmdlet
{
    private List<ChatMessage>? _messages;
    private ChatMessage? _outputMessage;
    private PSObject? _givenInputs;
    private System.Collections.IDictionary? _givenInputsJson;

    /// <summary>The template inputs: a hashtable or an object with properties; piped objects bind by their Inputs.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public PSObject? Inputs { get; set; }

    /// <summary>What the model answered; piped objects bind by their Output, and a script block computes it from each.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Output { get; set; }

    /// <summary>The chat messages sent: strings (user messages), hashtables with role and content, or Humanloop.ChatMessage objects.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public object[]? Messages { get; set; }

    /// <summary>The chat message the model answered with: a string (an assistant message), a hashtable with role and content, or a Humanloop.ChatMessage.</summary>
    [Parameter]
    [ValidateNotNull]
    public object? OutputMessage { get; set; }

    /// <summary>Why the call failed, for a log without output.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ErrorMessage { get; set; }

    /// <summary>How long the call took: a TimeSpan (a Stopwatch's Elapsed), or a number of seconds.</summary>
    [Parameter]
    [SecondsTransformation]
    public TimeSpan Duration { get; set; }

    /// <summary>Tokens in the prompt.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int PromptTokens { get; set; }

    /// <summary>Tokens generated.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int OutputTokens { get; set; }

    /// <summary>What the confirmation prompt says is about to happen.</summary>
    private protected string LogAction => Output is null ? (ErrorMessage is null ? "Add log" : "Add failed log") : "Add log with output";

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        if (Bound(nameof(Duration)) && Duration < TimeSpan.Zero)
        {
            ThrowInvalidParameters($"-Duration {Duration} is negative: give how long the call took.");
        }

        // The same for every input: a value without a JSON form is a mistake in the invocation.
        try
        {
            _messages = Messages is null ? null : ChatValues.ToMessages(Messages, "-Messages");
            if (Inputs is not null)
            {
                // Given on the command line, so the same for every input (piped objects may still bring their own).
                _givenInputs = Inputs;
                _givenInputsJson = PowerShellValues.ToJsonObject(Inputs, "-Inputs");
            }

            _outputMessage = OutputMessage is null ? null : LogValues.ToOutputMessage(OutputMessage);
        }
        catch (ArgumentException exception)
        {
            ThrowInvalidParameters(exception.Message);
        }
    }

    /// <summary>A log request holding this input's content; the caller adds where the log belongs.</summary>
    /// <exception cref="ArgumentException">-Inputs from a piped object has no JSON form (given on the command line, it stopped the command at the start).</exception>
    private protected LogRequest NewLogRequest() => new()
    {
        Inputs = Inputs is null ? null : ReferenceEquals(Inputs, _givenInputs) ? _givenInputsJson : PowerShellValues.ToJsonObject(Inputs, "-Inputs"),
        Output = Output,
        Messages = _messages,
        OutputMessage = _outputMessage,
        Error = ErrorMessage,
        Duration = Bound(nameof(Duration)) ? Duration.TotalSeconds : null,
        PromptTokens = Bound(nameof(PromptTokens)) ? PromptTokens : null,
        OutputTokens = Bound(nameof(OutputTokens)) ? OutputTokens : null,
    };
}
