using System.Text.Json.Nodes;

namespace Humanloop.Server.Http;

/// <summary>
/// Collects FastAPI-style validation errors (<c>{"loc": [...], "msg": "...", "type": "..."}</c>) so a
/// request reports every problem at once, as the hosted API did, and then fails with 422.
/// Messages and types follow pydantic v1, which the hosted FastAPI backend used.
/// </summary>
internal sealed class ValidationErrors
{
    private readonly List<JsonObject> _errors = new();

    public bool Any => _errors.Count > 0;

    public int Count => _errors.Count;

    public void Add(IEnumerable<object> location, string message, string type)
    {
        var loc = new JsonArray();
        foreach (var part in location)
        {
            loc.Add(part is int index ? JsonValue.Create(index) : JsonValue.Create(part.ToString()));
        }

        _errors.Add(new JsonObject { ["loc"] = loc, ["msg"] = message, ["type"] = type });
    }

    public void Missing(IEnumerable<object> location) => Add(location, "field required", "value_error.missing");

    public void ThrowIfAny()
    {
        if (Any)
        {
            throw ToException();
        }
    }

    public ApiException ToException()
    {
        var detail = new JsonArray();
        foreach (var error in _errors)
        {
            detail.Add(error.DeepClone());
        }

        return new ApiException(StatusCodes.Status422UnprocessableEntity, detail);
    }

    /// <summary>A one-error 422, for checks that happen after the body was read.</summary>
    public static ApiException Single(IEnumerable<object> location, string message, string type = "value_error")
    {
        var errors = new ValidationErrors();
        errors.Add(location, message, type);
        return errors.ToException();
    }
}
