using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Management.Automation;
using System.Security;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// Turns what PowerShell users pass (hashtables, PSCustomObjects such as Import-Csv rows, arrays,
/// PSObject-wrapped values) into plain .NET values the core client can send as JSON. Anything without a
/// JSON form is rejected with the path to it, before a request is made.
/// </summary>
internal static class PowerShellValues
{
    private const int MaxDepth = 64;

    /// <summary>
    /// Converts an object that stands for a JSON object: a dictionary, or any PSCustomObject (its
    /// properties become the members).
    /// </summary>
    /// <exception cref="ArgumentException">The object is neither, or something inside it has no JSON form.</exception>
    public static OrderedDictionary ToJsonObject(object value, string path)
    {
        var unwrapped = value is PSObject wrapped ? wrapped : PSObject.AsPSObject(value);
        switch (unwrapped.BaseObject)
        {
            case IDictionary dictionary:
                return FromDictionary(dictionary, path, 0);
            case PSCustomObject:
                return FromProperties(unwrapped, path, 0);
            default:
                throw new ArgumentException(
                    $"{path} takes a hashtable or an object with properties (such as an Import-Csv row), not a {unwrapped.BaseObject.GetType().FullName}.");
        }
    }

    /// <summary>The object inside a PSObject wrapper (what the pipeline hands over), or the value itself.</summary>
    public static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

    /// <summary>A JSON value as plain .NET values: strings, longs or doubles, booleans, null, object arrays and case-insensitive ordered dictionaries.</summary>
    public static object? FromJson(System.Text.Json.JsonElement element) => element.ValueKind switch
    {
        System.Text.Json.JsonValueKind.String => element.GetString(),
        System.Text.Json.JsonValueKind.Number => element.TryGetInt64(out var whole) ? whole : element.GetDouble(),
        System.Text.Json.JsonValueKind.True => true,
        System.Text.Json.JsonValueKind.False => false,
        System.Text.Json.JsonValueKind.Array => System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Select(element.EnumerateArray(), FromJson)),
        System.Text.Json.JsonValueKind.Object => ObjectFromJson(element),
        _ => null,
    };

    private static OrderedDictionary ObjectFromJson(System.Text.Json.JsonElement element)
    {
        var result = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
        foreach (var property in element.EnumerateObject())
        {
            result[property.Name] = FromJson(property.Value);
        }

        return result;
    }

    /// <summary>Converts any value to its plain form: dictionary, object array or scalar.</summary>
    public static object? ToPlain(object? value, string path) => Convert(value, path, 0);

    private static object? Convert(object? value, string path, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException($"{path} is nested more than {MaxDepth} levels deep; is there a loop in the object?");
        }

        if (value is PSObject wrapped)
        {
            if (wrapped.BaseObject is PSCustomObject)
            {
                return FromProperties(wrapped, path, depth);
            }

            value = wrapped.BaseObject;
        }

        switch (value)
        {
            case null:
                return null;
            case string or char or bool or byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal:
                return value;
            case DateTime or DateTimeOffset or Guid or Uri or Enum:
                return value;
            case SecureString:
                throw new ArgumentException($"{path} is a SecureString; secrets are not sent as inputs or metadata. Convert it deliberately if you must.");
            case ScriptBlock:
                throw new ArgumentException($"{path} is a script block, which has no JSON form.");
            case IDictionary dictionary:
                return FromDictionary(dictionary, path, depth);
            case IEnumerable sequence:
                var items = new List<object?>();
                var index = 0;
                foreach (var item in sequence)
                {
                    items.Add(Convert(item, $"{path}[{index++}]", depth + 1));
                }

                return items.ToArray();
            default:
                throw new ArgumentException(
                    $"{path} is a {value.GetType().FullName}, which has no JSON form. Use strings, numbers, booleans, hashtables, arrays or PSCustomObjects.");
        }
    }

    private static OrderedDictionary FromDictionary(IDictionary dictionary, string path, int depth)
    {
        var result = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in dictionary)
        {
            var key = Unwrap(entry.Key)!;
            if (key is not string name)
            {
                throw new ArgumentException($"{path} has the key '{key}' of type {key.GetType().FullName}; keys must be strings.");
            }

            result[name] = Convert(entry.Value, $"{path}.{name}", depth + 1);
        }

        return result;
    }

    private static OrderedDictionary FromProperties(PSObject value, string path, int depth)
    {
        var result = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
        foreach (var property in value.Properties)
        {
            result[property.Name] = Convert(property.Value, $"{path}.{property.Name}", depth + 1);
        }

        return result;
    }
}
