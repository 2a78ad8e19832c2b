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

/// <summary>
/// Records one finished sample as a log; every generated sample is a log. An evaluation's failed generation is
/// a log too, one that records the error.
/// </summary>
internal sealed class GenerationLogWriter(LogStore logs, TimeProvider time)
{
    /// <summary>Writes the sample's log; false when an evaluation run's log was not written because the evaluation has ended.</summary>
    public bool Write(GenerationPlan plan, FinishedSample finished)
    {
        var request = plan.Request;
        var sample = finished.Sample;
        var now = time.GetUtcNow().UtcDateTime;
        return Insert(request, new LogRecord
        {
            Id = sample.LogId,
            ProjectId = plan.Project.Id,
            SessionId = plan.Session?.Id,
            SessionReferenceId = plan.Session?.ReferenceId,
            ParentId = plan.ParentId,
            ParentReferenceId = request.ParentReferenceId,
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
            EvaluationId = request.EvaluationId,
            Save = request.Save,
            PromptTokens = finished.PromptTokens,
            OutputTokens = finished.GenerationTokens,
            ProviderLatency = finished.LatencySeconds,
            // save=false asks for the provider payloads not to be kept.
            ProviderRequest = request.Save ? finished.ProviderRequest.DeepClone() : null,
            ProviderResponse = request.Save ? OwnResponse(finished.ProviderResponse, PositionInCall(plan, sample.Index)) : null,
            CreatedAt = now,
            UpdatedAt = now,
        });
    }

    /// <summary>
    /// Writes the log of a generation that failed before it produced anything (a missing input, a provider error):
    /// the request's inputs and messages, no output, and the error. Returns the log id, or null when the log was not
    /// written because the evaluation it belongs to has ended.
    /// </summary>
    public string? WriteFailed(GenerationRequest request, string projectId, string configId, string error)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var log = new LogRecord
        {
            Id = Ids.New(Ids.Log),
            ProjectId = projectId,
            ConfigId = configId,
            Inputs = (JsonObject)request.Inputs.DeepClone(),
            Messages = request.Kind.LogsMessages ? ChatMessage.ToJson(request.Messages) : null,
            Source = request.Source,
            Metadata = (JsonObject?)request.Metadata?.DeepClone(),
            User = request.User,
            SourceDatapointId = request.SourceDatapointId,
            EvaluationId = request.EvaluationId,
            Error = error,
            Save = request.Save,
            CreatedAt = now,
            UpdatedAt = now,
        };
        return Insert(request, log) ? log.Id : null;
    }

    /// <summary>
    /// The provider's response as it concerns one sample: every field of the call's response but <c>choices</c>, which
    /// keeps only this sample's choice (the one at its position in the call), so a call that made n samples does not
    /// store its n choices n times.
    /// </summary>
    public static JsonNode OwnResponse(JsonNode response, int position)
    {
        if (response is not JsonObject whole || whole["choices"] is not JsonArray choices)
        {
            return response.DeepClone();
        }

        var own = new JsonObject();
        foreach (var (name, value) in whole)
        {
            own[name] = name != "choices" ? value?.DeepClone()
                : position < choices.Count ? new JsonArray(choices[position]?.DeepClone())
                : new JsonArray();
        }

        return own;
    }

    /// <summary>Where a sample is among the samples of the provider call that made it (a provider numbers its choices so).</summary>
    private static int PositionInCall(GenerationPlan plan, int sampleIndex)
    {
        foreach (var call in plan.Calls)
        {
            for (var position = 0; position < call.Call.SampleIndices.Count; position++)
            {
                if (call.Call.SampleIndices[position] == sampleIndex)
                {
                    return position;
                }
            }
        }

        return 0;
    }

    private bool Insert(GenerationRequest request, LogRecord log)
    {
        if (request.OnlyWhileEvaluationActive && request.EvaluationId is not null)
        {
            return logs.InsertWhileEvaluationActive(log);
        }

        logs.Insert(log);
        return true;
    }
}
