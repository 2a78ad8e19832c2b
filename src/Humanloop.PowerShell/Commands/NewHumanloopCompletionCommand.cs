using System.Management.Automation;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>Runs a completion with an inline model config, a stored config, or a project's deployed config.</summary>
/// <remarks>
/// <para>Which API operation runs depends on the parameters: -Model or -ModelConfig sends an inline config
/// (POST /v4/completion); -ModelConfigId uses a stored one (/completion-model-config); otherwise the
/// project's deployed config for -Environment runs (/completion-deployed).</para>
/// <para>Each pipeline input (a hashtable, or an object such as an Import-Csv row) is one request, and
/// results come out in input order as Humanloop.CompletionResponse objects; Output holds the text of a
/// one-sample result. A failed request is written as a non-terminating error whose TargetObject is the
/// input, and the next input still runs.</para>
/// <para>With -Stream, a Humanloop.CompletionChunk is written for each server-sent event the moment it
/// arrives (its ToString() is the new text), and -ResponseVariable receives the complete response
/// assembled from the chunks, so nothing has to be joined by hand. A stream that ends before every sample
/// finished, or that carries a chunk which is not valid JSON, is an error that carries the raw text. When the
/// output is only shown (the last command at the prompt), the text flows onto the screen as it arrives instead,
/// each sample apart and followed by its finish reason, tokens and log id; assigned, piped or redirected, the
/// chunks are written. After Ctrl+C, -ResponseVariable holds what had arrived.</para>
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
/// <code>New-HumanloopCompletion -Project limericks -Provider mock -Model mock-1 -PromptTemplate 'Write a limerick about {{topic}}' -Inputs @{ topic = 'otters' }</code>
/// <para>Runs an inline config (the local server's mock provider) and writes the response.</para>
/// </example>
/// <example>
/// <code>New-HumanloopCompletion -Project support -Environment production -Inputs @{ question = 'How do I reset my password?' } -Stream -ResponseVariable answer
/// $answer.Usage</code>
/// <para>Streams the deployed prompt's answer onto the screen as it arrives, then shows the token usage of the assembled response.</para>
/// </example>
/// <example>
/// <code>Import-Csv ./cases.csv | New-HumanloopCompletion -ModelConfigId config_7Hd2 -ErrorAction Continue |
///     Select-Object @{ n = 'Topic'; e = { $_.Data[0].Inputs.topic } }, Output</code>
/// <para>Runs a stored config once per CSV row and tabulates each row's answer.</para>
/// </example>
/// <example>
/// <code>New-HumanloopCompletion -Project p -ModelConfig @{ model = 'gpt-4o'; prompt_template = 'Summarise: {{text}}'; max_tokens = 200 } -Inputs @{ text = $doc }</code>
/// <para>Gives the inline config as a hashtable keyed by the API's field names.</para>
/// </example>
/// <example>
/// <code>Import-Csv ./prompts.csv | New-HumanloopCompletion -ModelConfigId config_7Hd2 -ThrottleLimit 16 -ErrorVariable failed |
///     Select-Object @{ n = 'Topic'; e = { $_.Data[0].Inputs.topic } }, Output | Export-Csv ./answers.csv</code>
/// <para>Runs sixteen requests at once over a CSV of hundreds of rows, slowing down by itself if the server rate-limits; the answers come out in row order, and $failed holds an error record for each row that failed (the row is its TargetObject).</para>
/// </example>
[Cmdlet(VerbsCommon.New, "HumanloopCompletion", HelpUri = HelpLinks.Cmdlets + "#new-humanloopcompletion", DefaultParameterSetName = DeployedSet)]
[OutputType(typeof(CompletionResponse), typeof(CompletionChunk))]
public sealed class NewHumanloopCompletionCommand : InlineConfigCommandBase, IInlineModelConfigParameters
{
    /// <summary>An inline config: a hashtable keyed by the API's field names, or a typed config.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ModelConfigSet)]
    [ModelConfigTransformation]
    public ModelConfigCompletionRequest? ModelConfig { get; set; }

    /// <summary>The prompt template with {{name}} variables, for an inline config.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ModelSet)]
    [ValidateNotNullOrEmpty]
    public string? PromptTemplate { get; set; }

    /// <summary>Include log-probabilities of the top n tokens.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int Logprobs { get; set; }

    /// <summary>Text after an inserted completion.</summary>
    [Parameter]
    public string? Suffix { get; set; }

    /// <inheritdoc />
    protected override GenerationRequest CreateRequest()
    {
        CompletionRequestBase request = ParameterSetName switch
        {
            ModelConfigIdSet => new CompletionModelConfigRequest { ModelConfigId = ModelConfigId },
            ModelSet or ModelConfigSet => new CompletionRequest { ModelConfig = InlineModelConfig.Build(this, MyInvocation.BoundParameters) },
            _ => new CompletionDeployedRequest { Environment = DeployedEnvironment() },
        };
        request.Logprobs = Bound(nameof(Logprobs)) ? Logprobs : null;
        request.Suffix = Suffix;
        return request;
    }
}
