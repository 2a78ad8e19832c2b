using System.Text.Json.Nodes;
using Humanloop.Server.Http;

namespace Humanloop.Server.Domain;

/// <summary>A value a categorical feedback type offers, with its sentiment (v4 <c>CategoricalFeedbackLabel</c>).</summary>
internal sealed record FeedbackLabel(string Value, string Sentiment);

/// <summary>
/// A feedback type of a project: its name, its class (v4 <c>FeedbackClass</c>) and, for <c>select</c> and
/// <c>multi_select</c> types, the values it offers. Shown as <c>FeedbackTypeModel</c> (<c>type</c> and <c>values</c>).
/// </summary>
internal sealed record FeedbackTypeDefinition(string Type, string Class, IReadOnlyList<FeedbackLabel>? Values)
{
    public const string Select = "select";
    public const string MultiSelect = "multi_select";
    public const string Text = "text";
    public const string Number = "number";

    public static readonly IReadOnlyList<string> Classes = [Select, MultiSelect, Text, Number];

    public static readonly IReadOnlyList<string> Sentiments = ["positive", "negative", "neutral", "unset"];

    /// <summary>The sentiment of a value added without one.</summary>
    public const string NoSentiment = "unset";

    /// <summary>Every project starts with the five default types of the hosted API.</summary>
    public static readonly IReadOnlyList<FeedbackTypeDefinition> Defaults =
    [
        new("rating", Select, [new("good", "positive"), new("bad", "negative")]),
        new("action", MultiSelect, [new("copied", "positive"), new("saved", "positive"), new("failed", "negative")]),
        new("issue", MultiSelect, [new("inappropriate", "negative"), new("off-topic", "negative"), new("incorrect", "negative")]),
        new("correction", Text, null),
        new("comment", Text, null),
    ];

    public bool HasValues => Class is Select or MultiSelect;

    public JsonObject ToJson() => new()
    {
        ["type"] = Type,
        ["class"] = Class,
        ["values"] = Values is null ? null : new JsonArray(Values.Select(v => (JsonNode)new JsonObject { ["value"] = v.Value, ["sentiment"] = v.Sentiment }).ToArray()),
    };

    public static string ToJsonText(IReadOnlyList<FeedbackTypeDefinition> types) => new JsonArray(types.Select(t => (JsonNode)t.ToJson()).ToArray()).ToJsonString();

    public static IReadOnlyList<FeedbackTypeDefinition>? FromJsonText(string? text) =>
        text is null ? null : WireJson.ParseOrNull(text)!.AsArray().OfType<JsonObject>().Select(t => new FeedbackTypeDefinition(
            (string)t["type"]!,
            (string)t["class"]!,
            t["values"] is JsonArray values ? values.OfType<JsonObject>().Select(v => new FeedbackLabel((string)v["value"]!, (string)v["sentiment"]!)).ToList() : null)).ToList();
}

/// <summary>
/// A <c>FeedbackTypeRequest</c>: a type to create, or to update (an upsert: values it does not have yet are added, the
/// sentiment of values it has is changed when given).
/// </summary>
internal sealed record FeedbackTypeChange(string Type, string? Class, IReadOnlyList<(string Value, string? Sentiment)>? Values, object[] Location)
{
    /// <summary>Reads one request; null (with the problems in the reader's errors) when it is not valid on its own.</summary>
    public static FeedbackTypeChange? Read(FieldReader request)
    {
        var errorsBefore = request.Errors.Count;
        var type = request.String("type", required: true, minLength: 1);
        var featureClass = request.Enum("class", FeedbackTypeDefinition.Classes);
        var values = request.ObjectList("values")?.Select(v =>
            (Value: v.String("value", required: true, minLength: 1), Sentiment: v.Enum("sentiment", FeedbackTypeDefinition.Sentiments))).ToList();
        if (request.Errors.Count > errorsBefore)
        {
            return null;
        }

        return new FeedbackTypeChange(type!, featureClass, values?.Select(v => (v.Value!, v.Sentiment)).ToList(), request.Location);
    }

    /// <summary>
    /// Applies the changes in order to a project's types. A class cannot change, and only <c>select</c> and
    /// <c>multi_select</c> types have values: such problems are reported at the change and nothing is applied.
    /// </summary>
    public static IReadOnlyList<FeedbackTypeDefinition> Apply(IReadOnlyList<FeedbackTypeDefinition> types, IReadOnlyList<FeedbackTypeChange> changes, ValidationErrors errors)
    {
        var result = types.ToList();
        foreach (var change in changes)
        {
            var index = result.FindIndex(t => t.Type == change.Type);
            var existing = index < 0 ? null : result[index];
            var featureClass = change.Class ?? existing?.Class ?? (change.Values is null ? FeedbackTypeDefinition.Text : FeedbackTypeDefinition.Select);
            if (existing is not null && featureClass != existing.Class)
            {
                errors.Add([.. change.Location, "class"], $"feedback type '{change.Type}' is {existing.Class}; its class cannot change", "value_error");
                continue;
            }

            if (featureClass is not (FeedbackTypeDefinition.Select or FeedbackTypeDefinition.MultiSelect))
            {
                if (change.Values is { Count: > 0 })
                {
                    errors.Add([.. change.Location, "values"], $"feedback type '{change.Type}' is {featureClass}: only select and multi_select types have values", "value_error");
                }

                if (existing is null)
                {
                    result.Add(new FeedbackTypeDefinition(change.Type, featureClass, null));
                }

                continue;
            }

            var labels = existing?.Values?.ToList() ?? [];
            foreach (var (value, sentiment) in change.Values ?? [])
            {
                var at = labels.FindIndex(l => l.Value == value);
                if (at < 0)
                {
                    labels.Add(new FeedbackLabel(value, sentiment ?? FeedbackTypeDefinition.NoSentiment));
                }
                else if (sentiment is not null)
                {
                    labels[at] = labels[at] with { Sentiment = sentiment };
                }
            }

            var updated = new FeedbackTypeDefinition(change.Type, featureClass, labels);
            if (existing is null)
            {
                result.Add(updated);
            }
            else
            {
                result[index] = updated;
            }
        }

        return result;
    }
}
