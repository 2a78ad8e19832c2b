using System.Text.Json;
using System.Text.Json.Nodes;

namespace Humanloop.Server.Http;

/// <summary>Reads a request body as JSON, reporting malformed or missing bodies as FastAPI did (422).</summary>
internal static class RequestBody
{
    public static readonly object[] BodyLocation = ["body"];

    public static async Task<JsonNode> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        string text;
        using (var reader = new StreamReader(request.Body, leaveOpen: true))
        {
            text = await reader.ReadToEndAsync(cancellationToken);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            var errors = new ValidationErrors();
            errors.Missing(BodyLocation);
            throw errors.ToException();
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
