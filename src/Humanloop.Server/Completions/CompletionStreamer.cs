using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Humanloop.Server.Api;
using Humanloop.Server.Faults;
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
    // Deliberately invalid JSON, for the malformed_chunk fault.
    private const string MalformedEvent = "data: {\"data\": [ {\"output\": \"x\"\n\n";

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

        var events = new EventWriter(context, ActiveFault.Current(context));
        if (!await RelayAsync(plan, first, events, cancellationToken))
        {
            return;
        }

        foreach (var call in plan.Calls.Skip(1))
        {
            await using var stream = await call.Provider.OpenStreamAsync(call.Call, cancellationToken);
            if (!await RelayAsync(plan, stream, events, cancellationToken))
            {
                return;
            }
        }

        await events.FinishAsync();
    }

    /// <summary>Relays one provider stream; false when the response must end here (a fault or a gone client).</summary>
    private async Task<bool> RelayAsync(CompletionPlan plan, IProviderStream stream, EventWriter events, CancellationToken cancellationToken)
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
            if (!await events.WriteAsync(chunk))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes and flushes events, and applies a mid-stream fault when its event count is reached.</summary>
    private sealed class EventWriter(HttpContext context, FaultRule? fault)
    {
        private int _written;
        private bool _faultDone = fault is null || !FaultKinds.IsStreamOnly(fault.Kind);

        public async Task<bool> WriteAsync(CompletionResponse chunk)
        {
            if (!await ApplyFaultIfDueAsync())
            {
                return false;
            }

            await WriteRawAsync("data: " + WireJson.Serialize(chunk) + "\n\n");
            _written++;
            return true;
        }

        /// <summary>A fault due after the very last event still happens (a stall or a malformed chunk at the end).</summary>
        public Task FinishAsync() => ApplyFaultIfDueAsync();

        private async Task<bool> ApplyFaultIfDueAsync()
        {
            if (_faultDone || _written < fault!.AfterEvents)
            {
                return true;
            }

            _faultDone = true;
            switch (fault.Kind)
            {
                case FaultKinds.StallMidStream:
                    return await FaultMiddleware.StallAsync(fault.DelayMs, context);
                case FaultKinds.CutMidStream:
                    if (fault.Abort)
                    {
                        await FaultMiddleware.AbortAfterFlushAsync(context);
                    }

                    return false;
                case FaultKinds.MalformedChunk:
                    await WriteRawAsync(MalformedEvent);
                    return true;
                default:
                    return true;
            }
        }

        private async Task WriteRawAsync(string text)
        {
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }
}
