using System.Text.Json.Nodes;
using Humanloop.Server.Api;

namespace Humanloop.Server.Completions;

/// <summary>Runs a plan without streaming and builds the <c>CompletionResponse</c>.</summary>
internal sealed class CompletionRunner(CompletionLogWriter logWriter)
{
    public async Task<CompletionResponse> RunAsync(CompletionPlan plan, CancellationToken cancellationToken)
    {
        var request = plan.Request;
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
                logWriter.Write(plan, samplePlan, sample.RawOutput, sample.FinishReason, generation.PromptTokens, sample.GenerationTokens,
                    generation.LatencySeconds, generation.ProviderRequest, generation.ProviderResponse);
                data[sample.Index] = new DataResponse(samplePlan.LogId, sample.Index, sample.RawOutput.Trim(), sample.RawOutput,
                    request.ReturnInputs ? (JsonObject)request.Inputs.DeepClone() : new JsonObject(), sample.FinishReason, samplePlan.Config.Id, []);
            }
        }

        return new CompletionResponse(
            plan.Project.Id,
            request.NumSamples,
            request.Logprobs,
            request.Suffix,
            request.User,
            data.Where(d => d is not null).ToList(),
            new Usage(promptTokens, generationTokens, promptTokens + generationTokens),
            (JsonObject?)request.Metadata?.DeepClone(),
            providerResponses,
            providerRequest?.DeepClone(),
            plan.Session?.Id);
    }
}
