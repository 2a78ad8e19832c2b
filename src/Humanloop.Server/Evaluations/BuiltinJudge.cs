using System.Text.Json;
using System.Text.Json.Nodes;
using Humanloop.Judging;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Evaluations;

/// <summary>
/// What a built-in check can read from a log: its output text, finish reason, tool calls (chat logs only), token
/// counts and duration, and the tools its config offered.
/// </summary>
internal sealed record LogFacts(
    string Text,
    string? FinishReason,
    IReadOnlyList<JudgedToolCall>? ToolCalls,
    int? PromptTokens,
    int? OutputTokens,
    double? DurationSeconds,
    ModelConfigRecord? Config)
{
    public int? TotalTokens => PromptTokens is { } prompt && OutputTokens is { } output ? prompt + output : null;

    public static LogFacts Of(LogRecord log, ModelConfigRecord? config) => new(
        log.Output ?? "",
        log.FinishReason,
        log.OutputMessage is { } message ? ToolCallsOf(message) : null,
        log.PromptTokens,
        log.OutputTokens,
        log.ProviderLatency,
        config);

    private static List<JudgedToolCall> ToolCallsOf(JsonObject message) =>
        (message["tool_calls"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(call => new JudgedToolCall(StringOf(call["function"]?["name"]), StringOf(call["function"]?["arguments"])))
            .ToList();

    private static string? StringOf(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}

/// <summary>
/// The server's reading of an <see cref="Expectation"/> against a log, kind by kind, with the judgments the module's
/// checks use (src/Shared/Judging) and the same meaning of thresholds and arguments (<see cref="ExpectationArguments"/>).
/// </summary>
internal static class BuiltinJudge
{
    public static bool IsGraded(string kind) => kind is "rubric" or "factuality" or "closed-qa";

    /// <summary>Judges a non-graded check. Unusable arguments (a bad schema, a missing bound) throw <see cref="ArgumentException"/>.</summary>
    public static Verdict Judge(Expectation expectation, LogFacts facts)
    {
        var text = facts.Text;
        var argument = expectation.Argument ?? "";
        return expectation.Kind switch
        {
            "equals" => TextJudgments.Equal(text, argument, caseInsensitive: false),
            "contains" => TextJudgments.Contain(text, [argument], all: false, caseInsensitive: false),
            "icontains" => TextJudgments.Contain(text, [argument], all: false, caseInsensitive: true),
            "contains-any" => TextJudgments.Contain(text, expectation.Values, all: false, caseInsensitive: false),
            "contains-all" => TextJudgments.Contain(text, expectation.Values, all: true, caseInsensitive: false),
            "starts-with" => TextJudgments.StartWith(text, argument, caseInsensitive: false),
            "regex" => TextJudgments.Match(text, TextJudgments.Pattern(argument, caseInsensitive: false)),
            "words" => WordCount(text, expectation),
            "levenshtein" => TextJudgments.Levenshtein(text, argument, ExpectationArguments.AtMost(expectation)),
            "bleu" => TextJudgments.Bleu(text, expectation.Values, ExpectationArguments.AtLeast(expectation)),
            "json" => StructureJudgments.Json(text, null),
            "json-schema" => StructureJudgments.Json(text, Schema(argument)),
            "contains-json" => StructureJudgments.ContainJson(text, expectation.Argument is null ? null : Schema(argument)),
            "xml" => StructureJudgments.Xml(text),
            "tools-valid" => ToolJudgments.ValidCalls(ChatToolCalls(facts), OfferedTools(facts)),
            "tool" => ToolJudgments.Called(ChatToolCalls(facts), argument, null),
            "finish" => RunFactJudgments.FinishReason(facts.FinishReason, expectation.Values),
            "tokens" => facts.PromptTokens is { } prompt && facts.OutputTokens is { } output
                ? RunFactJudgments.Tokens(prompt + output, prompt, output, ExpectationArguments.AtMost(expectation))
                : Verdict.CannotJudge("reported no token counts"),
            "latency" => facts.DurationSeconds is { } seconds
                ? RunFactJudgments.Latency(TimeSpan.FromSeconds(seconds), TimeSpan.FromMilliseconds(ExpectationArguments.AtMost(expectation)))
                : Verdict.CannotJudge("reported no duration"),
            _ when ExpectationArguments.RougeN(expectation.Kind) is { } n => TextJudgments.Rouge(text, argument, n, ExpectationArguments.AtLeast(expectation)),
            _ => throw new ArgumentException($"the built-in check '{expectation.Kind}' is not judged here"),
        };
    }

    /// <summary>What a graded check asks: the kind, the criterion, and the reference or question it has.</summary>
    public static (GradeKind Kind, string Criterion, string? Reference, string? Question) Grading(Expectation expectation)
    {
        var argument = expectation.Argument ?? "";
        switch (expectation.Kind)
        {
            case "rubric":
                return (GradeKind.Rubric, argument, null, null);
            case "factuality":
                return (GradeKind.Factuality, GradedJudgment.FactualityCriterion, argument, null);
            default:
                var (question, criterion) = ExpectationArguments.ClosedQa(expectation);
                return (GradeKind.ClosedQa, criterion, null, question);
        }
    }

    private static Verdict WordCount(string text, Expectation expectation)
    {
        var (least, most) = ExpectationArguments.WordBounds(expectation);
        return TextJudgments.WordCount(text, least, most);
    }

    /// <summary>A schema given in the check as JSON text (a server does not read schema files named by a client).</summary>
    private static JsonSchemaRule Schema(string argument)
    {
        try
        {
            return JsonSchemaRule.FromText(argument);
        }
        catch (UnusableSchemaException unusable)
        {
            throw new ArgumentException($"the schema {unusable.Message}", unusable);
        }
    }

    private static IReadOnlyList<JudgedToolCall> ChatToolCalls(LogFacts facts) =>
        facts.ToolCalls ?? throw new ArgumentException("the check reads tool calls, which only chat logs (with an output_message) have");

    private static Dictionary<string, JsonSchemaRule> OfferedTools(LogFacts facts)
    {
        var tools = facts.Config?.Content.ToolDefinitions() ?? [];
        if (tools.Count == 0)
        {
            throw new ArgumentException("the log's config offers no tools to check the calls against");
        }

        return tools.ToDictionary(tool => tool.Name, tool => ToolJudgments.ParameterSchema(tool.Name, tool.Parameters?.ToJsonString()), StringComparer.Ordinal);
    }
}
