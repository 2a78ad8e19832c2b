using System.Threading;
using System.Threading.Tasks;
using Humanloop.Judging;

namespace Humanloop.PowerShell.Grading;

/// <summary>
/// Grades an output with a chat call through the runspace's client: the kind's system prompt, and a user
/// message with the tagged sections <c>&lt;criterion&gt;</c>, <c>&lt;reference&gt;</c>, <c>&lt;question&gt;</c>
/// and <c>&lt;output&gt;</c>. The answer must be a JSON verdict; text around it is tolerated.
/// </summary>
public static class Grader
{
    /// <summary>Asks the grader of <paramref name="settings"/> for a verdict on <paramref name="output"/>.</summary>
    /// <exception cref="HumanloopException">The grading call failed.</exception>
    /// <exception cref="GraderAnswerException">The grader did not answer with a verdict.</exception>
    public static async Task<GradeVerdict> GradeAsync(
        HumanloopClient client, GraderSettings settings, GradeKind kind, string? output, string criterion, string? reference, string? question, CancellationToken cancellationToken)
    {
        ChatRequestBase request = settings.ModelConfigId is { } id
            ? new ChatModelConfigRequest { ModelConfigId = id }
            : new ChatRequest { ModelConfig = settings.ModelConfig };
        request.Project = settings.Project;
        request.Messages =
        [
            new ChatMessage { Role = "system", Content = settings.Prompts[kind] },
            ChatMessage.User(UserMessage(output, criterion, reference, question)),
        ];
        request.ResponseFormat = new ResponseFormat { Type = "json_object" };
        request.Metadata = new System.Collections.Hashtable { ["humanloop_check"] = kind.ToString() };

        var response = await client.ChatAsync(request, cancellationToken).ConfigureAwait(false);
        var answer = response.Output ?? response.Data[0].Message.Text ?? string.Empty;
        return Read(answer, response.Data.Count > 0 ? response.Data[0].Id : null);
    }

    /// <summary>The user message the grader reads: each given section in its tag (<see cref="GradedJudgment.UserMessage"/>).</summary>
    public static string UserMessage(string? output, string criterion, string? reference, string? question) =>
        GradedJudgment.UserMessage(output, criterion, reference, question);

    /// <summary>Reads a verdict from the grader's answer: the first JSON object in it, with pass, and optionally score and reason.</summary>
    /// <exception cref="GraderAnswerException">No such object.</exception>
    public static GradeVerdict Read(string answer, string? logId) => GradedJudgment.TryRead(answer, logId) ?? throw new GraderAnswerException(answer, logId);
}

/// <summary>The grader answered without a JSON verdict; the check cannot be judged.</summary>
public sealed class GraderAnswerException(string answer, string? logId)
    : HumanloopException($"The grader did not answer with a JSON verdict {{\"pass\": …}} (log {logId ?? "unknown"}): {Trim(answer)}")
{
    /// <summary>What the grader said.</summary>
    public string Answer { get; } = answer;

    /// <summary>The log id of the grading call.</summary>
    public string? LogId { get; } = logId;

    private static string Trim(string text) => text.Length > 200 ? text.Substring(0, 200) + "…" : text;
}
