using System.Text.Json;
using Humanloop.Server.Api;
using Humanloop.Server.Domain;
using Humanloop.Server.Http;
using Humanloop.Server.Providers;

namespace Humanloop.Server.Generation;

/// <summary>
/// The Chats group: the config's <c>chat_template</c> (filled from the inputs) followed by the
/// request's <c>messages</c>, with the config's tools. Data items add the messages sent, the output
/// message and its tool calls; the response echoes <c>tool_choice</c>.
/// </summary>
internal sealed class ChatKind() : GenerationKind("chat", ModelEndpoints.Chat, "chat template")
{
    public override bool LogsMessages => true;

    public override GenerationRequest ReadOwnFields(FieldReader body, GenerationRequest request)
    {
        var messages = ChatMessageReader.ReadList(body, "messages", required: true);
        var toolChoice = ToolChoice.Read(body, "tool_choice");
        // Deprecated in favour of tool_choice (a name or a {"name": ...} object): checked, then ignored.
        if (body.Object["tool_call"] is { } toolCall && toolCall.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Object))
        {
            body.Errors.Add(body.At("tool_call"), "value is not a string or a dict", "type_error");
        }

        var responseFormat = ResponseFormat.Read(body, "response_format");
        return request with
        {
            Messages = messages ?? [],
            ToolChoice = toolChoice,
            ResponseFormat = responseFormat,
        };
    }

    public override IEnumerable<string?> Templates(ModelConfigContent config) =>
        config.ChatTemplateMessages().SelectMany(m => m.TemplateTexts());

    public override Conversation Converse(ModelConfigContent config, GenerationRequest request) => new(
        [.. config.ChatTemplateMessages().Select(m => m.Render(request.Inputs)), .. request.Messages],
        config.ToolDefinitions(),
        request.ToolChoice,
        request.ResponseFormat ?? config.ResponseFormat);

    protected override DataResponse Shape(DataResponse item, SamplePlan sample, SampleView view)
    {
        var toolCalls = view.ToolCalls.Count > 0 ? view.ToolCalls : null;
        return new ChatDataResponse(item)
        {
            // The messages sent are in the response and the log; repeating them in every chunk would only cost.
            Messages = view.IsDelta ? null : sample.Conversation.Messages,
            ToolCalls = toolCalls,
            // A delta's content is its text fragment, "" included, so the fragments concatenate like output's.
            OutputMessage = view.IsDelta
                ? new ChatMessage { Role = ChatMessage.Assistant, Content = view.Text, ToolCalls = toolCalls }
                : ChatMessage.Answer(view.Text, view.ToolCalls),
        };
    }

    protected override CompletionResponse Shape(CompletionResponse response, GenerationRequest request) =>
        new ChatResponse(response, request.ToolChoice?.ToJson());
}
