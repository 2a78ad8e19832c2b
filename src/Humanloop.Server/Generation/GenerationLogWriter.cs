using System.Text.Json.Nodes;
using Humanloop.Server.Domain;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Generation;

/// <summary>A sample as it finished, with what its provider call measured.</summary>
internal sealed record FinishedSample(
    SamplePlan Sample,
    string RawOutput,
    IReadOnlyList<ToolCall> ToolCalls,
    string? FinishReason,
    int PromptTokens,
    int GenerationTokens,
    double LatencySeconds,
    JsonNode ProviderRequest,
    JsonNode ProviderResponse);

/// <summary>Records one finished sample as a log; every generated sample is a log.</summary>
internal sealed class GenerationLogWriter(LogStore logs, TimeProvider time)
{
    public void Write(GenerationPlan plan, FinishedSample finished)
    {
        var request = plan.Request;
        var sample = finished.Sample;
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
            Messages = plan.Kind.LogsMessages ? ChatMessage.ToJson(sample.Conversation.Messages) : null,
            Output = finished.RawOutput.Trim(),
            RawOutput = finished.RawOutput,
            OutputMessage = plan.Kind.LogsMessages ? ChatMessage.Answer(finished.RawOutput, finished.ToolCalls).ToJson() : null,
            ToolChoice = request.ToolChoice?.ToJson(),
            FinishReason = finished.FinishReason,
            Source = request.Source,
            Metadata = (JsonObject?)request.Metadata?.DeepClone(),
            User = request.User,
            SourceDatapointId = request.SourceDatapointId,
            Save = request.Save,
            PromptTokens = finished.PromptTokens,
            OutputTokens = finished.GenerationTokens,
            ProviderLatency = finished.LatencySeconds,
            // save=false asks for the provider payloads not to be kept.
            ProviderRequest = request.Save ? finished.ProviderRequest.DeepClone() : null,
            ProviderResponse = request.Save ? finished.ProviderResponse.DeepClone() : null,
            CreatedAt = now,
            UpdatedAt = now,
        });
    }
}
