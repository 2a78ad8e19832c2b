using System.Text.Json.Nodes;

namespace Humanloop.Server.Http;

/// <summary>
/// An error that ends a request with a documented status and a JSON <c>{"detail": ...}</c> body.
/// Thrown from anywhere in request handling and written by <see cref="ApiErrorMiddleware"/>.
/// </summary>
internal sealed class ApiException : Exception
{
    public ApiException(int statusCode, JsonNode? detail, IReadOnlyDictionary<string, string>? headers = null)
        : base(detail is JsonValue value && value.TryGetValue(out string? text) ? text : detail?.ToJsonString())
    {
        StatusCode = statusCode;
        Detail = detail;
        Headers = headers ?? new Dictionary<string, string>();
    }

    public int StatusCode { get; }

    public JsonNode? Detail { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    public static ApiException NotFound(string message) => new(StatusCodes.Status404NotFound, JsonValue.Create(message));

    public static ApiException NotFound(string kind, string id) => NotFound($"{kind} {id} not found");

    public static ApiException Conflict(string message) => new(StatusCodes.Status409Conflict, JsonValue.Create(message));

    public static ApiException Unauthorized(string message) => new(StatusCodes.Status401Unauthorized, JsonValue.Create(message));
}
