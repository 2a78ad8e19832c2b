using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Humanloop.Server.Api;
using Humanloop.Server.Domain;
using Humanloop.Server.Http;
using Humanloop.Server.Providers;

namespace Humanloop.Server.Generation;

/// <summary>
/// Streams a plan as data-only server-sent events: each event is exactly <c>data: {json}\n\n</c>,
/// a response with one item whose <c>output</c> (and, for chats, tool calls) is a delta. A sample's
/// last event has its <c>finish_reason</c> and <c>usage</c>; there is no terminator event. Each
/// finished sample is logged as it finishes.
/// </summary>
internal sealed class GenerationStreamer(GenerationLogWriter logWriter)
{
    public async Task StreamAsync(GenerationPlan plan, HttpContext context)
    {
        var cancellationToken = context.RequestAborted;

        // Opening the first provider stream before any byte is written lets provider errors
        // still become an ordinary HTTP error response.
        await using var first = await plan.Calls[0].Provider.OpenStreamAsync(plan.Calls[0].Call, cancellationToken);

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync(cancellationToken);

        try
        {
            await RelayAsync(plan, first, context);
            foreach (var call in plan.Calls.Skip(1))
            {
                await using var stream = await call.Provider.OpenStreamAsync(call.Call, cancellationToken);
                await RelayAsync(plan, stream, context);
            }
        }
        catch (ApiException failure)
        {
            // The status line is gone: a failure after it is the stream's last event, {"detail": …} as
            // an error response would carry, so a client reports it instead of a bare truncation.
            var bytes = Encoding.UTF8.GetBytes("data: " + new JsonObject { ["detail"] = failure.Detail?.DeepClone() }.ToJsonString() + "\n\n");
            await response.Body.WriteAsync(bytes, cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
        }
    }

    private async Task RelayAsync(GenerationPlan plan, IProviderStream stream, HttpContext context)
    {
        var sofar = new Dictionary<int, (StringBuilder Text, ToolCallAssembler ToolCalls)>();
        var stopwatch = Stopwatch.StartNew();
        await foreach (var delta in stream.ReadAsync(context.RequestAborted))
        {
            var sample = plan.Sample(delta.Index);
            if (!sofar.TryGetValue(delta.Index, out var output))
            {
                sofar[delta.Index] = output = (new StringBuilder(), new ToolCallAssembler());
            }

            output.Text.Append(delta.Text);
            output.ToolCalls.Add(delta.ToolCalls);

            Usage? usage = null;
            if (delta.FinishReason is not null)
            {
                var generationTokens = delta.GenerationTokens ?? 0;
                usage = new Usage(stream.PromptTokens, generationTokens, stream.PromptTokens + generationTokens);
                logWriter.Write(plan, new FinishedSample(sample, output.Text.ToString(), output.ToolCalls.Calls, delta.FinishReason, stream.PromptTokens,
                    generationTokens, stopwatch.Elapsed.TotalSeconds, stream.ProviderRequest, stream.ProviderResponse));
            }

            var item = plan.Kind.Item(plan.Request, sample, new SampleView(delta.Text, delta.ToolCalls, delta.FinishReason, IsDelta: true));
            await WriteEventAsync(context, plan.Kind.Response(plan, [item], usage, [], null));
        }
    }

    /// <summary>Each event in one write, flushed, so it reaches the client as it is made.</summary>
    private static async Task WriteEventAsync(HttpContext context, CompletionResponse chunk)
    {
        var bytes = Encoding.UTF8.GetBytes("data: " + WireJson.Serialize(chunk) + "\n\n");
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }
}
