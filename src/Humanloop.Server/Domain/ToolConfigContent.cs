using System.Text.Json.Nodes;
using Humanloop.Server.Http;

namespace Humanloop.Server.Domain;

/// <summary>
/// A v4 <c>ToolConfigRequest</c>: the config of a tool call that a client logs with <c>POST /logs</c>
/// (<c>"type": "tool"</c>). It is stored and shown (as <c>ToolConfigResponse</c>), never run.
/// </summary>
internal sealed record ToolConfigContent
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public JsonObject? Parameters { get; init; }
    public string? Source { get; init; }
    public string? SourceCode { get; init; }
    public JsonObject? Other { get; init; }
    public string? PresetName { get; init; }

    public static readonly IReadOnlyList<string> Sources = ["organization", "inline"];

    /// <summary>Reads the request; null (with the problems in the reader's errors) when it is not valid.</summary>
    public static ToolConfigContent? Parse(FieldReader reader)
    {
        var errorsBefore = reader.Errors.Count;
        var name = reader.String("name", required: true);
        var description = reader.String("description");
        var parameters = reader.JsonObject("parameters");
        var source = reader.Enum("source", Sources);
        var sourceCode = reader.String("source_code");
        var other = reader.JsonObject("other");
        var presetName = reader.String("preset_name");
        if (name is null || reader.Errors.Count > errorsBefore)
        {
            return null;
        }

        return new ToolConfigContent
        {
            Name = name,
            Description = description,
            Parameters = (JsonObject?)parameters?.DeepClone(),
            Source = source,
            SourceCode = sourceCode,
            Other = (JsonObject?)other?.DeepClone(),
            PresetName = presetName,
        };
    }

    public JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["description"] = Description,
        ["parameters"] = Parameters?.DeepClone(),
        ["source"] = Source,
        ["source_code"] = SourceCode,
        ["other"] = Other?.DeepClone(),
        ["preset_name"] = PresetName,
    };

    /// <summary>The deduplication key: every field (a tool's name is part of what it is).</summary>
    public string ContentHash() => CanonicalJson.Sha256Hex(CanonicalJson.Write(ToJson()));

    public static ToolConfigContent FromJson(JsonObject json) => new()
    {
        Name = (string?)json["name"] ?? "",
        Description = (string?)json["description"],
        Parameters = json["parameters"]?.DeepClone() as JsonObject,
        Source = (string?)json["source"],
        SourceCode = (string?)json["source_code"],
        Other = json["other"]?.DeepClone() as JsonObject,
        PresetName = (string?)json["preset_name"],
    };
}
