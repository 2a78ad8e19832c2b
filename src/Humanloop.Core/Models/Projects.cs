using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace Humanloop;

/// <summary>A project (<c>ProjectResponse</c>): the home of a prompt's configs, experiments and logs.</summary>
public sealed class Project
{
    private IReadOnlyList<FeedbackType> _feedbackTypes = [];

    /// <summary>Project id (<c>pr_…</c>).</summary>
    public string? Id { get; init; }

    /// <summary>The project's id again, under the name of the cmdlets' -ProjectId parameters, so that piping this
    /// object binds that parameter by property name.</summary>
    [JsonIgnore]
    public string? ProjectId => Id;

    /// <summary>Project name, unique within the team.</summary>
    public string? Name { get; init; }

    /// <summary>The experiment deployed to the default environment, if any.</summary>
    public Experiment? ActiveExperiment { get; init; }

    /// <summary>The config deployed to the default environment, if any.</summary>
    public ProjectModelConfig? ActiveConfig { get; init; }

    /// <summary>How many logs the project holds.</summary>
    public int DataCount { get; init; }

    /// <summary>The kinds of feedback the project accepts, with their known values.</summary>
    public IReadOnlyList<FeedbackType> FeedbackTypes { get => _feedbackTypes; init => _feedbackTypes = value ?? []; }

    /// <summary>The owning team's id (<c>tm_…</c>).</summary>
    public string? TeamId { get; init; }

    /// <summary>The kind of config the project runs (<c>model</c>, …), once it has one.</summary>
    public string? ConfigType { get; init; }

    /// <summary>The directory holding the project, if any.</summary>
    public string? DirectoryId { get; init; }

    /// <summary>When the project was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When the project last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <inheritdoc />
    public override string ToString() => Name ?? Id ?? string.Empty;
}

/// <summary>A kind of feedback a project accepts, for example <c>rating</c>.</summary>
public sealed class FeedbackType
{
    /// <summary>The feedback type's name.</summary>
    public string? Type { get; init; }

    /// <summary>The known values of a categorical type with their sentiment; null for free-text types.</summary>
    public IReadOnlyList<FeedbackLabel>? Values { get; init; }

    /// <inheritdoc />
    public override string ToString() => Type ?? string.Empty;
}

/// <summary>One value of a categorical feedback type.</summary>
public sealed class FeedbackLabel
{
    /// <summary>The value, for example <c>good</c>.</summary>
    public string? Value { get; init; }

    /// <summary><c>positive</c>, <c>negative</c>, <c>neutral</c> or <c>unset</c> (see <see cref="LabelSentiments"/>).</summary>
    public string? Sentiment { get; init; }

    /// <inheritdoc />
    public override string ToString() => Value ?? string.Empty;
}

/// <summary><c>POST /projects</c>: creates a project.</summary>
public sealed class CreateProjectRequest
{
    /// <summary>The project name (required by the API).</summary>
    public string? Name { get; set; }

    /// <summary>The directory to create the project in.</summary>
    public string? DirectoryId { get; set; }
}

/// <summary><c>PATCH /projects/{id}</c>: changes a project; unset fields stay as they are.</summary>
public sealed class UpdateProjectRequest
{
    /// <summary>A new name.</summary>
    public string? Name { get; set; }

    /// <summary>Deploys this config to the default environment (cannot be combined with <see cref="ActiveExperimentId"/>).</summary>
    public string? ActiveConfigId { get; set; }

    /// <summary>Deploys this experiment to the default environment.</summary>
    public string? ActiveExperimentId { get; set; }

    /// <summary>Moves the project to this directory.</summary>
    public string? DirectoryId { get; set; }

    /// <summary>The whole list of feedback labels that count as positive, replacing the project's list.</summary>
    public IList<PositiveLabel>? PositiveLabels { get; set; }
}

/// <summary>
/// A feedback type to create (<c>POST /projects/{id}/feedback-types</c>) or change (<c>PATCH</c>, a list of
/// them) in a project (<c>FeedbackTypeRequest</c>).
/// </summary>
public sealed class FeedbackTypeRequest
{
    /// <summary>The type's name, for example <c>rating</c> or <c>tone</c> (required by the API).</summary>
    public string? Type { get; set; }

    /// <summary>The values a categorical type takes, with their sentiment; values the project lacks are added.</summary>
    public IList<FeedbackLabel>? Values { get; set; }

    /// <summary>
    /// What the feedback's values are (see <see cref="FeedbackClasses"/>); the API's own types
    /// (<c>rating</c>, <c>action</c>, <c>issue</c>) have one already.
    /// </summary>
    [JsonPropertyName("class")]
    public string? Class { get; set; }
}

/// <summary>The values of <see cref="FeedbackTypeRequest.Class"/> (<c>FeedbackClass</c>).</summary>
public static class FeedbackClasses
{
    /// <summary>One of the type's values.</summary>
    public const string Select = "select";

    /// <summary>Several of the type's values.</summary>
    public const string MultiSelect = "multi_select";

    /// <summary>Free text.</summary>
    public const string Text = "text";

    /// <summary>A number.</summary>
    public const string Number = "number";

    /// <summary>Every class, in the API's order.</summary>
    public static IReadOnlyList<string> All { get; } = [Select, MultiSelect, Text, Number];
}

/// <summary>The values of <see cref="FeedbackLabel.Sentiment"/> (<c>LabelSentiment</c>).</summary>
public static class LabelSentiments
{
    /// <summary>Counts for the config that earned it.</summary>
    public const string Positive = "positive";

    /// <summary>Counts against the config that earned it.</summary>
    public const string Negative = "negative";

    /// <summary>Counts neither way.</summary>
    public const string Neutral = "neutral";

    /// <summary>Not decided.</summary>
    public const string Unset = "unset";

    /// <summary>Every sentiment, in the API's order.</summary>
    public static IReadOnlyList<string> All { get; } = [Positive, Negative, Neutral, Unset];
}
