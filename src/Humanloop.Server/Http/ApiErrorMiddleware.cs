using System.Text.Json.Nodes;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Http;

/// <summary>
/// Writes every failure as JSON <c>{"detail": ...}</c>: documented errors with their status, and
/// anything unexpected as a 500 whose body reveals nothing internal.
/// </summary>
internal sealed class ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (ApiException ex)
        {
            await WriteAsync(context, ex.StatusCode, ex.Detail, ex.Headers);
        }
        catch (RecordNotFoundException ex)
        {
            await WriteAsync(context, StatusCodes.Status404NotFound, JsonValue.Create(ex.Message), null);
        }
        catch (RecordConflictException ex)
        {
            await WriteAsync(context, StatusCodes.Status409Conflict, JsonValue.Create(ex.Message), null);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is no one to answer.
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            var limit = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
            await WriteAsync(context, ex.StatusCode, JsonValue.Create(RequestLimits.BodyTooLarge(limit)), null);
        }
        catch (BadHttpRequestException ex)
        {
            await WriteAsync(context, ex.StatusCode, JsonValue.Create(ex.Message), null);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Unhandled error for {Method} {Path}", context.Request.Method, context.Request.Path);
            await WriteAsync(context, StatusCodes.Status500InternalServerError, JsonValue.Create("Internal Server Error"), null);
        }
    }

    /// <summary>The longest string an error body carries; messages quote inputs shorter still (<see cref="RequestLimits.Echo"/>).</summary>
    public const int MaxMessageLength = 1000;

    /// <summary>
    /// An error's detail with every string cut to <see cref="MaxMessageLength"/> characters: whatever a message
    /// quotes (an input, an upstream body), an error body stays small.
    /// </summary>
    private static JsonNode? Bounded(JsonNode? node)
    {
        if (Cut(node) is { } cut)
        {
            return cut;
        }

        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    if (Cut(obj[name]) is { } shorter)
                    {
                        obj[name] = shorter;
                    }
                    else
                    {
                        Bounded(obj[name]);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (Cut(array[i]) is { } shorter)
                    {
                        array[i] = shorter;
                    }
                    else
                    {
                        Bounded(array[i]);
                    }
                }

                break;
        }

        return node;
    }

    /// <summary>A new, shorter value for a string over the limit; null for anything else.</summary>
    private static JsonValue? Cut(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.String && value.GetValue<string>() is { Length: > MaxMessageLength } text
            ? JsonValue.Create(string.Concat(text.AsSpan(0, MaxMessageLength), "…"))
            : null;

    public static async Task WriteAsync(HttpContext context, int statusCode, JsonNode? detail, IReadOnlyDictionary<string, string>? headers)
    {
        if (context.Response.HasStarted)
        {
            // Mid-stream there is no way to send a status; ending the connection tells the client the response is incomplete.
            context.Abort();
            return;
        }

        context.Response.Clear();
        context.Response.StatusCode = statusCode;
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        context.Response.ContentType = "application/json";
        var body = new JsonObject { ["detail"] = Bounded(detail?.DeepClone()) };
        await context.Response.WriteAsync(body.ToJsonString(WireJson.Options), context.RequestAborted);
    }
}
