using System.Collections.Generic;
using Humanloop.Judging;

namespace Humanloop.PowerShell.Grading;

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
