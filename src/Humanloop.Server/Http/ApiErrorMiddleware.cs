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
            var most = limit is { } bytes ? $" (at most {bytes / 1_000_000d:0.0} MB)" : string.Empty;
            await WriteAsync(context, ex.StatusCode, JsonValue.Create($"The request body is larger than this server accepts{most}."), null);
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
        var body = new JsonObject { ["detail"] = detail?.DeepClone() };
        await context.Response.WriteAsync(body.ToJsonString(WireJson.Options), context.RequestAborted);
    }
}
