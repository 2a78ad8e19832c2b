using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Humanloop.Server.Domain;
using Humanloop.Server.Http;

namespace Humanloop.Server.Api;

/// <summary>The fields of a v4 <c>LogRequest</c> that a log keeps; the others are type-checked and ignored.</summary>
internal sealed record LogRequestFields
{
    public JsonObject? Inputs { get; init; }
    public string? SessionId { get; init; }
    public string? SessionReferenceId { get; init; }
    public string? ParentId { get; init; }
    public string? Source { get; init; }
    public JsonObject? Metadata { get; init; }
    public bool Save { get; init; } = true;
    public JsonArray? Messages { get; init; }
    public string? Output { get; init; }
    public string? ConfigId { get; init; }
    public string? Environment { get; init; }
    public DateTime? CreatedAt { get; init; }
    public string? Error { get; init; }
    public double? Duration { get; init; }
    public JsonObject? OutputMessage { get; init; }
    public int? PromptTokens { get; init; }
    public int? OutputTokens { get; init; }
    public JsonObject? ProviderRequest { get; init; }
    public JsonObject? ProviderResponse { get; init; }
}

internal static class LogRequestReader
{
    /// <summary>Reads a <c>LogRequest</c>; problems go to the reader's errors, at their full location.</summary>
    public static LogRequestFields Read(FieldReader log)
    {
        // The project is the evaluation's and the datapoint is the one posted for: these are checked, not used.
        foreach (var ignored in new[] { "project", "project_id", "parent_reference_id", "source_datapoint_id", "reference_id", "trial_id" })
        {
            log.String(ignored);
        }

        log.JsonObject("config");
        log.Number("prompt_cost");
        log.Number("output_cost");
        if (log.Object["judgment"] is { } judgment && judgment.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Number or JsonValueKind.Null))
        {
            log.Errors.Add(log.At("judgment"), "value is not a valid boolean or number", "type_error");
        }

        if (log.Object["feedback"] is { } feedback && feedback.GetValueKind() is not (JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null))
        {
            log.Errors.Add(log.At("feedback"), "value is not a valid dict or list", "type_error");
        }

        var inputs = log.JsonObject("inputs");
        var messages = ChatMessageReader.ReadList(log, "messages");
        var outputMessage = ChatMessageReader.ReadOne(log, "output_message");
        return new LogRequestFields
        {
            Inputs = (JsonObject?)inputs?.DeepClone(),
            SessionId = log.String("session_id"),
            SessionReferenceId = log.String("session_reference_id"),
            ParentId = log.String("parent_id"),
            Source = log.String("source"),
            Metadata = (JsonObject?)log.JsonObject("metadata")?.DeepClone(),
            Save = log.Bool("save") ?? true,
            Messages = messages is null ? null : ChatMessage.ToJson(messages),
            Output = log.String("output"),
            ConfigId = log.String("config_id"),
            Environment = log.String("environment"),
            CreatedAt = DateTimeField(log, "created_at"),
            Error = log.String("error"),
            Duration = log.Number("duration"),
            OutputMessage = outputMessage?.ToJson(),
            PromptTokens = log.Int("prompt_tokens"),
            OutputTokens = log.Int("output_tokens"),
            ProviderRequest = (JsonObject?)log.JsonObject("provider_request")?.DeepClone(),
            ProviderResponse = (JsonObject?)log.JsonObject("provider_response")?.DeepClone(),
        };
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
