using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

// The Pester suite starts this with --urls http://127.0.0.1:0 and reads the "ready" line for the port.
// POST /_stub/responses queues one response (or an array of them), GET /_stub/requests returns what
// was received, DELETE /_stub forgets both. Any other request is recorded and answered from the queue.
// POST /_stub/default sets a response for when the queue is empty: such requests are answered with it and
// not recorded, so the stub can stand in for an endpoint under load (bench/scenarios/Forwarding.ps1).
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();

var queued = new ConcurrentQueue<JsonObject>();
JsonObject? fallback = null;
var received = new ConcurrentQueue<JsonObject>();

app.MapPost("/_stub/responses", async (HttpRequest request) =>
{
    var node = await JsonNode.ParseAsync(request.Body);
    foreach (var item in node is JsonArray array ? array.Select(entry => entry!.AsObject()) : [node!.AsObject()])
    {
        queued.Enqueue((JsonObject)item.DeepClone());
    }

    return Results.Ok(new { queued = queued.Count });
});
app.MapPost("/_stub/default", async (HttpRequest request) =>
{
    Volatile.Write(ref fallback, (await JsonNode.ParseAsync(request.Body))!.AsObject());
    return Results.NoContent();
});
app.MapGet("/_stub/requests", () => Results.Json(received.ToArray()));
app.MapDelete("/_stub", () =>
{
    queued.Clear();
    received.Clear();
    Volatile.Write(ref fallback, null);
    return Results.NoContent();
});

app.Map("/{**path}", async (HttpContext context) =>
{
    if (queued.IsEmpty && Volatile.Read(ref fallback) is { } answer)
    {
        await Respond(context, answer);
        return;
    }

    using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
    var body = await reader.ReadToEndAsync();
    var headers = new JsonObject();
    foreach (var header in context.Request.Headers)
    {
        headers[header.Key] = header.Value.ToString();
    }

    received.Enqueue(new JsonObject
    {
        ["method"] = context.Request.Method,
        ["path"] = context.Request.Path.Value,
        ["query"] = context.Request.QueryString.Value,
        ["headers"] = headers,
        ["body"] = body,
    });

    if (!queued.TryDequeue(out var script))
    {
        context.Response.StatusCode = 500;
        await context.Response.WriteAsJsonAsync(new { detail = "The stub has no response queued for this request." });
        return;
    }

    await Respond(context, script);
});

app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine("Stub server ready: " + app.Urls.First()));
app.Run();

static async Task Respond(HttpContext context, JsonObject script)
{
    var response = context.Response;
    var aborted = context.RequestAborted;
    if (script["delay_ms"]?.GetValue<int>() is int delay)
    {
        await Task.Delay(delay, aborted);
    }

    response.StatusCode = script["status"]?.GetValue<int>() ?? 200;
    if (script["headers"] is JsonObject headers)
    {
        foreach (var (name, value) in headers)
        {
            response.Headers[name] = value!.ToString();
        }
    }

    if (script["events"] is JsonArray events)
    {
        response.ContentType = script["content_type"]?.GetValue<string>() ?? "text/event-stream";
        var eventDelay = script["event_delay_ms"]?.GetValue<int>() ?? 0;
        var stallAfter = script["stall_after_events"]?.GetValue<int>() ?? -1;
        var index = 0;
        foreach (var item in events)
        {
            if (index++ == stallAfter)
            {
                await response.Body.FlushAsync(aborted);
                await Task.Delay(Timeout.Infinite, aborted);
            }

            // A string is sent as the raw data text; anything else as one line of JSON.
            var data = item is JsonValue value && value.TryGetValue<string>(out var text) ? text : item!.ToJsonString();
            await response.WriteAsync($"data: {data}\n\n", aborted);
            await response.Body.FlushAsync(aborted);
            if (eventDelay > 0)
            {
                await Task.Delay(eventDelay, aborted);
            }
        }

        if (index == stallAfter)
        {
            await Task.Delay(Timeout.Infinite, aborted);
        }

        return;
    }

    if (script["raw"] is JsonNode raw)
    {
        response.ContentType = script["content_type"]?.GetValue<string>() ?? "text/plain";
        await response.WriteAsync(raw.GetValue<string>(), aborted);
        return;
    }

    if (script["body"] is JsonNode json)
    {
        response.ContentType = "application/json";
        await response.WriteAsync(json.ToJsonString(new JsonSerializerOptions { WriteIndented = false }), aborted);
    }
}
