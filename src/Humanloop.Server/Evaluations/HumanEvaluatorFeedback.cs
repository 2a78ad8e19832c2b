using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Humanloop.Judging;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Evaluations;

/// <summary>
/// Human evaluators are answered through feedback: feedback whose <c>type</c> is the name of a human evaluator of the
/// evaluation a log belongs to records that evaluator's result on the log. A boolean evaluator takes true or false
/// (or the strings "true"/"false", any case); a number evaluator a number (or a numeric string); any other value is
/// recorded as the result's error. Unsetting the feedback removes the result.
/// </summary>
internal sealed class HumanEvaluatorFeedback(EvaluationStore evaluations, EvaluatorStore evaluators)
{
    public void Record(LogRecord log, string type, JsonNode? value, bool unset)
    {
        if (log.EvaluationId is not { } evaluationId)
        {
            return;
        }

        var evaluator = evaluations.EvaluatorIds(evaluationId)
            .Select(evaluators.Get)
            .FirstOrDefault(e => e is { Type: "human" } && e.Name == type);
        if (evaluator is null)
        {
            return;
        }

        if (unset)
        {
            evaluations.DeleteResult(log.Id, evaluator.Id);
            return;
        }

        var (result, error) = Read(value, evaluator.ReturnType);
        evaluations.SaveResult(evaluationId, log.Id, evaluator.Id, result, error, null, onlyWhileActive: false);
    }

    private static (JsonNode? Value, string? Error) Read(JsonNode? value, string returnType)
    {
        var kind = value?.GetValueKind();
        var text = kind == JsonValueKind.String ? value!.GetValue<string>().Trim() : null;
        if (returnType == "boolean")
        {
            if (kind is JsonValueKind.True or JsonValueKind.False)
            {
                return (JsonValue.Create(kind == JsonValueKind.True), null);
            }

            if (bool.TryParse(text, out var flag))
            {
                return (JsonValue.Create(flag), null);
            }

            return (null, $"the feedback value {Shown(value)} is not true or false, which this boolean evaluator needs");
        }

        if (kind == JsonValueKind.Number)
        {
            return (JsonValue.Create(value!.GetValue<double>()), null);
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            return (JsonValue.Create(number), null);
        }

        return (null, $"the feedback value {Shown(value)} is not a number, which this number evaluator needs");
    }

    private static string Shown(JsonNode? value) => value is JsonValue v && v.GetValueKind() == JsonValueKind.String
        ? JudgedText.Quote(v.GetValue<string>())
        : value?.ToJsonString() ?? "null";
}
