using System;
using System.Collections.Generic;

namespace Humanloop.Recording;

/// <summary>
/// One field named by the user for ignoring or scrubbing. A plain name (<c>metadata</c>) is that
/// property wherever it appears; a dotted path (<c>inputs.date</c>) starts at the root, and a <c>*</c>
/// segment stands for any one property or array item. Names compare case-insensitively, as users type
/// them in PowerShell.
/// </summary>
internal sealed class JsonFieldRule
{
    private const string Wildcard = "*";
    private readonly string[] _segments;

    private JsonFieldRule(string text, string[] segments)
    {
        Text = text;
        _segments = segments;
    }

    public string Text { get; }

    /// <summary>True for a plain name, which matches at any depth and also names a header.</summary>
    public bool IsName => _segments.Length == 1;

    /// <exception cref="ArgumentException">The rule is empty, has an empty segment, or would match everything.</exception>
    public static JsonFieldRule Parse(string text, string origin)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException($"{origin} contains an empty field name.");
        }

        var trimmed = text.Trim();
        var segments = trimmed.Split('.');
        foreach (var segment in segments)
        {
            if (segment.Length == 0)
            {
                throw new ArgumentException($"{origin} contains '{text}', which has an empty segment; write fields as name or parent.child.");
            }
        }

        if (segments.Length == 1 && segments[0] == Wildcard)
        {
            throw new ArgumentException($"{origin} contains '*' alone, which would match every field; name a field, or a path such as inputs.*.");
        }

        return new JsonFieldRule(trimmed, segments);
    }

    public static List<JsonFieldRule> ParseAll(IEnumerable<string> defaults, IEnumerable<string> given, string origin)
    {
        var rules = new List<JsonFieldRule>();
        foreach (var text in defaults)
        {
            rules.Add(Parse(text, origin));
        }

        foreach (var text in given)
        {
            rules.Add(Parse(text, origin));
        }

        return rules;
    }

    /// <summary>True when the member at <paramref name="path"/> (property names and array indices from the root) is this field.</summary>
    public bool Matches(IReadOnlyList<string> path, bool lastIsProperty)
    {
        if (IsName)
        {
            return lastIsProperty && path.Count > 0 && SegmentMatches(_segments[0], path[path.Count - 1]);
        }

        if (path.Count != _segments.Length)
        {
            return false;
        }

        for (var i = 0; i < path.Count; i++)
        {
            if (!SegmentMatches(_segments[i], path[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when a header of this name is this field.</summary>
    public bool MatchesHeader(string headerName) => IsName && string.Equals(_segments[0], headerName, StringComparison.OrdinalIgnoreCase);

    public static bool AnyMatches(IReadOnlyList<JsonFieldRule> rules, IReadOnlyList<string> path, bool lastIsProperty)
    {
        foreach (var rule in rules)
        {
            if (rule.Matches(path, lastIsProperty))
            {
                return true;
            }
        }

        return false;
    }

    private static bool SegmentMatches(string pattern, string segment) =>
        pattern == Wildcard || string.Equals(pattern, segment, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => Text;
}
