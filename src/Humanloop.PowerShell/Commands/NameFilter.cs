using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text;

namespace Humanloop.PowerShell.Commands;

/// <summary>
/// The -Name parameter of the Get cmdlets: names with PowerShell wildcards, matched case-insensitively.
/// Like Get-Process -Name, a name without wildcards that matches nothing is reported; a pattern that
/// matches nothing is not.
/// </summary>
internal sealed class NameFilter
{
    private readonly List<(string Name, WildcardPattern Pattern, bool IsLiteral)> _names;
    private readonly HashSet<string> _matchedLiterals = new(System.StringComparer.OrdinalIgnoreCase);

    public NameFilter(IEnumerable<string>? names)
    {
        _names = (names ?? [])
            .Select(name => (name, WildcardPattern.Get(name, WildcardOptions.IgnoreCase), !WildcardPattern.ContainsWildcardCharacters(name)))
            .ToList();
    }

    /// <summary>
    /// What the server can pre-filter on: the text before the first wildcard of the only name. The API's
    /// filter matches names containing the text (some servers: starting with it); a prefix is right under
    /// both readings. Null (no pre-filter) for several names or a leading wildcard.
    /// </summary>
    public string? ServerFilter => _names.Count == 1 && LiteralPrefix(_names[0].Name) is { Length: > 0 } prefix ? prefix : null;

    /// <summary>Whether <paramref name="name"/> passes; remembers which literal names were found.</summary>
    public bool Matches(string? name)
    {
        if (_names.Count == 0)
        {
            return true;
        }

        var matched = false;
        foreach (var (given, pattern, isLiteral) in _names)
        {
            if (name is not null && pattern.IsMatch(name))
            {
                matched = true;
                if (isLiteral)
                {
                    _matchedLiterals.Add(given);
                }
            }
        }

        return matched;
    }

    /// <summary>The names without wildcards that matched nothing so far.</summary>
    public IEnumerable<string> UnmatchedLiterals() =>
        _names.Where(n => n.IsLiteral && !_matchedLiterals.Contains(n.Name)).Select(n => n.Name);

    private static string LiteralPrefix(string pattern)
    {
        var prefix = new StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            var character = pattern[i];
            if (character == '`' && i + 1 < pattern.Length)
            {
                prefix.Append(pattern[++i]);
            }
            else if (character is '*' or '?' or '[')
            {
                break;
            }
            else
            {
                prefix.Append(character);
            }
        }

        return prefix.ToString();
    }
}
