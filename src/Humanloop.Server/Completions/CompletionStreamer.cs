using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Humanloop.Server.Api;
using Humanloop.Server.Http;
using Humanloop.Server.Providers;

namespace Humanloop.Server.Completions;

/// <summary>
/// Streams a plan as data-only server-sent events: each event is exactly <c>data: {json}\n\n</c>,
/// a <c>CompletionResponse</c> with one item whose <c>output</c> is a delta. A sample's last event
/// has its <c>finish_reason</c> and <c>usage</c>; there is no terminator event. Each finished
/// sample is logged as it finishes.
/// </summary>
internal sealed class CompletionStreamer(CompletionLogWriter logWriter)
{
    public async Task StreamAsync(CompletionPlan plan, HttpContext context)
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

        var events = new EventWriter(context);
        await RelayAsync(plan, first, events, cancellationToken);

        foreach (var call in plan.Calls.Skip(1))
        {
            await using var stream = await call.Provider.OpenStreamAsync(call.Call, cancellationToken);
            await RelayAsync(plan, stream, events, cancellationToken);
        }
    }

    private async Task RelayAsync(CompletionPlan plan, IProviderStream stream, EventWriter events, CancellationToken cancellationToken)
    {
        var request = plan.Request;
        var texts = new Dictionary<int, StringBuilder>();
        var stopwatch = Stopwatch.StartNew();
        await foreach (var delta in stream.ReadAsync(cancellationToken))
        {
            var sample = plan.Sample(delta.Index);
            (texts.TryGetValue(delta.Index, out var text) ? text : texts[delta.Index] = new StringBuilder()).Append(delta.Text);

            Usage? usage = null;
            if (delta.FinishReason is not null)
            {
                var generationTokens = delta.GenerationTokens ?? 0;
                usage = new Usage(stream.PromptTokens, generationTokens, stream.PromptTokens + generationTokens);
                logWriter.Write(plan, sample, texts[delta.Index].ToString(), delta.FinishReason, stream.PromptTokens, generationTokens,
                    stopwatch.Elapsed.TotalSeconds, stream.ProviderRequest, stream.ProviderResponse);
            }

            var chunk = new CompletionResponse(
                plan.Project.Id,
                request.NumSamples,
                request.Logprobs,
                request.Suffix,
                request.User,
                [new DataResponse(sample.LogId, delta.Index, delta.Text, delta.Text,
                    request.ReturnInputs ? (JsonObject)request.Inputs.DeepClone() : new JsonObject(), delta.FinishReason, sample.Config.Id, [])],
                usage,
                (JsonObject?)request.Metadata?.DeepClone(),
                [],
                null,
                plan.Session?.Id);
            await events.WriteAsync(chunk);
        }
    }

    /// <summary>Writes each event in one write and flushes it, so it reaches the client as it is made.</summary>
    private sealed class EventWriter(HttpContext context)
    {
        public async Task WriteAsync(CompletionResponse chunk)
        {
            var bytes = Encoding.UTF8.GetBytes("data: " + WireJson.Serialize(chunk) + "\n\n");
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }
}
