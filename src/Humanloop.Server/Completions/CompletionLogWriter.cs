using System.Text.Json.Nodes;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Completions;

/// <summary>Records one finished sample as a log; every completion sample is a log.</summary>
internal sealed class CompletionLogWriter(LogStore logs, TimeProvider time)
{
    public void Write(CompletionPlan plan, SamplePlan sample, string rawOutput, string? finishReason, int promptTokens, int generationTokens,
        double latencySeconds, JsonNode providerRequest, JsonNode providerResponse)
    {
        var request = plan.Request;
        var now = time.GetUtcNow().UtcDateTime;
        logs.Insert(new LogRecord
        {
            Id = sample.LogId,
            ProjectId = plan.Project.Id,
            SessionId = plan.Session?.Id,
            SessionReferenceId = plan.Session?.ReferenceId,
            ParentId = request.ParentId,
            ConfigId = sample.Config.Id,
            ExperimentId = sample.ExperimentId,
            TrialId = sample.TrialId,
            Environment = plan.Environment,
            Inputs = (JsonObject)request.Inputs.DeepClone(),
            Output = rawOutput.Trim(),
            RawOutput = rawOutput,
            FinishReason = finishReason,
            Source = request.Source,
            Metadata = (JsonObject?)request.Metadata?.DeepClone(),
            User = request.User,
            SourceDatapointId = request.SourceDatapointId,
            Save = request.Save,
            PromptTokens = promptTokens,
            OutputTokens = generationTokens,
            ProviderLatency = latencySeconds,
            // save=false asks for the provider payloads not to be kept.
            ProviderRequest = request.Save ? providerRequest.DeepClone() : null,
            ProviderResponse = request.Save ? providerResponse.DeepClone() : null,
            CreatedAt = now,
            UpdatedAt = now,
        });
    }
}
