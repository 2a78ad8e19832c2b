using System.Text.Json;
using System.Text.Json.Nodes;

namespace Humanloop.Server.Http;

/// <summary>Reads a request body as JSON, reporting malformed or missing bodies as FastAPI did (422).</summary>
internal static class RequestBody
{
    public static readonly object[] BodyLocation = ["body"];

    public static async Task<JsonNode> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var node = await ReadOptionalAsync(request, cancellationToken);
        if (node is null)
        {
            var errors = new ValidationErrors();
            errors.Missing(BodyLocation);
            throw errors.ToException();
        }

        return node;
    }

    /// <summary>Reads a body that may be left out: null when there is none (or only whitespace).</summary>
    public static async Task<JsonNode?> ReadOptionalAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        string text;
        using (var reader = new StreamReader(request.Body, leaveOpen: true))
        {
            text = await reader.ReadToEndAsync(cancellationToken);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text) ?? throw ValidationErrors.Single(BodyLocation, "none is not an allowed value", "type_error.none.not_allowed");
        }
        catch (JsonException ex)
        {
            var position = (int)(ex.BytePositionInLine ?? 0);
            throw ValidationErrors.Single(["body", position], $"Expecting value: line {(ex.LineNumber ?? 0) + 1} column {position + 1} (char {position})", "value_error.jsondecode");
        }
    }

    /// <summary>A body that is a JSON array of ids (as the Node SDK sends them to DELETE endpoints); each item must be a string.</summary>
    public static IReadOnlyList<string> IdArray(JsonNode node)
    {
        if (node is not JsonArray array)
        {
            throw ValidationErrors.Single(BodyLocation, "value is not a valid list", "type_error.list");
        }

        var errors = new ValidationErrors();
        var ids = new List<string>();
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.String)
            {
                ids.Add(value.GetValue<string>());
            }
            else
            {
                errors.Add(["body", i], "str type expected", "type_error.str");
            }
        }

        errors.ThrowIfAny();
        return ids;
    }

    /// <summary>Reads a body that must be one JSON object, as a field reader at location <c>["body"]</c>.</summary>
    public static async Task<FieldReader> ReadObjectAsync(HttpRequest request, ValidationErrors errors, CancellationToken cancellationToken)
    {
        var node = await ReadAsync(request, cancellationToken);
        if (node is not JsonObject obj)
        {
            throw ValidationErrors.Single(BodyLocation, "value is not a valid dict", "type_error.dict");
        }

        return new FieldReader(obj, BodyLocation, errors);
    }
}
