using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Humanloop.Server.Faults;

/// <summary>
/// Counts /v4 requests (and those in flight) and applies the fault rules: any delays, then the
/// first other rule that matches. Present only when the server was started with faults enabled.
/// It runs before the key check, like a proxy or rate limiter in front of the real service would.
/// </summary>
internal sealed class FaultMiddleware(RequestDelegate next, FaultInjector injector)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (!context.Request.Path.StartsWithSegments("/v4"))
        {
            await next(context);
            return;
        }

        using var arrival = injector.Arrive(path);
        context.Response.OnStarting(() =>
        {
            arrival.Dispose();
            return Task.CompletedTask;
        });
        if (!injector.HasPendingRules)
        {
            await next(context);
            return;
        }

        var streaming = await IsStreamingRequestAsync(context.Request);
        var position = 0;
        var rule = injector.TryTake(path, context.Request.Method, streaming, delayed: false, ref position);
        if (!await AwaitRequestsAsync(rule, context))
        {
            return;
        }

        if (rule?.Kind == FaultKinds.Delay)
        {
            if (!await StallAsync(rule.DelayMs, context))
            {
                return;
            }

            rule = injector.TryTake(path, context.Request.Method, streaming, delayed: true, ref position);
            if (!await AwaitRequestsAsync(rule, context))
            {
                return;
            }
        }

        switch (rule?.Kind)
        {
            case null:
                await next(context);
                break;
            case FaultKinds.Status:
                await WriteStatusAsync(context, rule);
                break;
            case FaultKinds.ResetBeforeHeaders:
                context.Abort();
                break;
            case FaultKinds.StallBeforeHeaders:
                if (await StallAsync(rule.DelayMs, context))
                {
                    await next(context);
                }

                break;
            default:
                await RunWithFaultingBodyAsync(context, rule);
                break;
        }
    }

    /// <summary>
    /// Mid-stream and mid-body faults act on the bytes as they leave. Errors thrown before any byte
    /// was written still reach the error writer (outside this middleware) on the real body, unfaulted.
    /// </summary>
    private async Task RunWithFaultingBodyAsync(HttpContext context, FaultRule rule)
    {
        var original = context.Response.Body;
        var faulting = new FaultingResponseBody(original, rule, context);
        context.Response.Body = faulting;
        try
        {
            await next(context);
            await faulting.FinishAsync();
        }
        catch (FaultEndedResponseException)
        {
            // The fault ended the response on purpose: a clean end of the body, or an abort already done.
        }
        finally
        {
            context.Response.Body = original;
        }
    }

    /// <summary>
    /// Waits; false when the client gave up first (then there is nothing left to do). A server
    /// shutdown also ends the wait, so an endless stall never holds up Ctrl+C.
    /// </summary>
    public static Task<bool> StallAsync(int? delayMs, HttpContext context) =>
        WaitAsync(token => Task.Delay(delayMs is { } ms ? TimeSpan.FromMilliseconds(ms) : Timeout.InfiniteTimeSpan, token), context);

    /// <summary>A taken rule's barrier: waits until that many /v4 requests have arrived; false when the client gave up first.</summary>
    private Task<bool> AwaitRequestsAsync(FaultRule? rule, HttpContext context) =>
        rule?.AwaitRequests is { } count ? WaitAsync(token => injector.WaitForRequestsAsync(count, token), context) : Task.FromResult(true);

    private static async Task<bool> WaitAsync(Func<CancellationToken, Task> wait, HttpContext context)
    {
        var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        try
        {
            await wait(either.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            if (!context.RequestAborted.IsCancellationRequested)
            {
                // Shutting down: drop the connection rather than answer with an empty success.
                context.Abort();
            }

            return false;
        }
    }

    /// <summary>
    /// Aborts after a pause, so what was flushed is read by the client first: a reset makes the
    /// peer's kernel discard data it has received but not yet read, headers included. The pause is
    /// long enough for a client that is still starting up (a cold process compiling its stream
    /// reader) to read the headers; with 100 ms such a client sometimes saw a connection failure
    /// before the response, and retried.
    /// </summary>
    public static async Task AbortAfterFlushAsync(HttpContext context)
    {
        await Task.Delay(FlushGraceMs, CancellationToken.None);
        context.Abort();
    }

    private const int FlushGraceMs = 1000;

    private static async Task WriteStatusAsync(HttpContext context, FaultRule rule)
    {
        var status = rule.StatusCode ?? StatusCodes.Status500InternalServerError;
        var response = context.Response;
        response.StatusCode = status;
        if (rule.RetryAfter is not null)
        {
            response.Headers["Retry-After"] = rule.RetryAfter;
        }

        if (rule.RetryAfterMs is { } ms)
        {
            response.Headers["retry-after-ms"] = ms.ToString(CultureInfo.InvariantCulture);
        }

        response.ContentType = rule.ContentType ?? "application/json";
        var body = rule.Body ?? new JsonObject
        {
            ["detail"] = new JsonObject
            {
                ["type"] = "injected_fault",
                ["message"] = $"Injected fault: HTTP {status}",
                ["code"] = status,
                ["origin"] = "Humanloop",
            },
        }.ToJsonString();
        await response.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>Peeks at the JSON body's <c>stream</c> flag, leaving the body readable for the endpoint.</summary>
    private static async Task<bool> IsStreamingRequestAsync(HttpRequest request)
    {
        if (!HttpMethods.IsPost(request.Method))
        {
            return false;
        }

        request.EnableBuffering();
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("stream", out var stream)
                && stream.ValueKind == JsonValueKind.True;
        }
        catch (JsonException)
        {
            return false;
        }
        finally
        {
            request.Body.Position = 0;
        }
    }
}
