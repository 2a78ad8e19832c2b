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
/// <para>With -ThrottleLimit N (up to 64), up to N requests run at once for the piped inputs, on one
/// connection, while the pipeline goes on reading inputs. Results still come out in input order: one that
/// finishes early waits only for those before it. -Unordered writes each as it finishes instead, with
/// InputIndex, its input's position from 0. Either way every input ends in exactly one result or one error
/// record, retries and timeouts included. A 429 halves how many run at once (never below one; once for a
/// burst of them), and each run of as many successes in a row as are allowed raises it by one, back up to N;
/// a Retry-After (up to a minute) holds every new request until it has passed. With -Stream the chunks of the
/// earliest unfinished input are written live, and those of later inputs follow, together, when their turn
/// comes (with -Unordered: as they arrive, each with InputIndex). In an interactive session a progress bar
/// shows how many are done, failed and in flight, the rate, and the time left once the last input is read;
/// -Verbose tells when the limit or a hold changes.</para>
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
/// <example>
/// <code>Import-Csv ./questions.csv | New-HumanloopExperiment -ExperimentId exp_4XqR2 -ProjectId pr_8fK1 -ThrottleLimit 8</code>
/// <para>Runs the experiment over every row, eight requests at a time, results in row order.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "HumanloopExperiment", HelpUri = HelpLinks.Cmdlets + "#new-humanloopexperiment")]
[OutputType(typeof(CompletionResponse), typeof(CompletionChunk), typeof(ChatResponse), typeof(ChatChunk))]
public sealed class NewHumanloopExperimentCommand : GenerationCommandBase
{
    /// <summary>The experiment id (exp_…).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    [Alias("experiment_id")]
    [ArgumentCompleter(typeof(ExperimentIdCompleter))]
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
