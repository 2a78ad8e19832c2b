using System;
using System.Collections.Generic;

namespace Humanloop.PowerShell.Grading;

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

/// <summary>
/// The grader of a runspace (Set-HumanloopGrader): which config grades (an inline one or a stored one by
/// id), which project its logs go to, and the grading prompts, each the shipped one unless overridden.
/// </summary>
public sealed class GraderSettings
{
    /// <summary>The project the grading calls are logged in.</summary>
    public const string DefaultProject = "humanloop-grader";

    /// <summary>The inline config that grades; null when <see cref="ModelConfigId"/> names a stored one.</summary>
    public ModelConfigChatRequest? ModelConfig { get; init; }

    /// <summary>The stored config that grades; null when <see cref="ModelConfig"/> is inline.</summary>
    public string? ModelConfigId { get; init; }

    /// <summary>The project the grading calls are logged in.</summary>
    public string Project { get; init; } = DefaultProject;

    /// <summary>The system prompt per kind: the shipped one unless overridden.</summary>
    public IReadOnlyDictionary<GradeKind, string> Prompts { get; init; } = GradingPrompts.Shipped;

    /// <summary>What grades, for messages: the model or the config id.</summary>
    public override string ToString() => ModelConfigId ?? $"{ModelConfig?.Provider ?? "(default provider)"}/{ModelConfig?.Model}";
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
