using System;
using System.Collections;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Checks;

/// <summary>Plain PowerShell values (hashtables, arrays, scalars) as JSON nodes.</summary>
internal static class PlainJson
{
    public static JsonNode? ToNode(object? value)
    {
        var plain = PowerShellValues.ToPlain(value, "value");
        switch (plain)
        {
            case null:
                return null;
            case IDictionary dictionary:
                var node = new JsonObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    node[(string)entry.Key] = ToNode(entry.Value);
                }

                return node;
            case object?[] items:
                return new JsonArray(items.Select(ToNode).ToArray());
            case string text:
                return JsonValue.Create(text);
            case bool flag:
                return JsonValue.Create(flag);
            case char or Enum or DateTime or DateTimeOffset or Guid or Uri:
                return JsonValue.Create(Convert.ToString(plain, CultureInfo.InvariantCulture));
            case var number:
                return JsonNode.Parse(Convert.ToString(number, CultureInfo.InvariantCulture)!);
        }
    }
}
