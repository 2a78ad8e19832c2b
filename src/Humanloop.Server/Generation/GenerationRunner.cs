using System.Text.Json.Nodes;
using Humanloop.Server.Api;

namespace Humanloop.Server.Generation;

/// <summary>Runs a plan without streaming and builds the response.</summary>
internal sealed class GenerationRunner(GenerationLogWriter logWriter)
{
    public async Task<CompletionResponse> RunAsync(GenerationPlan plan, CancellationToken cancellationToken)
    {
        var data = new DataResponse[plan.Samples.Count];
        var providerResponses = new JsonArray();
        JsonNode? providerRequest = null;
        int promptTokens = 0, generationTokens = 0;

        foreach (var call in plan.Calls)
        {
            var generation = await call.Provider.GenerateAsync(call.Call, cancellationToken);
            providerRequest ??= generation.ProviderRequest;
            providerResponses.Add(generation.ProviderResponse.DeepClone());
            promptTokens += generation.PromptTokens;
            foreach (var sample in generation.Samples)
            {
                var samplePlan = plan.Sample(sample.Index);
                generationTokens += sample.GenerationTokens;
                logWriter.Write(plan, new FinishedSample(samplePlan, sample.RawOutput, sample.ToolCalls, sample.FinishReason, generation.PromptTokens,
                    sample.GenerationTokens, generation.LatencySeconds, generation.ProviderRequest, generation.ProviderResponse));
                data[sample.Index] = plan.Kind.Item(plan.Request, samplePlan, new SampleView(sample.RawOutput, sample.ToolCalls, sample.FinishReason, IsDelta: false));
            }
        }

        return plan.Kind.Response(plan, data.Where(d => d is not null).ToList(),
            new Usage(promptTokens, generationTokens, promptTokens + generationTokens), providerResponses, providerRequest);
    }
}
