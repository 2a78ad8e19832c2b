using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using Humanloop.PowerShell.Checks;
using Humanloop.PowerShell.Infrastructure;

// The Pester face of the checks: one cmdlet per check, Assert-Humanloop<Check>, each called through its
// alias Should-Humanloop<Check> (see AssertionCmdlet for why). Each builds its check; the base runs it.
namespace Humanloop.PowerShell.Commands;

/// <summary>Asserts that every sample's text equals the expected text (Should-HumanloopEqual).</summary>
/// <remarks>Compares the whole text, case-sensitively unless -CaseInsensitive; a failure names the first character that differs.</remarks>
/// <example>
/// <code>'Refunds take 5 days.' | Should-HumanloopEqual 'Refunds take 5 days.'</code>
/// <para>Passes: the text is the same. Call it as Should-HumanloopEqual (the alias of Assert-HumanloopEqual).</para>
/// </example>
[Cmdlet(VerbsLifecycle.Assert, "HumanloopEqual", HelpUri = HelpLinks.Cmdlets + "#assert-humanloopequal")]
[Alias("Should-HumanloopEqual")]
[OutputType(typeof(void))]
public sealed class AssertHumanloopEqualCommand : AssertionCmdlet
{
    /// <summary>The text every sample must be.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [AllowEmptyString]
    public string Expected { get; set; } = string.Empty;

    /// <summary>Ignore case.</summary>
    [Parameter]
    public SwitchParameter CaseInsensitive { get; set; }

    /// <inheritdoc />
    protected override OutputCheck BuildCheck() => new EqualCheck(Expected, CaseInsensitive);
}

/// <summary>Asserts that every sample's text contains any of the given texts, or with -All every one (Should-HumanloopContain).</summary>
/// <remarks>Case-sensitive unless -CaseInsensitive. With several texts and -All, a failure names the texts missing.</remarks>
/// <example>
/// <code>$response | Should-HumanloopContain 'refund', 'return' -CaseInsensitive</code>
/// <para>Passes when every sample mentions a refund or a return, in any case.</para>
/// </example>
/// <example>
/// <code>$chunks | Should-HumanloopContain '30 days', 'receipt' -All</code>
/// <para>Every streamed sample (assembled from its chunks) must mention both.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Assert, "HumanloopContain", HelpUri = HelpLinks.Cmdlets + "#assert-humanloopcontain")]
[Alias("Should-HumanloopContain")]
[OutputType(typeof(void))]
public sealed class AssertHumanloopContainCommand : AssertionCmdlet
{
    /// <summary>The texts to look for.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[] Expected { get; set; } = [];

    /// <summary>Every text must be present, not just one.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    /// <summary>Ignore case.</summary>
    [Parameter]
    public SwitchParameter CaseInsensitive { get; set; }

    /// <inheritdoc />
    protected override OutputCheck BuildCheck() => new ContainCheck(Expected, All, CaseInsensitive);
}

/// <summary>Asserts that every sample's text starts with the given text (Should-HumanloopStartWith).</summary>
/// <remarks>Case-sensitive unless -CaseInsensitive; leading whitespace counts (a completion's Output is already trimmed).</remarks>
/// <example>
/// <code>$response | Should-HumanloopStartWith 'Dear customer'</code>
/// <para>Passes when every sample opens with the greeting.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Assert, "HumanloopStartWith", HelpUri = HelpLinks.Cmdlets + "#assert-humanloopstartwith")]
[Alias("Should-HumanloopStartWith")]
[OutputType(typeof(void))]
public sealed class AssertHumanloopStartWithCommand : AssertionCmdlet
{
    /// <summary>The text every sample must start with.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Expected { get; set; } = string.Empty;

    /// <summary>Ignore case.</summary>
    [Parameter]
    public SwitchParameter CaseInsensitive { get; set; }

    /// <inheritdoc />
    protected override OutputCheck BuildCheck() => new StartWithCheck(Expected, CaseInsensitive);
}

/// <summary>Asserts that every sample's text matches a .NET regular expression (Should-HumanloopMatch).</summary>
/// <remarks>The pattern may match anywhere unless anchored with ^ or $. Case-sensitive unless -CaseInsensitive.</remarks>
/// <example>
/// <code>$response | Should-HumanloopMatch '^\d+ days?\.$'</code>
/// <para>Passes when every sample is a number of days and nothing else.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Assert, "HumanloopMatch", HelpUri = HelpLinks.Cmdlets + "#assert-humanloopmatch")]
[Alias("Should-HumanloopMatch")]
[OutputType(typeof(void))]
public sealed class AssertHumanloopMatchCommand : AssertionCmdlet
{
    /// <summary>The regular expression.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Pattern { get; set; } = string.Empty;

    /// <summary>Ignore case.</summary>
    [Parameter]
    public SwitchParameter CaseInsensitive { get; set; }

    /// <inheritdoc />
    protected override OutputCheck BuildCheck() => new MatchCheck(Pattern, CaseInsensitive);
}

/// <summary>Asserts that every sample has a number of words within a range (Should-HumanloopWordCount).</summary>
/// <remarks>Words are runs of characters other than whitespace. Give -Minimum, -Maximum or both.</remarks>
/// <example>
/// <code>$response | Should-HumanloopWordCount -Minimum 5 -Maximum 60</code>
/// <para>Passes when every sample has 5 to 60 words.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Assert, "HumanloopWordCount", HelpUri = HelpLinks.Cmdlets + "#assert-humanloopwordcount")]
[Alias("Should-HumanloopWordCount")]
[OutputType(typeof(void))]
public sealed class AssertHumanloopWordCountCommand : AssertionCmdlet
{
    /// <summary>The fewest words allowed (0 by default).</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int Minimum { get; set; }

    /// <summary>The most words allowed (no limit by default).</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int Maximum { get; set; } = int.MaxValue;

    /// <inheritdoc />
    protected override OutputCheck BuildCheck() => Bound(nameof(Minimum)) || Bound(nameof(Maximum))
        ? new WordCountCheck(Minimum, Maximum)
        : throw new ArgumentException("Give -Minimum, -Maximum or both.");
}

/// <summary>Asserts that every sample is within N edits of a reference text, in Levenshtein distance (Should-HumanloopLevenshtein).</summary>
/// <remarks>
/// The Levenshtein distance is the fewest single-character insertions, deletions and substitutions that turn
/// one text into the other, compared case-sensitively (kitten to sitting: 3). Each result's Score is the distance.
/// </remarks>
/// <example>
/// <code>$response | Should-HumanloopLevenshtein 'Refunds take 5 days.' -MaxDistance 3</code>
/// <para>Passes when every sample is at most three character edits from the reference.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Assert, "HumanloopLevenshtein", HelpUri = HelpLinks.Cmdlets + "#assert-humanlooplevenshtein")]
[Alias("Should-HumanloopLevenshtein")]
[OutputType(typeof(void))]
public sealed class AssertHumanloopLevenshteinCommand : AssertionCmdlet
{
    /// <summary>The reference text.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [AllowEmptyString]
    public string Reference { get; set; } = string.Empty;

    /// <summary>The most edits a sample may be from the reference.</summary>
    [Parameter(Mandatory = true)]
    [ValidateRange(0, int.MaxValue)]
    public int MaxDistance { get; set; }

    /// <inheritdoc />
    protected override OutputCheck BuildCheck() => new LevenshteinCheck(Reference, MaxDistance);
}

/// <summary>Asserts that every sample's ROUGE-N recall against a reference reaches a threshold (Should-HumanloopRouge).</summary>
/// <remarks>
/// ROUGE-N recall = Σ over the reference's n-grams g of min(count in sample, count in reference) / the number of
/// n-grams in the reference. Words are \w+ runs, lower-cased. -N is 1 by default, -Threshold 0.75.
/// </remarks>
/// <example>
/// <code>$response | Should-HumanloopRouge 'Refunds are paid within 30 days of the return.' -Threshold 0.6</code>
/// <para>Passes when every sample recalls at least 60 % of the reference's words.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Assert, "HumanloopRouge", HelpUri = HelpLinks.Cmdlets + "#assert-humanlooprouge")]
[Alias("Should-HumanloopRouge")]
[OutputType(typeof(void))]
public sealed class AssertHumanloopRougeCommand : AssertionCmdlet
{
    /// <summary>The reference text.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Reference { get; set; } = string.Empty;

    /// <summary>The n-gram length (1: words, 2: word pairs, …).</summary>
    [Parameter]
    [ValidateRange(1, 10)]
    public int N { get; set; } = 1;

    /// <summary>The recall, 0 to 1, every sample must reach (0.75 by default).</summary>
    [Parameter]
    [ValidateRange(0.0, 1.0)]
    public double Threshold { get; set; } = RougeCheck.DefaultThreshold;

    /// <inheritdoc />
    protected override OutputCheck BuildCheck() => new RougeCheck(Reference, N, Threshold);
}

/// <summary>Asserts that every sample's BLEU-4 score against one or more references reaches a threshold (Should-HumanloopBleu).</summary>
/// <remarks>
/// BLEU = BP · exp(¼ Σ ln pₙ), n = 1 to 4: pₙ is the clipped n-gram precision, with one added to numerator and
/// denominator for n ≥ 2 (smoothing); BP = 1 when the sample is longer than the closest reference length r,
/// else exp(1 − r/c). Words are \w+ runs, lower-cased. -Threshold is 0.5 by default.
/// </remarks>
/// <example>
/// <code>$response | Should-HumanloopBleu 'Refunds take five days.', 'A refund takes five days.' -Threshold 0.4</code>
/// <para>Passes when every sample scores at least 0.4 against the closer wording of the two references.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Assert, "HumanloopBleu", HelpUri = HelpLinks.Cmdlets + "#assert-humanloopbleu")]
[Alias("Should-HumanloopBleu")]
[OutputType(typeof(void))]
public sealed class AssertHumanloopBleuCommand : AssertionCmdlet
{
    /// <summary>The reference texts.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[] Reference { get; set; } = [];

    /// <summary>The score, 0 to 1, every sample must reach (0.5 by default).</summary>
    [Parameter]
    [ValidateRange(0.0, 1.0)]
    public double Threshold { get; set; } = BleuCheck.DefaultThreshold;

    /// <inheritdoc />
    protected override OutputCheck BuildCheck() => new BleuCheck(Reference, Threshold);
}

/// <summary>Asserts that every sample's text is JSON, valid against a JSON Schema when one is given (Should-HumanloopJson).</summary>
/// <remarks>The schema may be JSON text, a hashtable, or the path of a file. Validation uses the JsonSchema.Net that PowerShell ships (as Test-Json does).</remarks>
/// <example>
/// <code>$response | Should-HumanloopJson -Schema @{ type = 'object'; required = @('answer') }</code>
/// <para>Passes when every sample is a JSON object with an answer.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Assert, "HumanloopJson", HelpUri = HelpLinks.Cmdlets + "#assert-humanloopjson")]
[Alias("Should-HumanloopJson")]
[OutputType(typeof(void))]
public sealed class AssertHumanloopJsonCommand : AssertionCmdlet
{
    /// <summary>A JSON Schema the JSON must be valid against: JSON text, a hashtable, or a file path.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNull]
    public object? Schema { get; set; }

    /// <inheritdoc />
    protected override OutputCheck BuildCheck() => new JsonCheck(CheckParameters.Schema(this, Schema));
}

/// <summary>Asserts that every sample's text contains a JSON object or array, for example in prose or a code fence (Should-HumanloopContainJson).</summary>
/// <remarks>With -Schema, one of the JSON values found must be valid against it.</remarks>
/// <example>
/// <code>$response | Should-HumanloopContainJson -Schema ./order.schema.json</code>
/// <para>Passes when every sample holds a JSON value that fits the schema in the file.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Assert, "HumanloopContainJson", HelpUri = HelpLinks.Cmdlets + "#assert-humanloopcontainjson")]
[Alias("Should-HumanloopContainJson")]
[OutputType(typeof(void))]
public sealed class AssertHumanloopContainJsonCommand : AssertionCmdlet
{
    /// <summary>A JSON Schema one of the JSON values must be valid against: JSON text, a hashtable, or a file path.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNull]
    public object? Schema { get; set; }

    /// <inheritdoc />
    protected override OutputCheck BuildCheck() => new ContainJsonCheck(CheckParameters.Schema(this, Schema));
}

/// <summary>Asserts that every sample's text is one well-formed XML document (Should-HumanloopXml).</summary>
/// <remarks>Document type definitions are refused rather than processed.</remarks>
/// <example>
/// <code>$response | Should-HumanloopXml</code>
/// <para>Passes when every sample parses as XML.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Assert, "HumanloopXml", HelpUri = HelpLinks.Cmdlets + "#assert-humanloopxml")]
[Alias("Should-HumanloopXml")]
[OutputType(typeof(void))]
public sealed class AssertHumanloopXmlCommand : AssertionCmdlet
{
    /// <inheritdoc />
    protected override OutputCheck BuildCheck() => new XmlCheck();
}

/// <summary>Asserts that every chat sample calls tools validly: each call names an offered tool and its arguments fit that tool's parameter schema (Should-HumanloopValidToolCalls).</summary>
/// <remarks>
/// A chat response does not say which tools its request offered (and a model config on the server may add
/// some), so give them with -Tools, in any form New-HumanloopChat -Tools takes. A sample that calls no tool fails.
/// </remarks>
/// <example>
/// <code>$answer = New-HumanloopChat -Project support -Messages 'Where is order A-7?' -Tools (Get-Command Get-Order)
/// $answer | Should-HumanloopValidToolCalls -Tools (Get-Command Get-Order)</code>
/// <para>Passes when the model called Get-Order with arguments its parameters accept.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Assert, "HumanloopValidToolCalls", HelpUri = HelpLinks.Cmdlets + "#assert-humanloopvalidtoolcalls")]
[Alias("Should-HumanloopValidToolCalls")]
[OutputType(typeof(void))]
public sealed class AssertHumanloopValidToolCallsCommand : AssertionCmdlet
{
    /// <summary>The tools the request offered: commands, hashtables (name, description, parameters) or ToolDefinition objects.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public object[] Tools { get; set; } = [];

    /// <inheritdoc />
    protected override OutputCheck BuildCheck() => new ValidToolCallsCheck(CheckParameters.Tools(Tools));
}

/// <summary>Asserts that every chat sample calls the named tool, optionally with given argument values (Should-HumanloopToolCall).</summary>
/// <remarks>With -Arguments, one call to the tool must give each named argument an equal JSON value; other arguments may be present.</remarks>
/// <example>
/// <code>$answer | Should-HumanloopToolCall lookup_order -Arguments @{ order = 'A-7' }</code>
/// <para>Passes when the model asked to look up order A-7.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Assert, "HumanloopToolCall", HelpUri = HelpLinks.Cmdlets + "#assert-humanlooptoolcall")]
[Alias("Should-HumanloopToolCall")]
[OutputType(typeof(void))]
public sealed class AssertHumanloopToolCallCommand : AssertionCmdlet
{
    /// <summary>The tool's name.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>Argument names and the values the call must give them.</summary>
    [Parameter(Position = 1)]
    public IDictionary? Arguments { get; set; }

    /// <inheritdoc />
    protected override OutputCheck BuildCheck() => new ToolCalledCheck(Name, Arguments);
}

/// <summary>Asserts that every sample finished for one of the given reasons (Should-HumanloopFinishReason).</summary>
/// <remarks>Reasons are compared ignoring case: stop, length, tool_call, …. Plain strings have no finish reason and are refused.</remarks>
/// <example>
/// <code>$response | Should-HumanloopFinishReason stop</code>
/// <para>Fails for a sample cut off by the token limit (length).</para>
/// </example>
[Cmdlet(VerbsLifecycle.Assert, "HumanloopFinishReason", HelpUri = HelpLinks.Cmdlets + "#assert-humanloopfinishreason")]
[Alias("Should-HumanloopFinishReason")]
[OutputType(typeof(void))]
public sealed class AssertHumanloopFinishReasonCommand : AssertionCmdlet
{
    /// <summary>The accepted finish reasons.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[] Expected { get; set; } = [];

    /// <inheritdoc />
    protected override OutputCheck BuildCheck() => new FinishReasonCheck(Expected);
}

/// <summary>Asserts that every response used at most N tokens, prompt and generated (Should-HumanloopMaxTokens).</summary>
/// <remarks>Judges whole responses; the chunks of a stream count as one response whose tokens are the sum of its samples' final chunks.</remarks>
/// <example>
/// <code>$response | Should-HumanloopMaxTokens 400</code>
/// <para>Passes when the call used at most 400 tokens.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Assert, "HumanloopMaxTokens", HelpUri = HelpLinks.Cmdlets + "#assert-humanloopmaxtokens")]
[Alias("Should-HumanloopMaxTokens")]
[OutputType(typeof(void))]
public sealed class AssertHumanloopMaxTokensCommand : AssertionCmdlet
{
    /// <summary>The most tokens a response may use.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateRange(0, int.MaxValue)]
    public int Expected { get; set; }

    /// <inheritdoc />
    protected override OutputCheck BuildCheck() => new MaxTokensCheck(Expected);
}

/// <summary>Asserts that every response took at most a given time, from the first byte sent to the last byte read (Should-HumanloopMaxLatency).</summary>
/// <remarks>
/// Reads the response's Duration. The chunks of a stream do not carry it, so a stream's chunks fail with a
/// message saying so: check the assembled response (New-HumanloopCompletion -Stream -ResponseVariable r) instead.
/// </remarks>
/// <example>
/// <code>$response | Should-HumanloopMaxLatency 2.5</code>
/// <para>Passes when the call took at most 2.5 seconds (a TimeSpan works too).</para>
/// </example>
[Cmdlet(VerbsLifecycle.Assert, "HumanloopMaxLatency", HelpUri = HelpLinks.Cmdlets + "#assert-humanloopmaxlatency")]
[Alias("Should-HumanloopMaxLatency")]
[OutputType(typeof(void))]
public sealed class AssertHumanloopMaxLatencyCommand : AssertionCmdlet
{
    /// <summary>The longest a response may take: a TimeSpan, or a number of seconds.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [SecondsTransformation]
    public TimeSpan Expected { get; set; }

    /// <inheritdoc />
    protected override OutputCheck BuildCheck() => new MaxLatencyCheck(Expected);
}

/// <summary>Asserts that a script block holds for every sample, seen as $_ (Should-HumanloopSatisfy).</summary>
/// <remarks>
/// $_ is the sample's CompletionData or ChatData (assembled, for chunks), or the text. The block holds when it
/// throws nothing and writes nothing false, so it may be a predicate or a series of Should assertions.
/// </remarks>
/// <example>
/// <code>$response | Should-HumanloopSatisfy { $_.Output.Length -lt 280 -and $_.FinishReason -eq 'stop' }</code>
/// <para>Passes when every sample is short and complete.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Assert, "HumanloopSatisfy", HelpUri = HelpLinks.Cmdlets + "#assert-humanloopsatisfy")]
[Alias("Should-HumanloopSatisfy")]
[OutputType(typeof(void))]
public sealed class AssertHumanloopSatisfyCommand : AssertionCmdlet
{
    /// <summary>The condition, run once per sample with the sample as $_.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNull]
    public ScriptBlock? Condition { get; set; }

    /// <inheritdoc />
    protected override OutputCheck BuildCheck() => new SatisfyCheck(Condition!);
}

/// <summary>Asserts that every sample meets a rubric, as the runspace's grader judges it (Should-HumanloopRubric).</summary>
/// <remarks>
/// A model grades each sample through the connected endpoint (Set-HumanloopGrader says which, and docs/testing.md
/// shows the grading prompt); it passes when the grader says it passes and, with -MinScore, grades it at least
/// that. A failure names the grader's score, reason and the grading call's log id. On the local server's mock
/// provider, quote the words that must appear ('30-day'): it grades by finding them (docs/server.md).
/// </remarks>
/// <example>
/// <code>Set-HumanloopGrader -Provider mock -Model mock-1
/// $answer | Should-HumanloopRubric "is polite and names the '30-day' window"</code>
/// <para>Passes when the grader finds every sample polite and naming the 30-day window.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Assert, "HumanloopRubric", HelpUri = HelpLinks.Cmdlets + "#assert-humanlooprubric")]
[Alias("Should-HumanloopRubric")]
[OutputType(typeof(void))]
public sealed class AssertHumanloopRubricCommand : AssertionCmdlet
{
    /// <summary>The rubric every sample must meet.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Rubric { get; set; } = string.Empty;

    /// <summary>The least grade (0 to 1) that passes; without it the grader's pass decides.</summary>
    [Parameter]
    [ValidateRange(0.0, 1.0)]
    public double MinScore { get; set; }

    /// <inheritdoc />
    protected override OutputCheck BuildCheck() => new GradedCheck(Judging.GradeKind.Rubric, Rubric, minScore: Bound(nameof(MinScore)) ? MinScore : null);
}

/// <summary>Asserts that every sample agrees with a reference answer, as the runspace's grader judges it (Should-HumanloopFactuality).</summary>
/// <remarks>
/// The grader passes a sample that states the reference's facts and nothing contradicting them; extra detail
/// that agrees is fine. See Should-HumanloopRubric for the grader, -MinScore and the failure message.
/// </remarks>
/// <example>
/// <code>$answer | Should-HumanloopFactuality 'Refunds are possible within 30 days of purchase.' -MinScore 0.8</code>
/// <para>Passes when every sample states the refund window without contradicting it, graded at least 0.8.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Assert, "HumanloopFactuality", HelpUri = HelpLinks.Cmdlets + "#assert-humanloopfactuality")]
[Alias("Should-HumanloopFactuality")]
[OutputType(typeof(void))]
public sealed class AssertHumanloopFactualityCommand : AssertionCmdlet
{
    /// <summary>The reference answer.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Reference { get; set; } = string.Empty;

    /// <summary>The least grade (0 to 1) that passes; without it the grader's pass decides.</summary>
    [Parameter]
    [ValidateRange(0.0, 1.0)]
    public double MinScore { get; set; }

    /// <inheritdoc />
    protected override OutputCheck BuildCheck() => new GradedCheck(Judging.GradeKind.Factuality, null, reference: Reference, minScore: Bound(nameof(MinScore)) ? MinScore : null);
}

/// <summary>Asserts that every sample answers a question and meets a criterion, as the runspace's grader judges it (Should-HumanloopClosedQa).</summary>
/// <remarks>See Should-HumanloopRubric for the grader, -MinScore and the failure message.</remarks>
/// <example>
/// <code>$answer | Should-HumanloopClosedQa -Question 'Can I return an opened item?' -Criterion "says 'yes' and mentions the 'receipt'"</code>
/// <para>Passes when every sample answers the question and meets the criterion.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Assert, "HumanloopClosedQa", HelpUri = HelpLinks.Cmdlets + "#assert-humanloopclosedqa")]
[Alias("Should-HumanloopClosedQa")]
[OutputType(typeof(void))]
public sealed class AssertHumanloopClosedQaCommand : AssertionCmdlet
{
    /// <summary>The question the sample must answer.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Question { get; set; } = string.Empty;

    /// <summary>What the answer must do beyond answering.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Criterion { get; set; } = string.Empty;

    /// <summary>The least grade (0 to 1) that passes; without it the grader's pass decides.</summary>
    [Parameter]
    [ValidateRange(0.0, 1.0)]
    public double MinScore { get; set; }

    /// <inheritdoc />
    protected override OutputCheck BuildCheck() => new GradedCheck(Judging.GradeKind.ClosedQa, Criterion, question: Question, minScore: Bound(nameof(MinScore)) ? MinScore : null);
}

/// <summary>Asserts that every sample meets a test case's expectations (Should-HumanloopMeetExpectation).</summary>
/// <remarks>
/// Takes a Humanloop.TestCase from Import-HumanloopTestCase, or expectations written in its syntax
/// (contains:refund, tokens&lt;=400, not-regex:\bsorry\b, rubric:…; see Get-Help Import-HumanloopTestCase). Each
/// expectation is the check of the same name, run on every sample; the assertion fails when any fails, listing
/// every failed expectation with its samples. tools-valid needs the offered tools: -Tools.
/// </remarks>
/// <example>
/// <code>It '&lt;_.Name&gt;' -ForEach (Import-HumanloopTestCase ./cases.csv) {
///     New-HumanloopCompletion -Project support -Inputs $_.Inputs | Should-HumanloopMeetExpectation $_
/// }</code>
/// <para>Checks each case's answer against the expectations of its row.</para>
/// </example>
/// <example>
/// <code>$answer | Should-HumanloopMeetExpectation -Expectation 'contains:refund', 'tokens&lt;=400'</code>
/// <para>Writes the expectations inline.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Assert, "HumanloopMeetExpectation", HelpUri = HelpLinks.Cmdlets + "#assert-humanloopmeetexpectation", DefaultParameterSetName = TestCaseSet)]
[Alias("Should-HumanloopMeetExpectation")]
[OutputType(typeof(void))]
public sealed class AssertHumanloopMeetExpectationCommand : AssertionCmdlet
{
    private const string TestCaseSet = "TestCase";
    private const string ExpectationSet = "Expectation";

    /// <summary>The test case whose expectations the samples must meet.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = TestCaseSet)]
    [ValidateNotNull]
    public TestCase? TestCase { get; set; }

    /// <summary>Expectations in the test-case syntax.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ExpectationSet)]
    [ValidateNotNullOrEmpty]
    public string[] Expectation { get; set; } = [];

    /// <summary>The tools the request offered, for tools-valid.</summary>
    [Parameter]
    public object[]? Tools { get; set; }

    /// <inheritdoc />
    protected override OutputCheck BuildCheck() => BuildChecks()[0].Check;

    /// <inheritdoc />
    protected override IReadOnlyList<(OutputCheck Check, bool Not)> BuildChecks() =>
        ExpectationCheckList.Build(this, TestCase, Expectation, Tools, Not.IsPresent);
}
