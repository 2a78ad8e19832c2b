using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Humanloop.PowerShell.Checks;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>Checks generated output and returns a typed report per check, without throwing.</summary>
/// <remarks>
/// <para>Takes what the generation cmdlets write: CompletionResponse and ChatResponse objects (every sample
/// is checked; for a chat, the assistant message's text), their Data items, the CompletionChunk or ChatChunk
/// objects of a stream (assembled per sample), or plain strings. One parameter names the check; it is
/// applied to every sample and a Humanloop.PowerShell.Checks.CheckReport is written: Passed, PassedCount of
/// Total, and Results, one per sample, each with Passed, Score (for scoring checks), Reason, Index, LogId and
/// Output. Input the check cannot read gives a report that did not pass, with the reason in Problem.</para>
/// <para>Text: -Equal, -Contain (any of the texts; -All for every one), -StartWith, -Match (a .NET regular
/// expression), all case-sensitive unless -CaseInsensitive; -WordCount (words are runs of non-whitespace).
/// Similarity: -Levenshtein with -MaxDistance; -Rouge (ROUGE-N recall, -N 1 by default) and -Bleu (BLEU-4)
/// with -Threshold (0.75 and 0.5 by default). Structure: -Json and -ContainJson, each optionally with
/// -Schema; -Xml. Tools (chats): -ValidToolCalls with the -Tools the request offered; -ToolCall, optionally
/// with -Arguments. Run facts: -FinishReason; -MaxTokens and -MaxLatency, which judge whole responses (the
/// chunks of a stream do not carry the duration: check the response from -ResponseVariable). -Satisfy
/// runs a script block for each sample. Model-graded: -Rubric, -Factuality (a reference answer), -ClosedQa (a
/// question) with -Criterion, each optionally with -MinScore, graded by the runspace's grader
/// (Set-HumanloopGrader). -TestCase applies a test case's expectations (Import-HumanloopTestCase), one report
/// each; -Check takes check objects built elsewhere.</para>
/// <para>Modes: every sample must pass (default); -AtLeast K passes when K samples do; -Not negates the
/// check. docs/testing.md lists every check with the formulas of the metrics. The Should-Humanloop…
/// assertions for Pester run the same checks and fail with report.FailureMessage.</para>
/// </remarks>
/// <example>
/// <code>$report = $response | Test-HumanloopOutput -Contain 'refund', '30 days' -All -CaseInsensitive
/// if (-not $report.Passed) { $report.Failures | Format-Table Index, LogId, Reason, Output }</code>
/// <para>Checks that every sample mentions both texts, and lists the samples that do not.</para>
/// </example>
/// <example>
/// <code>$chunks = New-HumanloopCompletion -ProjectId $id -Inputs @{ q = 'x' } -NumSamples 5 -Stream
/// ($chunks | Test-HumanloopOutput -Json -Schema ./answer.schema.json -AtLeast 4).Passed</code>
/// <para>True when at least four of the five streamed samples are JSON valid against the schema file.</para>
/// </example>
/// <example>
/// <code>$case = Import-HumanloopTestCase ./cases.csv | Select-Object -First 1
/// New-HumanloopCompletion -Project support -Inputs $case.Inputs | Test-HumanloopOutput -TestCase $case | Format-Table Check, Passed, PassedCount, Total</code>
/// <para>Reports on every expectation of a test case, without throwing.</para>
/// </example>
/// <example>
/// <code>$answer | Test-HumanloopOutput -Rubric "apologises and names the 'refund' policy" -MinScore 0.7</code>
/// <para>Has the runspace's grader judge every sample by the rubric; the results carry its reasons and log ids.</para>
/// </example>
/// <example>
/// <code>Test-HumanloopOutput -InputObject 'the cat sat on the mat' -Rouge 'the cat is on the mat' -N 2 -Threshold 0.5</code>
/// <para>Scores the text's ROUGE-2 recall (3 of the reference's 5 word pairs: 0.6) and passes it against 0.5.</para>
/// </example>
[Cmdlet(VerbsDiagnostic.Test, "HumanloopOutput", HelpUri = HelpLinks.Cmdlets + "#test-humanloopoutput", DefaultParameterSetName = CheckSet)]
[OutputType(typeof(CheckReport))]
public sealed class TestHumanloopOutputCommand : RunspaceClientCmdlet
{
    private const string EqualSet = "Equal";
    private const string ContainSet = "Contain";
    private const string StartWithSet = "StartWith";
    private const string MatchSet = "Match";
    private const string WordCountSet = "WordCount";
    private const string LevenshteinSet = "Levenshtein";
    private const string RougeSet = "Rouge";
    private const string BleuSet = "Bleu";
    private const string JsonSet = "Json";
    private const string ContainJsonSet = "ContainJson";
    private const string XmlSet = "Xml";
    private const string ValidToolCallsSet = "ValidToolCalls";
    private const string ToolCallSet = "ToolCall";
    private const string FinishReasonSet = "FinishReason";
    private const string MaxTokensSet = "MaxTokens";
    private const string MaxLatencySet = "MaxLatency";
    private const string SatisfySet = "Satisfy";
    private const string RubricSet = "Rubric";
    private const string FactualitySet = "Factuality";
    private const string ClosedQaSet = "ClosedQa";
    private const string TestCaseSet = "TestCase";
    private const string CheckSet = "Check";

    private readonly List<object?> _inputs = [];

    /// <summary>What to check: responses, their Data items, stream chunks or strings.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [AllowNull]
    [AllowEmptyCollection]
    public object?[]? InputObject { get; set; }

    /// <summary>The text every sample must equal.</summary>
    [Parameter(Mandatory = true, ParameterSetName = EqualSet)]
    [AllowEmptyString]
    public string Equal { get; set; } = string.Empty;

    /// <summary>Texts a sample must contain: any one of them, or with -All every one.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ContainSet)]
    [ValidateNotNullOrEmpty]
    public string[] Contain { get; set; } = [];

    /// <summary>With -Contain: every text must be present, not just one.</summary>
    [Parameter(ParameterSetName = ContainSet)]
    public SwitchParameter All { get; set; }

    /// <summary>The text every sample must start with.</summary>
    [Parameter(Mandatory = true, ParameterSetName = StartWithSet)]
    [ValidateNotNullOrEmpty]
    public string StartWith { get; set; } = string.Empty;

    /// <summary>A .NET regular expression every sample must match (anywhere, unless anchored with ^ or $).</summary>
    [Parameter(Mandatory = true, ParameterSetName = MatchSet)]
    [ValidateNotNullOrEmpty]
    public string Match { get; set; } = string.Empty;

    /// <summary>With -Equal, -Contain, -StartWith and -Match: ignore case.</summary>
    [Parameter(ParameterSetName = EqualSet)]
    [Parameter(ParameterSetName = ContainSet)]
    [Parameter(ParameterSetName = StartWithSet)]
    [Parameter(ParameterSetName = MatchSet)]
    public SwitchParameter CaseInsensitive { get; set; }

    /// <summary>The words a sample may have: two numbers (the fewest and the most) or one (exactly that many). Words are runs of non-whitespace.</summary>
    [Parameter(Mandatory = true, ParameterSetName = WordCountSet)]
    [ValidateCount(1, 2)]
    public int[] WordCount { get; set; } = [];

    /// <summary>The reference text a sample must be close to, in Levenshtein distance (single-character insertions, deletions and substitutions).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LevenshteinSet)]
    [AllowEmptyString]
    public string Levenshtein { get; set; } = string.Empty;

    /// <summary>With -Levenshtein: the most edits a sample may be from the reference.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LevenshteinSet)]
    [ValidateRange(0, int.MaxValue)]
    public int MaxDistance { get; set; }

    /// <summary>The reference text for ROUGE-N recall: the share of the reference's n-grams (counted with clipping) found in the sample.</summary>
    [Parameter(Mandatory = true, ParameterSetName = RougeSet)]
    [ValidateNotNullOrEmpty]
    public string Rouge { get; set; } = string.Empty;

    /// <summary>With -Rouge: the n-gram length (1 by default: single words).</summary>
    [Parameter(ParameterSetName = RougeSet)]
    [ValidateRange(1, 10)]
    public int N { get; set; } = 1;

    /// <summary>The reference texts for BLEU-4 (clipped n-gram precision for n = 1 to 4, add-one smoothing from n = 2, brevity penalty).</summary>
    [Parameter(Mandatory = true, ParameterSetName = BleuSet)]
    [ValidateNotNullOrEmpty]
    public string[] Bleu { get; set; } = [];

    /// <summary>With -Rouge or -Bleu: the score, 0 to 1, a sample must reach (defaults: 0.75 for ROUGE, 0.5 for BLEU).</summary>
    [Parameter(ParameterSetName = RougeSet)]
    [Parameter(ParameterSetName = BleuSet)]
    [ValidateRange(0.0, 1.0)]
    public double Threshold { get; set; }

    /// <summary>Every sample must be one JSON value (with -Schema, valid against it).</summary>
    [Parameter(Mandatory = true, ParameterSetName = JsonSet)]
    public SwitchParameter Json { get; set; }

    /// <summary>Every sample must contain a JSON object or array somewhere in its text (with -Schema, one valid against it).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ContainJsonSet)]
    public SwitchParameter ContainJson { get; set; }

    /// <summary>With -Json or -ContainJson: a JSON Schema, as JSON text, a hashtable, or the path of a file.</summary>
    [Parameter(ParameterSetName = JsonSet)]
    [Parameter(ParameterSetName = ContainJsonSet)]
    [ValidateNotNull]
    public object? Schema { get; set; }

    /// <summary>Every sample must be one well-formed XML document.</summary>
    [Parameter(Mandatory = true, ParameterSetName = XmlSet)]
    public SwitchParameter Xml { get; set; }

    /// <summary>Every chat sample must call at least one tool, each call naming an offered tool with arguments valid against its parameter schema.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ValidToolCallsSet)]
    public SwitchParameter ValidToolCalls { get; set; }

    /// <summary>With -ValidToolCalls (or a -TestCase with tools-valid): the tools the request offered, in any form New-HumanloopChat -Tools takes (commands, hashtables, ToolDefinition objects). A response does not say which tools were offered.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ValidToolCallsSet)]
    [Parameter(ParameterSetName = TestCaseSet)]
    [ValidateNotNullOrEmpty]
    public object[] Tools { get; set; } = [];

    /// <summary>The name of a tool every chat sample must call.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ToolCallSet)]
    [ValidateNotNullOrEmpty]
    public string ToolCall { get; set; } = string.Empty;

    /// <summary>With -ToolCall: argument names and the JSON values one call must give them (other arguments may be present).</summary>
    [Parameter(ParameterSetName = ToolCallSet)]
    public IDictionary? Arguments { get; set; }

    /// <summary>The finish reasons a sample may have (stop, length, tool_call, …).</summary>
    [Parameter(Mandatory = true, ParameterSetName = FinishReasonSet)]
    [ValidateNotNullOrEmpty]
    public string[] FinishReason { get; set; } = [];

    /// <summary>The most tokens (prompt and generated) a response may use; a stream's chunks count as one response.</summary>
    [Parameter(Mandatory = true, ParameterSetName = MaxTokensSet)]
    [ValidateRange(0, int.MaxValue)]
    public int MaxTokens { get; set; }

    /// <summary>The longest a response may take, from the first byte sent to the last byte read: a TimeSpan, or a number of seconds.</summary>
    [Parameter(Mandatory = true, ParameterSetName = MaxLatencySet)]
    [SecondsTransformation]
    public TimeSpan MaxLatency { get; set; }

    /// <summary>A script block that must hold for every sample, seen as $_: it throws nothing and writes nothing false.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SatisfySet)]
    [ValidateNotNull]
    public ScriptBlock? Satisfy { get; set; }

    /// <summary>A rubric every sample must meet, as the runspace's grader (Set-HumanloopGrader) judges it.</summary>
    [Parameter(Mandatory = true, ParameterSetName = RubricSet)]
    [ValidateNotNullOrEmpty]
    public string? Rubric { get; set; }

    /// <summary>A reference answer every sample must agree with, as the runspace's grader judges it.</summary>
    [Parameter(Mandatory = true, ParameterSetName = FactualitySet)]
    [ValidateNotNullOrEmpty]
    public string? Factuality { get; set; }

    /// <summary>A question every sample must answer (closed QA), meeting -Criterion, as the runspace's grader judges it.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ClosedQaSet)]
    [ValidateNotNullOrEmpty]
    public string? ClosedQa { get; set; }

    /// <summary>With -ClosedQa: what the answer must do beyond answering.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ClosedQaSet)]
    [ValidateNotNullOrEmpty]
    public string? Criterion { get; set; }

    /// <summary>With -Rubric, -Factuality and -ClosedQa: the least grade (0 to 1) that passes.</summary>
    [Parameter(ParameterSetName = RubricSet)]
    [Parameter(ParameterSetName = FactualitySet)]
    [Parameter(ParameterSetName = ClosedQaSet)]
    [ValidateRange(0.0, 1.0)]
    public double MinScore { get; set; }

    /// <summary>A test case (Import-HumanloopTestCase): one report per expectation.</summary>
    [Parameter(Mandatory = true, ParameterSetName = TestCaseSet)]
    [ValidateNotNull]
    public TestCase? TestCase { get; set; }

    /// <summary>Check objects (Humanloop.PowerShell.Checks.OutputCheck) to apply, each giving its own report.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = CheckSet)]
    [ValidateNotNullOrEmpty]
    public OutputCheck[] Check { get; set; } = [];

    /// <summary>Negates the check: a sample passes when the expectation does not hold.</summary>
    [Parameter]
    public SwitchParameter Not { get; set; }

    /// <summary>Passes when at least this many samples (or responses) pass, rather than every one.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int AtLeast { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => CheckParameters.Collect(_inputs, InputObject);

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        IReadOnlyList<(OutputCheck Check, bool Not)> checks = ParameterSetName switch
        {
            CheckSet => Check.Select(check => (check, Not.IsPresent)).ToList(),
            TestCaseSet => CheckParameters.Build(this, () => ExpectationCheckList.Build(this, TestCase, [], Bound(nameof(Tools)) ? Tools : null, Not.IsPresent), MyInvocation.MyCommand.Name),
            _ => [(BuildCheck(), Not.IsPresent)],
        };
        var context = new CheckContext(action => OnPipelineThreadAsync(action), () => Client);
        RunAsync(async cancellationToken =>
        {
            foreach (var (check, not) in checks)
            {
                var mode = new CheckMode(not, Bound(nameof(AtLeast)) ? AtLeast : null);
                Emit(await CheckEngine.RunAsync(check, _inputs, mode, context, cancellationToken).ConfigureAwait(false));
            }
        });
    }

    private double? GradeFloor() => Bound(nameof(MinScore)) ? MinScore : null;

    private OutputCheck BuildCheck() => CheckParameters.Build<OutputCheck>(this, () => ParameterSetName switch
    {
        EqualSet => new EqualCheck(Equal, CaseInsensitive),
        ContainSet => new ContainCheck(Contain, All, CaseInsensitive),
        StartWithSet => new StartWithCheck(StartWith, CaseInsensitive),
        MatchSet => new MatchCheck(Match, CaseInsensitive),
        WordCountSet => new WordCountCheck(WordCount[0], WordCount[^1]),
        LevenshteinSet => new LevenshteinCheck(Levenshtein, MaxDistance),
        RougeSet => new RougeCheck(Rouge, N, Bound(nameof(Threshold)) ? Threshold : RougeCheck.DefaultThreshold),
        BleuSet => new BleuCheck(Bleu, Bound(nameof(Threshold)) ? Threshold : BleuCheck.DefaultThreshold),
        JsonSet => new JsonCheck(CheckParameters.Schema(this, Schema)),
        ContainJsonSet => new ContainJsonCheck(CheckParameters.Schema(this, Schema)),
        XmlSet => new XmlCheck(),
        ValidToolCallsSet => new ValidToolCallsCheck(CheckParameters.Tools(Tools)),
        ToolCallSet => new ToolCalledCheck(ToolCall, Arguments),
        FinishReasonSet => new FinishReasonCheck(FinishReason),
        MaxTokensSet => new MaxTokensCheck(MaxTokens),
        MaxLatencySet => new MaxLatencyCheck(MaxLatency),
        SatisfySet => new SatisfyCheck(Satisfy!),
        RubricSet => new GradedCheck(Judging.GradeKind.Rubric, Rubric, minScore: GradeFloor()),
        FactualitySet => new GradedCheck(Judging.GradeKind.Factuality, null, reference: Factuality, minScore: GradeFloor()),
        ClosedQaSet => new GradedCheck(Judging.GradeKind.ClosedQa, Criterion, question: ClosedQa, minScore: GradeFloor()),
        _ => throw new InvalidOperationException($"The parameter set {ParameterSetName} has no check."),
    }, MyInvocation.MyCommand.Name);
}
