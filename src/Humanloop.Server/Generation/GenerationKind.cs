using System.Text.Json.Nodes;
using Humanloop.Server.Api;
using Humanloop.Server.Domain;
using Humanloop.Server.Http;
using Humanloop.Server.Providers;

namespace Humanloop.Server.Generation;

/// <summary>
/// What one sample shows in a data item: the whole answer, or (in a stream) one delta of it, whose
/// text and tool calls are fragments.
/// </summary>
internal sealed record SampleView(string Text, IReadOnlyList<ToolCall> ToolCalls, string? FinishReason, bool IsDelta);

/// <summary>
/// The part of the generation pipeline that differs between the Completions and the Chats groups:
/// their own request fields, how a config and the request make the conversation the model sees,
/// and the shape of a data item and of the response. Planning, running, streaming, logging and
/// experiment sampling are shared.
/// </summary>
/// <param name="group">The group's path: <c>/{group}</c>, <c>/{group}-deployed</c>, <c>-model-config</c>, <c>-experiment</c>.</param>
/// <param name="endpoint">The v4 <c>ModelEndpoints</c> value: an inline config's default, and what providers are told.</param>
/// <param name="templateName">What the config's templates are called in error messages.</param>
internal abstract class GenerationKind(string group, string endpoint, string templateName)
{
    public string Group { get; } = group;

    public string Endpoint { get; } = endpoint;

    public string TemplateName { get; } = templateName;

    /// <summary>Whether a log keeps the messages sent and the output message (chat logs do).</summary>
    public virtual bool LogsMessages => false;

    /// <summary>Reads the kind's own request fields into the request; problems go to the reader's errors.</summary>
    public abstract GenerationRequest ReadOwnFields(FieldReader body, GenerationRequest request);

    /// <summary>The config's template texts that the request's inputs fill, for the missing-input check.</summary>
    public abstract IEnumerable<string?> Templates(ModelConfigContent config);

    /// <summary>What the model is asked with this config, its templates already filled.</summary>
    public abstract Conversation Converse(ModelConfigContent config, GenerationRequest request);

    /// <summary>A data item for one sample, of a response or of a stream chunk.</summary>
    public DataResponse Item(GenerationRequest request, SamplePlan sample, SampleView view)
    {
        var item = new DataResponse(sample.LogId, sample.Index, view.IsDelta ? view.Text : view.Text.Trim(), view.Text,
            request.EchoedInputs(), view.FinishReason, sample.Config.Id, []);
        return Shape(item, sample, view);
    }

    /// <summary>A response, or a stream chunk (one item, no provider payloads).</summary>
    public CompletionResponse Response(GenerationPlan plan, IReadOnlyList<DataResponse> data, Usage? usage, JsonArray providerResponses, JsonNode? providerRequest)
    {
        var request = plan.Request;
        var response = new CompletionResponse(plan.Project.Id, request.NumSamples, request.Logprobs, request.Suffix, request.User, data, usage,
            (JsonObject?)request.Metadata?.DeepClone(), providerResponses, providerRequest?.DeepClone(), plan.Session?.Id);
        return Shape(response, request);
    }

    protected abstract DataResponse Shape(DataResponse item, SamplePlan sample, SampleView view);

    protected virtual CompletionResponse Shape(CompletionResponse response, GenerationRequest request) => response;
}
