using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Humanloop.Server.Tests.Infrastructure;

/// <summary>What the stub received.</summary>
public sealed record StubRequest(string Path, string Query, string? Authorization, string? AzureKey, JsonObject Body);

/// <summary>
/// A tiny OpenAI-compatible <c>/chat/completions</c> server on 127.0.0.1:0. The model name picks
/// the behaviour: <c>fail-429</c>, <c>fail-500</c>, <c>fail-401</c> fail; <c>echo-key-401</c> fails quoting the key it
/// got in a JSON error, <c>echo-key-text</c> in a plain-text 502; <c>tools</c> finishes
/// with <c>tool_calls</c>; <c>tool-calls</c> answers with the two <see cref="StubToolCalls"/> of
/// the request's first tool (streamed as OpenAI does: keyed by index, id and name only on the first
/// delta of each call, arguments in pieces); <c>no-usage</c> streams without a usage chunk;
/// <c>sse-variants</c> streams "Hello from choice 0" in the less tidy framing real servers use;
/// <c>error-mid-stream</c> streams "Hello" then an error event and ends; <c>stall-on-demand</c> holds a
/// request whose last message contains <see cref="StallMarker"/> until the caller gives up (or the stub stops),
/// answering others normally; anything else answers "Hello from choice {i}" for each of the <c>n</c> choices.
/// </summary>
public sealed class OpenAiStub : IAsyncDisposable
{
    /// <summary>What makes the <c>stall-on-demand</c> model hold a request.</summary>
    public const string StallMarker = "[stall]";

    private readonly WebApplication _app;
    private readonly List<StubRequest> _requests = new();
    private int _stalledNow;
    private int _stallsAbandoned;

    private OpenAiStub(WebApplication app)
    {
        _app = app;
    }

    public string BaseUrl { get; private set; } = "";

    public IReadOnlyList<StubRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToList();
            }
        }
    }

    public static async Task<OpenAiStub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new OpenAiStub(app);
        app.MapPost("/v1/chat/completions", stub.HandleAsync);
        app.MapPost("/openai/deployments/{deployment}/chat/completions", stub.HandleAsync);
        await app.StartAsync();
        stub.BaseUrl = app.Urls.First().TrimEnd('/');
        return stub;
    }

    public static string Answer(int choice) => $"Hello from choice {choice}";

    /// <summary>What the <c>tool-calls</c> model asks for: two calls, with these ids and arguments.</summary>
    public static readonly (string Id, string Arguments)[] StubToolCalls =
    [
        ("call_stub_a", "{\"city\":\"Paris\",\"days\":2}"),
        ("call_stub_b", "{\"city\":\"Rome\"}"),
    ];

    /// <summary>How the stub cuts each call's arguments when it streams them.</summary>
    public static IEnumerable<string> ArgumentPieces(string arguments) => arguments.Chunk(5).Select(c => new string(c));

    /// <summary>How many <c>stall-on-demand</c> requests are being held right now.</summary>
    public int StalledNow => Volatile.Read(ref _stalledNow);

    /// <summary>How many held requests ended because their caller gave up on them.</summary>
    public int StallsAbandoned => Volatile.Read(ref _stallsAbandoned);

    /// <summary>Waits until <paramref name="condition"/> holds of the stub (polled; fails after 15 s, naming <paramref name="what"/>).</summary>
    public async Task WaitUntilAsync(Func<OpenAiStub, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition(this))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The OpenAI stub never saw {what} (held now: {StalledNow}, abandoned: {StallsAbandoned}).");
            }

            await Task.Delay(10);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        lock (_requests)
        {
            _requests.Add(new StubRequest(context.Request.Path, context.Request.QueryString.Value ?? "",
                context.Request.Headers.Authorization.FirstOrDefault(), context.Request.Headers["api-key"].FirstOrDefault(), body));
        }

        var model = (string?)body["model"] ?? "";
        var n = (int?)body["n"] ?? 1;
        var stream = (bool?)body["stream"] ?? false;
        switch (model)
        {
            case "fail-429":
                context.Response.Headers["Retry-After"] = "7";
                await WriteErrorAsync(context, 429, "Rate limit reached for requests", "requests");
                return;
            case "fail-500":
                await WriteErrorAsync(context, 500, "The server had an error", "server_error");
                return;
            case "echo-key-401":
                await WriteErrorAsync(context, 401, $"Incorrect API key provided: {KeyOf(context)}", "invalid_request_error");
                return;
            case "echo-key-text":
                context.Response.StatusCode = 502;
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync($"bad gateway; upstream rejected key {KeyOf(context)}");
                return;
            case "fail-401":
                await WriteErrorAsync(context, 401, "Incorrect API key provided", "invalid_request_error");
                return;
        }

        if (model == "stall-on-demand" && ((string?)body["messages"]?.AsArray().LastOrDefault()?["content"] ?? "").Contains(StallMarker, StringComparison.Ordinal))
        {
            await HoldAsync(context);
            return;
        }

        if (stream && model is "sse-variants" or "error-mid-stream")
        {
            await WriteRawStreamAsync(context, model);
            return;
        }

        var toolName = (string?)body["tools"]?[0]?["function"]?["name"] ?? "lookup";
        if (model == "tool-calls")
        {
            await WriteToolCallsAsync(context, model, toolName, n, stream);
            return;
        }

        var finishReason = model == "tools" ? "tool_calls" : "stop";
        if (!stream)
        {
            await WriteCompletionAsync(context, model, n, i => new JsonObject { ["role"] = "assistant", ["content"] = Answer(i) }, finishReason, 4);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        async Task SendAsync(JsonObject chunk)
        {
            await context.Response.WriteAsync("data: " + chunk.ToJsonString() + "\n\n", Encoding.UTF8);
            await context.Response.Body.FlushAsync();
        }

        JsonObject Chunk(int index, string? content, string? finish) => new()
        {
            ["id"] = "chatcmpl-stub",
            ["object"] = "chat.completion.chunk",
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = index,
                ["delta"] = content is null ? new JsonObject() : new JsonObject { ["content"] = content },
                ["finish_reason"] = finish,
            }),
        };

        foreach (var word in new[] { "Hello", " from", " choice" })
        {
            for (var i = 0; i < n; i++)
            {
                await SendAsync(Chunk(i, word, null));
            }
        }

        for (var i = 0; i < n; i++)
        {
            await SendAsync(Chunk(i, $" {i}", null));
            await SendAsync(Chunk(i, null, finishReason));
        }

        if (model != "no-usage")
        {
            await SendAsync(new JsonObject
            {
                ["id"] = "chatcmpl-stub",
                ["object"] = "chat.completion.chunk",
                ["choices"] = new JsonArray(),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 11, ["completion_tokens"] = 4 * n, ["total_tokens"] = 11 + 4 * n },
            });
        }

        await context.Response.WriteAsync("data: [DONE]\n\n");
    }

    /// <summary>
    /// <c>sse-variants</c>: what a reader must get through besides tidy <c>data: </c> lines: CRLF
    /// and CR line ends, comments (keep-alives), id, event and retry fields, data without the space
    /// after the colon, data that is not JSON, and an event after <c>[DONE]</c> that must not be read.
    /// No usage chunk, so the server counts chunks. <c>error-mid-stream</c>: one piece, then the
    /// error event OpenAI sends when it fails after the headers, then the end of the body.
    /// </summary>
    private static async Task WriteRawStreamAsync(HttpContext context, string model)
    {
        string Chunk(string? content, string? finish) => new JsonObject
        {
            ["id"] = "chatcmpl-stub",
            ["object"] = "chat.completion.chunk",
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["delta"] = content is null ? new JsonObject() : new JsonObject { ["content"] = content },
                ["finish_reason"] = finish,
            }),
        }.ToJsonString();

        context.Response.ContentType = "text/event-stream";
        var body = model == "sse-variants"
            ? ": OPENROUTER PROCESSING\r\n\r\n"
                + "data: " + Chunk("Hello", null) + "\r\n\r\n"
                + ": keep-alive\n\n"
                + "id: 1\nevent: message\nretry: 1000\ndata:" + Chunk(" from", null) + "\n\n"
                + "data: not json\n\n"
                + "data: " + Chunk(" choice", null) + "\r\r"
                + "data: " + Chunk(" 0", null) + "\n\n"
                + "data: " + Chunk(null, "stop") + "\n\n"
                + "data: [DONE]\n\n"
                + "data: " + Chunk(" after done", null) + "\n\n"
            : "data: " + Chunk("Hello", null) + "\n\n"
                + "event: error\ndata: {\"error\":{\"message\":\"The server is overloaded\",\"type\":\"server_error\"}}\n\n";
        await context.Response.WriteAsync(body, Encoding.UTF8);
    }

    /// <summary>A non-streamed <c>chat.completion</c> with <paramref name="n"/> choices.</summary>
    private static async Task WriteCompletionAsync(HttpContext context, string model, int n, Func<int, JsonObject> message, string finishReason, int tokensPerChoice)
    {
        var choices = new JsonArray();
        for (var i = 0; i < n; i++)
        {
            choices.Add(new JsonObject { ["index"] = i, ["message"] = message(i), ["finish_reason"] = finishReason });
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject
        {
            ["id"] = "chatcmpl-stub",
            ["object"] = "chat.completion",
            ["model"] = model,
            ["choices"] = choices,
            ["usage"] = new JsonObject { ["prompt_tokens"] = 11, ["completion_tokens"] = tokensPerChoice * n, ["total_tokens"] = 11 + tokensPerChoice * n },
        }.ToJsonString());
    }

    private static async Task WriteToolCallsAsync(HttpContext context, string model, string toolName, int n, bool stream)
    {
        if (!stream)
        {
            JsonObject Message(int choice) => new()
            {
                ["role"] = "assistant",
                ["content"] = null,
                ["tool_calls"] = new JsonArray(StubToolCalls.Select(c => (JsonNode)new JsonObject
                {
                    ["id"] = c.Id,
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = toolName, ["arguments"] = c.Arguments },
                }).ToArray()),
            };

            await WriteCompletionAsync(context, model, n, Message, "tool_calls", 9);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        async Task SendAsync(int index, JsonObject delta, string? finish)
        {
            var chunk = new JsonObject
            {
                ["id"] = "chatcmpl-stub",
                ["object"] = "chat.completion.chunk",
                ["model"] = model,
                ["choices"] = new JsonArray(new JsonObject { ["index"] = index, ["delta"] = delta, ["finish_reason"] = finish }),
            };
            await context.Response.WriteAsync("data: " + chunk.ToJsonString() + "\n\n", Encoding.UTF8);
            await context.Response.Body.FlushAsync();
        }

        for (var i = 0; i < n; i++)
        {
            for (var call = 0; call < StubToolCalls.Length; call++)
            {
                var (id, arguments) = StubToolCalls[call];
                // OpenAI's first delta of a call has its id, type and name, and empty arguments; later ones only the index and a piece.
                await SendAsync(i, new JsonObject
                {
                    ["role"] = call == 0 ? "assistant" : null,
                    ["content"] = null,
                    ["tool_calls"] = new JsonArray(new JsonObject
                    {
                        ["index"] = call,
                        ["id"] = id,
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = toolName, ["arguments"] = "" },
                    }),
                }, null);
                foreach (var piece in ArgumentPieces(arguments))
                {
                    await SendAsync(i, new JsonObject
                    {
                        ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = call, ["function"] = new JsonObject { ["arguments"] = piece } }),
                    }, null);
                }
            }

            await SendAsync(i, new JsonObject(), "tool_calls");
        }

        await context.Response.WriteAsync("data: " + new JsonObject
        {
            ["id"] = "chatcmpl-stub",
            ["object"] = "chat.completion.chunk",
            ["choices"] = new JsonArray(),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 11, ["completion_tokens"] = 9 * n, ["total_tokens"] = 11 + 9 * n },
        }.ToJsonString() + "\n\ndata: [DONE]\n\n");
    }

    private async Task HoldAsync(HttpContext context)
    {
        var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        Interlocked.Increment(ref _stalledNow);
        try
        {
            await Task.Delay(Timeout.Infinite, either.Token);
        }
        catch (OperationCanceledException)
        {
            if (context.RequestAborted.IsCancellationRequested)
            {
                Interlocked.Increment(ref _stallsAbandoned);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _stalledNow);
        }
    }

    private static string KeyOf(HttpContext context) =>
        context.Request.Headers.Authorization.FirstOrDefault()?.Replace("Bearer ", "", StringComparison.Ordinal)
        ?? context.Request.Headers["api-key"].FirstOrDefault() ?? "";

    private static async Task WriteErrorAsync(HttpContext context, int status, string message, string type)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = null },
        }.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
