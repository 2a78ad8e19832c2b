using System.Text.Json;
using System.Text.Json.Nodes;
using Humanloop.Server.Http;

namespace Humanloop.Server.Domain;

/// <summary>
/// A tool a chat config offers the model (v4 <c>ModelConfigToolRequest</c>, or a
/// <c>LinkedToolRequest</c> that carries its name): a function with a JSON Schema for its arguments.
/// </summary>
internal sealed record ToolDefinition(string Name, string? Description, JsonObject? Parameters, bool? Strict)
{
    /// <summary>The tools of a stored config. They were checked when the config was registered; anything unusable is skipped.</summary>
    public static IReadOnlyList<ToolDefinition> ListFrom(JsonArray? tools) =>
        (tools ?? []).OfType<JsonObject>()
            .Where(t => t["name"] is JsonValue name && name.GetValueKind() == JsonValueKind.String)
            .Select(t => new ToolDefinition(
                t["name"]!.GetValue<string>(),
                t["description"] is JsonValue d && d.GetValueKind() == JsonValueKind.String ? d.GetValue<string>() : null,
                t["parameters"] as JsonObject,
                t["strict"] is JsonValue s && s.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? s.GetValue<bool>() : null))
            .ToList();

    /// <summary>Checks a config's <c>tools</c>; the list itself is stored as sent.</summary>
    public static void Check(FieldReader config, string name)
    {
        foreach (var tool in config.ObjectList(name) ?? [])
        {
            var source = tool.String("source");
            tool.String("id");
            tool.String("description");
            tool.JsonObject("parameters");
            tool.Bool("strict");
            if (tool.Object["name"] is null && source == "organization")
            {
                // A linked tool is resolved by id in the hosted API's tool registry, which this server does not have.
                tool.Errors.Add(tool.At("name"), "a linked tool needs its name here: the local server has no tool registry to look the id up in", "value_error.missing");
            }
            else
            {
                tool.String("name", required: true);
            }
        }
    }
}

/// <summary>
/// A <c>response_format</c> (a config's, or a chat request's): <c>type</c> is required; the object is
/// kept as sent, so newer forms (<c>json_schema</c>) reach the provider unchanged.
/// </summary>
internal static class ResponseFormat
{
    public static JsonObject? Read(FieldReader body, string name)
    {
        var format = body.Nested(name);
        format?.String("type", required: true);
        return (JsonObject?)format?.Object.DeepClone();
    }
}

/// <summary>A request's <c>tool_choice</c>: <c>none</c>, <c>auto</c>, <c>required</c>, or one named function.</summary>
internal sealed record ToolChoice(string Mode, string? FunctionName)
{
    public const string None = "none";
    public const string Auto = "auto";
    public const string Required = "required";
    public const string Function = "function";

    private static readonly string[] Modes = [None, Auto, Required];

    /// <summary>True when the model must call a tool: <c>required</c> or a named function.</summary>
    public bool Forces => Mode is Required or Function;

    public JsonNode ToJson() => Mode == Function
        ? new JsonObject { ["type"] = ToolCall.FunctionType, ["function"] = new JsonObject { ["name"] = FunctionName } }
        : JsonValue.Create(Mode);

    public static ToolChoice? Read(FieldReader body, string name)
    {
        switch (body.Object[name])
        {
            case null:
                return null;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                var mode = body.Enum(name, Modes);
                return mode is null ? null : new ToolChoice(mode, null);
            case JsonObject:
                var choice = body.Nested(name)!;
                choice.Enum("type", [ToolCall.FunctionType], required: true);
                var functionName = choice.Nested("function", required: true)?.String("name", required: true);
                return functionName is null ? null : new ToolChoice(Function, functionName);
            default:
                body.Errors.Add(body.At(name), "value is not 'none', 'auto', 'required' or a {\"type\": \"function\", \"function\": {\"name\": ...}} object", "type_error");
                return null;
        }
    }
}
