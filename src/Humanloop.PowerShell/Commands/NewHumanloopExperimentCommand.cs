using System.Management.Automation;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>Runs a completion or a chat through an experiment: each sample uses a model config the server picks from it.</summary>
/// <remarks>
/// <para>Calls the API's Create Experiment operation (POST /v4/completion-experiment), or with -Messages
/// the Chat Experiment operation (POST /v4/chat-experiment). The config chosen
/// for each sample is reported in Data[i].ModelConfigId; when the experiment has positive labels and its
/// logs get feedback, the server favours the configs that earn positive feedback.</para>
/// <para>Each pipeline input (a hashtable, or an object such as an Import-Csv row) is one request, and
/// results come out in input order. A failed request is written as a non-terminating error carrying the
/// input, and the next input still runs. With -Stream, Humanloop.CompletionChunk objects are written as
/// they arrive; -ResponseVariable receives the assembled Humanloop.CompletionResponse.</para>
/// </remarks>
/// <example>
/// <code>Import-Csv ./questions.csv | New-HumanloopExperiment -ExperimentId exp_4XqR2 -ProjectId pr_8fK1</code>
/// <para>Runs one experiment completion per CSV row; the row's columns are the template inputs.</para>
/// </example>
/// <example>
/// <code>New-HumanloopExperiment exp_4XqR2 -Inputs @{ topic = 'tides' } -Stream | ForEach-Object { Write-Host $_ -NoNewline }</code>
/// <para>Streams the text to the console as it is generated.</para>
/// </example>
/// <example>
/// <code>New-HumanloopExperiment exp_9Lk3 -Messages 'Where is my order?' -ProjectId pr_8fK1 | Select-Object -ExpandProperty Message</code>
/// <para>Runs a chat experiment: the server samples one of the experiment's chat configs and answers the message.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "HumanloopExperiment")]
[OutputType(typeof(CompletionResponse), typeof(CompletionChunk), typeof(ChatResponse), typeof(ChatChunk))]
public sealed class NewHumanloopExperimentCommand : GenerationCommandBase
{
    /// <summary>The experiment id (exp_…).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    [Alias("experiment_id")]
    public string? ExperimentId { get; set; }

    /// <summary>Chat messages: strings (user messages), hashtables (role, content) or Humanloop.ChatMessage objects; runs a chat experiment.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public object[]? Messages { get; set; }

    /// <summary>Include log-probabilities of the top n tokens (completions only).</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int Logprobs { get; set; }

    /// <summary>Text after an inserted completion (completions only).</summary>
    [Parameter]
    public string? Suffix { get; set; }

    /// <inheritdoc />
    protected override GenerationRequest CreateRequest()
    {
        if (Messages is null)
        {
            return new CompletionExperimentRequest { ExperimentId = ExperimentId, Logprobs = Bound(nameof(Logprobs)) ? Logprobs : null, Suffix = Suffix };
        }

        if (Bound(nameof(Logprobs)) || Suffix is not null)
        {
            throw new System.ArgumentException("-Logprobs and -Suffix apply to completions; a chat experiment (-Messages) takes neither.");
        }

        return new ChatExperimentRequest { ExperimentId = ExperimentId, Messages = ChatValues.ToMessages(Messages, "-Messages") };
    }
}
