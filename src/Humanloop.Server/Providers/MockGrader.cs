using System.Text.Json;
using System.Text.RegularExpressions;
using Humanloop.Server.Domain;

namespace Humanloop.Server.Providers;

/// <summary>
/// The mock's grading rule, so model-graded checks run offline and deterministically. A chat whose last
/// user message holds an <c>&lt;output&gt;</c> section and a <c>&lt;criterion&gt;</c> (optionally a
/// <c>&lt;reference&gt;</c>) is a grading request; the answer is a JSON verdict
/// <c>{"pass": …, "score": …, "reason": …}</c>. The terms to find in the output come from the reference
/// when there is one (factuality), else from the criterion: the phrases quoted in it ('…' or "…"); without
/// quotes, its words of four or more letters that are not on a short list of instruction words. With quoted phrases every one must appear; otherwise at
/// least half of the words. Matching ignores case. The score is the share of terms found (1 when there are none).
/// </summary>
internal static partial class MockGrader
{
    // Words that say how to judge rather than what to find.
    private static readonly HashSet<string> InstructionWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "about", "answer", "answers", "clear", "clearly", "does", "each", "every", "from", "have", "into",
        "mention", "mentions", "must", "name", "names", "output", "reply", "response", "should", "that",
        "their", "them", "then", "there", "these", "they", "this", "what", "when", "which", "with", "without",
    };

    /// <summary>The verdict for a grading request, or null when the conversation is not one.</summary>
    public static string? Verdict(IReadOnlyList<ChatMessage> messages)
    {
        var last = messages.LastOrDefault(message => message.Role == ChatMessage.User)?.Text;
        if (last is null || Section(last, "output") is not { } output || Section(last, "criterion") is not { } criterion)
        {
            return null;
        }

        // A reference says what the output must state; the criterion then only says how to compare.
        var judged = Section(last, "reference") ?? criterion;
        var quoted = Quoted().Matches(judged).Select(match => match.Groups["single"].Success ? match.Groups["single"].Value : match.Groups["double"].Value)
            .Where(term => term.Trim().Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var terms = quoted.Count > 0
            ? quoted
            : Word().Matches(judged).Select(match => match.Value).Where(word => !InstructionWords.Contains(word)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var found = terms.Where(term => output.Contains(term, StringComparison.OrdinalIgnoreCase)).ToList();
        var missing = terms.Except(found, StringComparer.OrdinalIgnoreCase).ToList();
        var score = terms.Count == 0 ? 1.0 : Math.Round((double)found.Count / terms.Count, 4);
        var passed = quoted.Count > 0 ? missing.Count == 0 : score >= 0.5;
        var reason = terms.Count == 0
            ? "The criterion names nothing to look for."
            : $"Found {found.Count} of {terms.Count}" + (found.Count > 0 ? ": " + string.Join(", ", found) : string.Empty)
                + (missing.Count > 0 ? "; missing: " + string.Join(", ", missing) : string.Empty) + ".";
        return JsonSerializer.Serialize(new Dictionary<string, object> { ["pass"] = passed, ["score"] = score, ["reason"] = reason });
    }

    private static string? Section(string text, string name)
    {
        var match = Regex.Match(text, $"<{name}>(?<body>.*?)</{name}>", RegexOptions.Singleline | RegexOptions.IgnoreCase);
        return match.Success ? match.Groups["body"].Value.Trim() : null;
    }

    [GeneratedRegex("""'(?<single>[^']+)'|"(?<double>[^"]+)"|“(?<double>[^”]+)”""")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}\-]{3,}")]
    private static partial Regex Word();
}
