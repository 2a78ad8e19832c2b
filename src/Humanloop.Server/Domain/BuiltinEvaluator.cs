using System.Text.RegularExpressions;

namespace Humanloop.Server.Domain;

/// <summary>
/// The built-in checks of the assertion engine, named as server evaluators: a <c>python</c>
/// evaluator whose <c>code</c> is <c>builtin:</c> followed by one expectation in the test-case
/// syntax, <c>[not-]kind[op number][:argument]</c> (docs/testing.md), for example
/// <c>builtin:contains:refund</c> or <c>builtin:levenshtein&lt;=3:{{target.answer}}</c>.
/// The hosted API shipped its preset checks as python evaluators too; this server runs these
/// natively and never runs other python code.
/// </summary>
internal sealed partial record BuiltinEvaluator(string Kind, bool Negated, string? Comparison, string? Threshold, string? Argument)
{
    public const string Prefix = "builtin:";

    /// <summary>Checks that need an argument after <c>:</c>.</summary>
    private static readonly HashSet<string> ArgumentKinds =
    [
        "equals", "contains", "icontains", "contains-any", "contains-all", "starts-with", "regex", "words",
        "levenshtein", "rouge-1", "rouge-2", "rouge-3", "rouge-4", "bleu", "json-schema", "tool", "finish",
        "rubric", "factuality", "closed-qa",
    ];

    /// <summary>Checks whose argument is optional or that take none.</summary>
    private static readonly HashSet<string> OtherKinds = ["json", "contains-json", "xml", "tools-valid", "tokens", "latency"];

    /// <summary>Checks that measure a number: a <c>number</c> evaluator reports it; a <c>boolean</c> one needs a threshold.</summary>
    private static readonly HashSet<string> MetricKinds = ["levenshtein", "rouge-1", "rouge-2", "rouge-3", "rouge-4", "bleu", "tokens", "latency"];

    private static readonly Dictionary<string, string> Aliases = new()
    {
        ["is-json"] = "json",
        ["valid-json"] = "json",
        ["is-xml"] = "xml",
        ["valid-xml"] = "xml",
        ["startswith"] = "starts-with",
        ["closedqa"] = "closed-qa",
    };

    public static IEnumerable<string> Kinds => ArgumentKinds.Concat(OtherKinds).Order(StringComparer.Ordinal);

    public bool IsMetric => MetricKinds.Contains(Kind);

    /// <summary>Whether the check reads the datapoint's target (a <c>{{target.key}}</c> placeholder).</summary>
    public bool UsesTarget => Argument?.Contains("{{target.", StringComparison.OrdinalIgnoreCase) == true
        || Argument?.Contains("{{ target.", StringComparison.OrdinalIgnoreCase) == true;

    public static bool IsReference(string? code) => code?.TrimStart().StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>
    /// Parses a reference; on failure returns null with a message for the caller. Kinds are matched
    /// ignoring case, with <c>_</c> the same as <c>-</c> and a few aliases (<c>is_json</c> is <c>json</c>).
    /// </summary>
    public static BuiltinEvaluator? Parse(string code, out string? error)
    {
        var text = code.Trim()[Prefix.Length..].Trim();
        var match = Syntax().Match(text);
        if (!match.Success)
        {
            error = $"'{code.Trim()}' is not a built-in check reference: expected builtin:[not-]kind[op number][:argument]";
            return null;
        }

        var kind = match.Groups["kind"].Value.ToLowerInvariant().Replace('_', '-');
        kind = Aliases.GetValueOrDefault(kind, kind);
        var negated = match.Groups["not"].Success;
        var comparison = match.Groups["op"].Success ? match.Groups["op"].Value : null;
        var threshold = match.Groups["number"].Success ? match.Groups["number"].Value : null;
        var argument = match.Groups["argument"].Success ? match.Groups["argument"].Value : null;

        if (!ArgumentKinds.Contains(kind) && !OtherKinds.Contains(kind))
        {
            error = $"unknown built-in check '{match.Groups["kind"].Value}'; known: {string.Join(", ", Kinds)}";
            return null;
        }

        if (ArgumentKinds.Contains(kind) && string.IsNullOrEmpty(argument))
        {
            error = $"the built-in check '{kind}' needs an argument: builtin:{kind}:<argument>";
            return null;
        }

        if (comparison is not null && !MetricKinds.Contains(kind))
        {
            error = $"the built-in check '{kind}' takes no threshold";
            return null;
        }

        error = null;
        return new BuiltinEvaluator(kind, negated, comparison, threshold, argument);
    }

    /// <summary>Checks the reference against the evaluator's declared return type; null when they fit.</summary>
    public string? ReturnTypeProblem(string returnType) => returnType switch
    {
        "number" when !IsMetric => $"the built-in check '{Kind}' gives a boolean, not a number",
        "number" when Negated || Comparison is not null => $"a number evaluator reports the measure of '{Kind}': give it no threshold and no not-",
        "boolean" when IsMetric && Comparison is null => $"the built-in check '{Kind}' measures a number: give it a threshold (e.g. builtin:{Kind}<=3:…) or return_type number",
        _ => null,
    };

    [GeneratedRegex(@"^(?<not>not-)?(?<kind>[A-Za-z][A-Za-z0-9_-]*?)\s*(?:(?<op><=|>=|==|=|<|>)\s*(?<number>[0-9]+(?:\.[0-9]+)?(?:ms|s)?))?\s*(?::(?<argument>.*))?$", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex Syntax();
}
