using System;
using System.Text.Json.Serialization;
using Humanloop.Json;

namespace Humanloop;

/// <summary>Feedback recorded on a log (<c>FeedbackResponse</c>).</summary>
public sealed class Feedback
{
    /// <summary>Feedback id (<c>ann_…</c>).</summary>
    public string? Id { get; init; }

    /// <summary>The log the feedback is about (<c>data_…</c>; <c>data_id</c> on the wire).</summary>
    [JsonPropertyName("data_id")]
    public string? LogId { get; init; }

    /// <summary>The feedback type, for example <c>rating</c> (see <see cref="KnownFeedbackTypes"/>).</summary>
    public string? Type { get; init; }

    /// <summary>The value: a string, a number or a boolean.</summary>
    [JsonConverter(typeof(FreeFormValueConverter))]
    public object? Value { get; init; }

    /// <summary>Who gave the feedback, if recorded.</summary>
    public string? User { get; init; }

    /// <summary>When the feedback was given.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Type}={Value}";
}

/// <summary>The feedback types the API defines; projects may add their own.</summary>
public static class KnownFeedbackTypes
{
    /// <summary>A categorical verdict such as good or bad.</summary>
    public const string Rating = "rating";

    /// <summary>Something the user did with the output, such as copied.</summary>
    public const string Action = "action";

    /// <summary>A problem with the output, such as incorrect.</summary>
    public const string Issue = "issue";

    /// <summary>The output the user would have wanted.</summary>
    public const string Correction = "correction";

    /// <summary>Free text.</summary>
    public const string Comment = "comment";

    /// <summary>Every type above, in the API's order.</summary>
    public static readonly string[] All = [Rating, Action, Issue, Correction, Comment];
}

/// <summary><c>POST /feedback</c> (<c>FeedbackRequest</c>): records feedback on a log.</summary>
public sealed class FeedbackRequest
{
    /// <summary>The feedback type (required by the API).</summary>
    public string? Type { get; set; }

    /// <summary>The value: a string, a number or a boolean.</summary>
    [JsonConverter(typeof(FreeFormValueConverter))]
    public object? Value { get; set; }

    /// <summary>The log the feedback is about (<c>data_id</c> on the wire).</summary>
    [JsonPropertyName("data_id")]
    public string? LogId { get; set; }

    /// <summary>Who gave the feedback.</summary>
    public string? User { get; set; }

    /// <summary>When the feedback was given; the server's clock when unset.</summary>
    public DateTimeOffset? CreatedAt { get; set; }

    /// <summary>True to remove the log's feedback of <see cref="Type"/> instead of setting it; <see cref="Value"/> stays unset.</summary>
    public bool? Unset { get; set; }
}
