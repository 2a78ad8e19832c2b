using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Humanloop.Server.Domain;

/// <summary>Renders <c>{{name}}</c> placeholders (spaces inside the braces allowed) from the request inputs.</summary>
internal static partial class PromptTemplate
{
    [GeneratedRegex(@"\{\{\s*([^{}\s]+)\s*\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    /// <summary>The distinct input names a template uses, in order of first appearance.</summary>
    public static IReadOnlyList<string> InputNames(string? template)
    {
        if (string.IsNullOrEmpty(template))
        {
            return [];
        }

        return Placeholder().Matches(template).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The names the template needs that <paramref name="inputs"/> lacks.</summary>
    public static IReadOnlyList<string> MissingInputs(string? template, JsonObject inputs) =>
        InputNames(template).Where(name => !inputs.ContainsKey(name)).ToList();

    public static string Render(string? template, JsonObject inputs)
    {
        if (string.IsNullOrEmpty(template))
        {
            return "";
        }

        return Placeholder().Replace(template, match =>
        {
            var value = inputs[match.Groups[1].Value];
            return value switch
            {
                null => "",
                JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                _ => value.ToJsonString(),
            };
        });
    }
}
