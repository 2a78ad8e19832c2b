using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Humanloop.Server.Domain;

/// <summary>
/// The built-in checks of the assertion engine, named as server evaluators: a <c>python</c>
/// evaluator whose <c>code</c> is <c>builtin:</c> followed by one expectation in the test-case
/// syntax, <c>[not-]kind[op number][:argument]</c> (docs/testing.md), for example
/// <c>builtin:contains:refund</c> or <c>builtin:levenshtein&lt;=3:{{target.answer}}</c>. The syntax is
/// read by the module's own parser (<see cref="Expectation"/>); this type adds what an evaluator
/// needs beyond it. The hosted API shipped its preset checks as python evaluators too; this server
/// runs these natively and never runs other python code.
/// </summary>
internal sealed partial record BuiltinEvaluator(Expectation Expectation)
{
    public const string Prefix = "builtin:";

    public string Kind => Expectation.Kind;

    public bool IsMetric => Expectation.IsMeasure;

    /// <summary>Whether the check reads the datapoint's target (a <c>{{target.key}}</c> placeholder).</summary>
    public bool UsesTarget => Expectation.Argument?.Contains("{{target.", StringComparison.OrdinalIgnoreCase) == true
        || Expectation.Argument?.Contains("{{ target.", StringComparison.OrdinalIgnoreCase) == true;

    public static bool IsReference(string? code) => code?.TrimStart().StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>
    /// Parses a reference; on failure returns null with a message for the caller. A measuring check may
    /// come without a threshold: a <c>number</c> evaluator reports the measure (see <see cref="ReturnTypeProblem"/>).
    /// </summary>
    public static BuiltinEvaluator? Parse(string code, out string? error)
    {
        var text = code.Trim()[Prefix.Length..].Trim();
        try
        {
            error = null;
            return new BuiltinEvaluator(Expectation.Parse(text, thresholdOptional: true));
        }
        catch (ExpectationFormatException malformed)
        {
            error = malformed.Problem switch
            {
                ExpectationProblem.Syntax => $"'{code.Trim()}' is not a built-in check reference: expected builtin:[not-]kind[op number][:argument]",
                ExpectationProblem.UnknownKind => $"unknown built-in check '{malformed.Kind}'; known: {string.Join(", ", Expectation.KnownKinds.Order(StringComparer.Ordinal))}",
                ExpectationProblem.MissingArgument => $"the built-in check '{malformed.Kind}' needs an argument: builtin:{malformed.Kind}:<argument>",
                ExpectationProblem.UnexpectedThreshold => $"the built-in check '{malformed.Kind}' takes no threshold",
                _ => $"'{code.Trim()}' is not a usable built-in check: {malformed.Message}",
            };
            return null;
        }
    }

    /// <summary>Checks the reference against the evaluator's declared return type; null when they fit.</summary>
    public string? ReturnTypeProblem(string returnType) => returnType switch
    {
        "number" when !IsMetric => $"the built-in check '{Kind}' gives a boolean, not a number",
        "number" when Expectation.Negated || Expectation.Comparison is not null => $"a number evaluator reports the measure of '{Kind}': give it no threshold and no not-",
        "boolean" when IsMetric && Expectation.Comparison is null => $"the built-in check '{Kind}' measures a number: give it a threshold (e.g. builtin:{Kind}<=3:…) or return_type number",
        _ => null,
    };

    /// <summary>
    /// The expectation for one datapoint: <c>{{name}}</c> filled with its input <c>name</c> and <c>{{target.key}}</c>
    /// with its target's <c>key</c> (strings as they are, other JSON values as JSON text), then read again.
    /// </summary>
    /// <exception cref="ArgumentException">A placeholder names something the datapoint lacks, or the filled text no longer reads.</exception>
    public Expectation ForDatapoint(JsonObject inputs, JsonObject target)
    {
        var text = Placeholder().Replace(Expectation.Text, match =>
        {
            var name = match.Groups["name"].Value;
            var (source, key, where) = name.StartsWith("target.", StringComparison.Ordinal)
                ? (target, name["target.".Length..], "target has")
                : (inputs, name, "inputs have");
            if (!source.TryGetPropertyValue(key, out var value))
            {
                throw new ArgumentException($"the check reads {{{{{name}}}}}, but the datapoint's {where} no '{key}'");
            }

            return value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString() ?? "null";
        });
        try
        {
            return Expectation.Parse(text, thresholdOptional: true);
        }
        catch (ExpectationFormatException unreadable)
        {
            throw new ArgumentException($"the check, filled from the datapoint, does not read: {unreadable.Message}", unreadable);
        }
    }

    [GeneratedRegex(@"\{\{\s*(?<name>[^{}\s]+)\s*\}\}")]
    private static partial Regex Placeholder();
}
