using System.Text.Json.Nodes;
using Humanloop.Server.Http;

namespace Humanloop.Server.Domain;

/// <summary>A feedback label (type and value) that an experiment counts as a positive outcome.</summary>
internal sealed record PositiveLabel(string Type, string Value)
{
    public bool Matches(string feedbackType, string? feedbackValue) =>
        string.Equals(Type, feedbackType, StringComparison.Ordinal) && string.Equals(Value, feedbackValue, StringComparison.Ordinal);

    /// <summary>Reads an optional <c>positive_labels</c> array; a missing one means none.</summary>
    public static IReadOnlyList<PositiveLabel>? ReadList(FieldReader reader, string name)
    {
        var array = reader.JsonArray(name);
        if (array is null)
        {
            return null;
        }

        var labels = new List<PositiveLabel>();
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonObject obj)
            {
                reader.Errors.Add(reader.At(name, i), "value is not a valid dict", "type_error.dict");
                continue;
            }

            var item = new FieldReader(obj, reader.At(name, i), reader.Errors);
            var type = item.String("type", required: true);
            var value = item.String("value", required: true);
            if (type is not null && value is not null)
            {
                labels.Add(new PositiveLabel(type, value));
            }
        }

        return labels;
    }

    public static string ToJsonText(IReadOnlyList<PositiveLabel> labels) =>
        new JsonArray(labels.Select(l => (JsonNode)new JsonObject { ["type"] = l.Type, ["value"] = l.Value }).ToArray()).ToJsonString();

    public static IReadOnlyList<PositiveLabel> FromJsonText(string? text)
    {
        if (string.IsNullOrEmpty(text) || JsonNode.Parse(text) is not JsonArray array)
        {
            return [];
        }

        return array.OfType<JsonObject>()
            .Select(o => new PositiveLabel((string?)o["type"] ?? "", (string?)o["value"] ?? ""))
            .ToList();
    }
}
