using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Humanloop.Server.Domain;
using Humanloop.Server.Http;

namespace Humanloop.Server.Api;

/// <summary>The fields of a v4 <c>LogRequest</c>, checked. <c>POST /logs</c> keeps them all; an evaluation's log keeps fewer.</summary>
internal sealed record LogRequestFields
{
    /// <summary>Where the request is in the body (<c>["body"]</c>, <c>["body", 2]</c>, <c>["body", "log"]</c>), for later errors.</summary>
    public required object[] Location { get; init; }

    public string? Project { get; init; }
    public string? ProjectId { get; init; }
    public JsonObject? Inputs { get; init; }
    public string? SessionId { get; init; }
    public string? SessionReferenceId { get; init; }
    public string? ParentId { get; init; }
    public string? ParentReferenceId { get; init; }
    public string? Source { get; init; }
    public JsonObject? Metadata { get; init; }
    public bool Save { get; init; } = true;
    public string? SourceDatapointId { get; init; }
    public string? ReferenceId { get; init; }
    public string? TrialId { get; init; }
    public JsonArray? Messages { get; init; }
    public string? Output { get; init; }
    public JsonNode? Judgment { get; init; }
    public string? ConfigId { get; init; }

    /// <summary>An inline <c>ModelConfigRequest</c> (<c>"type": "model"</c>, the default).</summary>
    public ModelConfigContent? ModelConfig { get; init; }

    /// <summary>An inline <c>ToolConfigRequest</c> (<c>"type": "tool"</c>).</summary>
    public ToolConfigContent? ToolConfig { get; init; }

    public string? Environment { get; init; }
    public IReadOnlyList<FeedbackInput> Feedback { get; init; } = [];
    public DateTime? CreatedAt { get; init; }
    public string? Error { get; init; }
    public double? Duration { get; init; }
    public JsonObject? OutputMessage { get; init; }
    public int? PromptTokens { get; init; }
    public int? OutputTokens { get; init; }
    public double? PromptCost { get; init; }
    public double? OutputCost { get; init; }
    public JsonObject? ProviderRequest { get; init; }
    public JsonObject? ProviderResponse { get; init; }
}

/// <summary>One feedback of <c>POST /feedback</c>, or of a <c>LogRequest</c>'s <c>feedback</c> (there without a <c>data_id</c>).</summary>
internal sealed record FeedbackInput(string Type, JsonNode? Value, string? DataId, string? User, DateTime? CreatedAt, bool Unset);

internal static class LogRequestReader
{
    private static readonly string[] ConfigTypes = ["model", "tool"];

    /// <summary>Reads a <c>LogRequest</c>; problems go to the reader's errors, at their full location.</summary>
    public static LogRequestFields Read(FieldReader log)
    {
        if (log.Object["judgment"] is { } judgment && judgment.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Number or JsonValueKind.Null))
        {
            log.Errors.Add(log.At("judgment"), "value is not a valid boolean or number", "type_error");
        }

        var feedback = log.Object["feedback"] switch
        {
            null => [],
            JsonObject => [ReadFeedback(log.Nested("feedback")!, requireDataId: false)],
            JsonArray => log.ObjectList("feedback")!.Select(f => ReadFeedback(f, requireDataId: false)).ToList(),
            _ => ReportFeedbackType(log),
        };

        var (modelConfig, toolConfig) = ReadConfig(log);
        var messages = ChatMessageReader.ReadList(log, "messages");
        var outputMessage = ChatMessageReader.ReadOne(log, "output_message");
        return new LogRequestFields
        {
            Location = log.Location,
            Project = log.String("project"),
            ProjectId = log.String("project_id"),
            Inputs = (JsonObject?)log.JsonObject("inputs")?.DeepClone(),
            SessionId = log.String("session_id"),
            SessionReferenceId = log.String("session_reference_id"),
            ParentId = log.String("parent_id"),
            ParentReferenceId = log.String("parent_reference_id"),
            Source = log.String("source"),
            Metadata = (JsonObject?)log.JsonObject("metadata")?.DeepClone(),
            Save = log.Bool("save") ?? true,
            SourceDatapointId = log.String("source_datapoint_id"),
            ReferenceId = log.String("reference_id"),
            TrialId = log.String("trial_id"),
            Messages = messages is null ? null : ChatMessage.ToJson(messages),
            Output = log.String("output"),
            Judgment = log.Object["judgment"]?.DeepClone(),
            ConfigId = log.String("config_id"),
            ModelConfig = modelConfig,
            ToolConfig = toolConfig,
            Environment = log.String("environment"),
            Feedback = feedback.OfType<FeedbackInput>().ToList(),
            CreatedAt = DateTimeField(log, "created_at"),
            Error = log.String("error"),
            Duration = log.Number("duration"),
            OutputMessage = outputMessage?.ToJson(),
            PromptTokens = log.Int("prompt_tokens"),
            OutputTokens = log.Int("output_tokens"),
            PromptCost = log.Number("prompt_cost"),
            OutputCost = log.Number("output_cost"),
            ProviderRequest = (JsonObject?)log.JsonObject("provider_request")?.DeepClone(),
            ProviderResponse = (JsonObject?)log.JsonObject("provider_response")?.DeepClone(),
        };
    }

    /// <summary>
    /// Reads a <c>Feedback</c> (or a <c>FeedbackRequest</c>): <c>type</c> is required; <c>value</c> is a string, number or
    /// boolean, required unless <c>unset</c>. Null (the problems in the reader's errors) when it is not valid.
    /// </summary>
    public static FeedbackInput? ReadFeedback(FieldReader item, bool requireDataId)
    {
        var errorsBefore = item.Errors.Count;
        var type = item.String("type", required: true);
        var dataId = item.String("data_id", required: requireDataId);
        var user = item.String("user");
        var createdAt = DateTimeField(item, "created_at");
        var unset = item.Bool("unset") ?? false;
        var value = item.Object["value"];
        if (value is null && !unset)
        {
            item.Errors.Missing(item.At("value"));
        }
        else if (value is not null && value.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False))
        {
            item.Errors.Add(item.At("value"), "value must be a string, a number or a boolean", "type_error");
        }

        return item.Errors.Count > errorsBefore ? null : new FeedbackInput(type!, unset ? null : value, dataId, user, createdAt, unset);
    }

    private static List<FeedbackInput?> ReportFeedbackType(FieldReader log)
    {
        log.Errors.Add(log.At("feedback"), "value is not a valid dict or list", "type_error");
        return [];
    }

    /// <summary>
    /// The inline <c>config</c>: a tool config when its <c>type</c> is <c>tool</c>, else a model config. A model config
    /// without an <c>endpoint</c> is a chat config when it or the log has chat parts (a chat template, tools, messages),
    /// so that it is the same config a chat endpoint registers; otherwise <c>complete</c>, the spec's default.
    /// </summary>
    private static (ModelConfigContent? Model, ToolConfigContent? Tool) ReadConfig(FieldReader log)
    {
        if (log.Nested("config") is not { } config)
        {
            return (null, null);
        }

        if (config.Enum("type", ConfigTypes) == "tool")
        {
            return (null, ToolConfigContent.Parse(config));
        }

        var chatParts = config.Object["chat_template"] is not null || config.Object["tools"] is not null
            || log.Object["messages"] is not null || log.Object["output_message"] is not null;
        return (ModelConfigParser.Parse(config, chatParts ? ModelEndpoints.Chat : ModelEndpoints.Complete), null);
    }

    private static DateTime? DateTimeField(FieldReader reader, string name)
    {
        var text = reader.String(name);
        if (text is null)
        {
            return null;
        }

        if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return parsed;
        }

        reader.Errors.Add(reader.At(name), "invalid datetime format", "value_error.datetime");
        return null;
    }
}
