using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Humanloop.Judging;
using Humanloop.Server.Domain;
using Humanloop.Server.Providers;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Evaluations;

/// <summary>What an evaluator is judging: a log of an evaluation, the snapshot datapoint it was made for, and the keys to call models with.</summary>
internal sealed record EvaluationSubject(string EvaluationId, LogRecord Log, DatapointRecord Datapoint, ProviderKeys Keys);

/// <summary>An evaluator's result on a log: a value (true/false or a number) or an error, and the log of the call that judged, if any.</summary>
internal sealed record EvaluatorOutcome(JsonNode? Value, string? Error, string? JudgeLogId = null)
{
    public static EvaluatorOutcome Failed(string error, string? judgeLogId = null) => new(null, error, judgeLogId);
}

/// <summary>
/// Runs one evaluator on one log, the way both a server-run evaluation and <c>POST /evaluations/{id}/log</c> do:
/// built-in checks natively with the module's judging code (src/Shared/Judging), llm evaluators (and graded checks)
/// through <see cref="EvaluatorCalls"/>. Other python code is never run. External and human evaluators get nothing
/// from the server (null). Whatever goes wrong becomes the result's error; only cancellation escapes.
/// </summary>
internal sealed partial class EvaluatorExecutor(EvaluatorCalls calls, ModelConfigStore configs)
{
    public const string PythonNotRun = "this server does not run python evaluators";

    public async Task<EvaluatorOutcome?> RunAsync(EvaluatorRecord evaluator, EvaluationSubject subject, CancellationToken cancellationToken)
    {
        if (evaluator.Type is not ("python" or "llm"))
        {
            return null;
        }

        if (evaluator.Type == "python" && !BuiltinEvaluator.IsReference(evaluator.Code))
        {
            return EvaluatorOutcome.Failed(PythonNotRun);
        }

        if (subject.Log.Error is { } logError)
        {
            return EvaluatorOutcome.Failed($"the log records an error, so there is no output to judge: {logError}");
        }

        try
        {
            return evaluator.Type == "llm"
                ? await RunLlmAsync(evaluator, subject, cancellationToken)
                : await RunBuiltinAsync(evaluator, subject, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception failure)
        {
            return EvaluatorOutcome.Failed(FailureMessages.Describe(failure));
        }
    }

    private async Task<EvaluatorOutcome> RunBuiltinAsync(EvaluatorRecord evaluator, EvaluationSubject subject, CancellationToken cancellationToken)
    {
        var builtin = BuiltinEvaluator.Parse(evaluator.Code!, out var problem);
        if (builtin is null)
        {
            return EvaluatorOutcome.Failed(problem!);
        }

        var expectation = builtin.ForDatapoint(subject.Datapoint.Inputs, subject.Datapoint.Target);
        var facts = LogFacts.Of(subject.Log, configs.Get(subject.Log.ConfigId));
        if (evaluator.ReturnType == "number")
        {
            return new EvaluatorOutcome(JsonValue.Create(Measure(expectation, facts)), null);
        }

        var (verdict, judgeLogId) = BuiltinJudge.IsGraded(expectation.Kind)
            ? await GradeAsync(evaluator, expectation, subject, facts, cancellationToken)
            : (BuiltinJudge.Judge(expectation, facts), null);
        return verdict.Holds is { } holds
            ? new EvaluatorOutcome(JsonValue.Create(holds != expectation.Negated), null, judgeLogId)
            : EvaluatorOutcome.Failed($"the check could not judge the log: the log {verdict.Detail}", judgeLogId);
    }

    /// <summary>What a number evaluator reports: the measure of a measuring check.</summary>
    private static double Measure(Expectation expectation, LogFacts facts) => expectation.Kind switch
    {
        "levenshtein" => TextMetrics.Levenshtein(facts.Text, expectation.Argument ?? ""),
        "bleu" => TextMetrics.Bleu(facts.Text, expectation.Values),
        "tokens" => facts.TotalTokens ?? throw new ArgumentException("the log has no token counts to measure"),
        "latency" => facts.DurationSeconds ?? throw new ArgumentException("the log has no duration to measure"),
        _ when ExpectationArguments.RougeN(expectation.Kind) is { } n => TextMetrics.RougeN(facts.Text, expectation.Argument ?? "", n),
        _ => throw new ArgumentException($"the built-in check '{expectation.Kind}' measures no number"),
    };

    /// <summary>
    /// A graded check: the module's grading prompt and user message, sent to the evaluator's own model config when it
    /// has one, else to the evaluation's model (same provider and model, temperature 0); the answer is read as the
    /// module reads its grader's.
    /// </summary>
    private async Task<(Verdict Verdict, string? JudgeLogId)> GradeAsync(EvaluatorRecord evaluator, Expectation expectation, EvaluationSubject subject, LogFacts facts, CancellationToken cancellationToken)
    {
        var (kind, criterion, reference, question) = BuiltinJudge.Grading(expectation);
        var grader = evaluator.ModelConfig ?? GraderFor(facts.Config);
        var messages = new List<ChatMessage>
        {
            new() { Role = ChatMessage.System, Content = GradingPrompts.Shipped[kind] },
            ChatMessage.FromUser(GradedJudgment.UserMessage(facts.Text, criterion, reference, question)),
        };
        var answer = await calls.ChatAsync(grader, messages, Metadata(evaluator, subject), subject.Keys, cancellationToken);
        var graded = GradedJudgment.TryRead(answer.Text, answer.LogId)
            ?? throw new ArgumentException($"the grader did not answer with a JSON verdict {{\"pass\": …}} (log {answer.LogId}): {JudgedText.Output(answer.Text)}");
        return (GradedJudgment.Judge(graded, null), answer.LogId);
    }

    private static ModelConfigContent GraderFor(ModelConfigRecord? evaluated) => evaluated is null
        ? throw new ArgumentException("the log's config is gone, and the evaluator has no model config to grade with")
        : new ModelConfigContent { Provider = evaluated.Content.Provider, Model = evaluated.Content.Model, Temperature = 0 };

    /// <summary>
    /// An llm evaluator: its template filled from the log and the datapoint (<c>{{log.output}}</c>,
    /// <c>{{log.inputs.key}}</c>, <c>{{target.key}}</c> or <c>{{testcase.target.key}}</c>, and the datapoint's inputs by
    /// name), then its answer read as a verdict or a number.
    /// </summary>
    private async Task<EvaluatorOutcome> RunLlmAsync(EvaluatorRecord evaluator, EvaluationSubject subject, CancellationToken cancellationToken)
    {
        if (evaluator.ModelConfig is null)
        {
            return EvaluatorOutcome.Failed("the llm evaluator has no model_config");
        }

        var answer = await calls.AskAsync(evaluator.ModelConfig, TemplateInputs(subject), Metadata(evaluator, subject), subject.Keys, cancellationToken);
        if (evaluator.ReturnType == "number")
        {
            var number = FirstNumber().Match(answer.Text);
            return number.Success
                ? new EvaluatorOutcome(JsonValue.Create(double.Parse(number.Value, CultureInfo.InvariantCulture)), null, answer.LogId)
                : EvaluatorOutcome.Failed($"the evaluator's answer has no number: {JudgedText.Output(answer.Text)}", answer.LogId);
        }

        if (GradedJudgment.TryRead(answer.Text, answer.LogId) is { } graded)
        {
            return new EvaluatorOutcome(JsonValue.Create(graded.Passed), null, answer.LogId);
        }

        var word = VerdictWord().Match(answer.Text);
        return word.Success
            ? new EvaluatorOutcome(JsonValue.Create(word.Value.ToLowerInvariant() is "true" or "yes" or "pass"), null, answer.LogId)
            : EvaluatorOutcome.Failed($"the evaluator's answer has no verdict (true/false, yes/no or pass/fail): {JudgedText.Output(answer.Text)}", answer.LogId);
    }

    private static JsonObject TemplateInputs(EvaluationSubject subject)
    {
        var inputs = new JsonObject();
        foreach (var (name, value) in subject.Datapoint.Inputs)
        {
            inputs[name] = value?.DeepClone();
        }

        inputs["log.output"] = subject.Log.Output ?? "";
        foreach (var (name, value) in subject.Log.Inputs)
        {
            inputs["log.inputs." + name] = value?.DeepClone();
        }

        foreach (var (name, value) in subject.Datapoint.Target)
        {
            inputs["target." + name] = value?.DeepClone();
            inputs["testcase.target." + name] = value?.DeepClone();
        }

        return inputs;
    }

    private static JsonObject Metadata(EvaluatorRecord evaluator, EvaluationSubject subject) => new()
    {
        ["evaluation_id"] = subject.EvaluationId,
        ["evaluator_id"] = evaluator.Id,
        ["evaluated_log_id"] = subject.Log.Id,
    };

    [GeneratedRegex(@"[-+]?\d+(?:\.\d+)?", RegexOptions.CultureInvariant)]
    private static partial Regex FirstNumber();

    [GeneratedRegex(@"\b(?:true|false|yes|no|pass|fail)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex VerdictWord();
}

/// <summary>Describes a failure for a result's or a log's error: an API error's message, else the exception's.</summary>
internal static class FailureMessages
{
    public static string Describe(Exception failure) => failure switch
    {
        Http.ApiException { Detail: JsonValue text } => text.ToString(),
        Http.ApiException { Detail: JsonArray problems } => string.Join("; ", problems.OfType<JsonObject>().Select(p => (string?)p["msg"]).OfType<string>()),
        Http.ApiException { Detail: JsonObject { } detail } when detail["message"] is JsonValue message && message.GetValueKind() == JsonValueKind.String => message.GetValue<string>(),
        _ => failure.Message,
    };
}
