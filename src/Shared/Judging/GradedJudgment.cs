using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Humanloop.Judging;

/// <summary>What a model-graded check asks a model: is the output good by this criterion?</summary>
public enum GradeKind
{
    /// <summary>The output meets a rubric (<c>'is polite and names the 30-day window'</c>).</summary>
    Rubric,

    /// <summary>The output agrees with a reference answer and adds nothing that contradicts it.</summary>
    Factuality,

    /// <summary>The output answers the question and meets a criterion.</summary>
    ClosedQa,
}

/// <summary>A grader's verdict on one output: whether it passed, a score, the grader's reason and the log of the grading call.</summary>
public sealed class GradeVerdict
{
    /// <summary>Whether the output passed.</summary>
    public bool Passed { get; init; }

    /// <summary>The grader's score, from 0 to 1.</summary>
    public double Score { get; init; }

    /// <summary>Why, in the grader's words.</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>The log id of the grading call (data_…), to look it up or give it feedback.</summary>
    public string? LogId { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{(Passed ? "pass" : "fail")} ({Score:0.##}): {Reason}";
}

/// <summary>The shipped grading prompts. The user message always carries the tagged sections the grader reads.</summary>
public static class GradingPrompts
{
    private const string Answer =
        " Answer with one JSON object and nothing else: {\"pass\": true or false, \"score\": a number from 0 to 1, \"reason\": \"one sentence saying why\"}.";

    /// <summary>The prompt of each kind as shipped.</summary>
    public static IReadOnlyDictionary<GradeKind, string> Shipped { get; } = new Dictionary<GradeKind, string>
    {
        [GradeKind.Rubric] =
            "You grade an AI output against a rubric. The user message holds the rubric in <criterion> and the output in <output>. "
            + "Pass the output only if it meets every part of the rubric; the score is the share of the rubric it meets." + Answer,
        [GradeKind.Factuality] =
            "You grade the factual agreement of an AI output with a reference answer. The user message holds the reference in <reference>, "
            + "what to compare in <criterion>, and the output in <output>. Pass the output if it states the reference's facts and nothing that "
            + "contradicts them; extra detail that agrees is fine; the score is how much of the reference it states." + Answer,
        [GradeKind.ClosedQa] =
            "You grade whether an AI output answers a question and meets a criterion. The user message holds the question in <question>, "
            + "the criterion in <criterion> and the output in <output>. Pass the output only if it answers the question and meets the criterion." + Answer,
    };

    /// <summary>The shipped prompts with <paramref name="overrides"/> laid over them.</summary>
    /// <exception cref="ArgumentException">An override names no kind or is empty.</exception>
    public static IReadOnlyDictionary<GradeKind, string> With(IEnumerable<KeyValuePair<string, string?>> overrides)
    {
        var prompts = new Dictionary<GradeKind, string>(Shipped);
        foreach (var pair in overrides)
        {
            if (!Enum.TryParse<GradeKind>(pair.Key.Replace("-", string.Empty).Replace("_", string.Empty), ignoreCase: true, out var kind))
            {
                throw new ArgumentException($"-Prompt has the key '{pair.Key}'; the kinds are Rubric, Factuality and ClosedQa.");
            }

            prompts[kind] = string.IsNullOrWhiteSpace(pair.Value)
                ? throw new ArgumentException($"-Prompt.{pair.Key} is empty.")
                : pair.Value!;
        }

        return prompts;
    }
}

/// <summary>
/// What a model-graded judgment sends and how it reads the answer: the kind's system prompt, a user message
/// with the tagged sections <c>&lt;question&gt;</c>, <c>&lt;criterion&gt;</c>, <c>&lt;reference&gt;</c> and
/// <c>&lt;output&gt;</c>, and a JSON verdict back. The module's grader and the local server's graded built-in
/// evaluators both ask and read this way; only the transport differs.
/// </summary>
public static class GradedJudgment
{
    /// <summary>What a factuality check compares: the criterion sent with the reference.</summary>
    public const string FactualityCriterion = "states the facts of the reference and nothing that contradicts them";

    /// <summary>The user message the grader reads: each given section in its tag.</summary>
    /// <param name="output">The output to grade; null reads as empty.</param>
    /// <param name="criterion">The rubric or criterion.</param>
    /// <param name="reference">The reference answer, for factuality.</param>
    /// <param name="question">The question, for closed QA.</param>
    public static string UserMessage(string? output, string criterion, string? reference, string? question)
    {
        var text = new StringBuilder();
        if (question is not null)
        {
            text.Append("<question>").Append(question).Append("</question>\n");
        }

        text.Append("<criterion>").Append(criterion).Append("</criterion>\n");
        if (reference is not null)
        {
            text.Append("<reference>").Append(reference).Append("</reference>\n");
        }

        return text.Append("<output>").Append(output ?? string.Empty).Append("</output>").ToString();
    }

    /// <summary>
    /// Reads a verdict from the grader's answer: the first JSON object in it (text around it is tolerated),
    /// with <c>pass</c>, and optionally <c>score</c> (clamped to 0…1; 1 or 0 by the pass when missing) and
    /// <c>reason</c>. Null when the answer holds no such object.
    /// </summary>
    /// <param name="answer">What the grader said.</param>
    /// <param name="logId">The log id of the grading call, kept on the verdict.</param>
    public static GradeVerdict? TryRead(string answer, string? logId)
    {
        var start = answer.IndexOf('{');
        var end = answer.LastIndexOf('}');
        if (start < 0 || end <= start)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(answer.Substring(start, end - start + 1));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("pass", out var pass) || pass.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return null;
            }

            var passed = pass.GetBoolean();
            var score = root.TryGetProperty("score", out var given) && given.ValueKind == JsonValueKind.Number ? Math.Clamp(given.GetDouble(), 0, 1) : passed ? 1 : 0;
            var reason = root.TryGetProperty("reason", out var why) && why.ValueKind == JsonValueKind.String ? why.GetString()! : string.Empty;
            return new GradeVerdict { Passed = passed, Score = score, Reason = reason, LogId = logId };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The verdict of a graded sample: it holds when the grader passed it and, with a minimum score, scored at
    /// least that. The detail gives the grade, the grading call's log and the grader's reason.
    /// </summary>
    /// <param name="graded">The grader's verdict.</param>
    /// <param name="minScore">The least score that passes; null: the grader's pass decides alone.</param>
    public static Verdict Judge(GradeVerdict graded, double? minScore)
    {
        var passes = graded.Passed && (minScore is null || graded.Score >= minScore);
        var detail = $"was graded {graded.Score.ToString("0.##", CultureInfo.InvariantCulture)} by log {graded.LogId ?? "(none)"}: {graded.Reason}";
        return passes ? Verdict.Held(detail, graded.Score, graded.LogId) : Verdict.NotHeld(detail, graded.Score, graded.LogId);
    }
}
