using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using System.Text.Json.Nodes;
using Humanloop.PowerShell.Infrastructure;
using Json.Schema;

namespace Humanloop.PowerShell.Checks;

/// <summary>A schema given to a check cannot be used; the message follows "The -Schema given to X".</summary>
public sealed class UnusableSchemaException(string message, Exception? inner = null) : ArgumentException(message, inner);

/// <summary>
/// JSON Schema validation for the structure and tool checks, with the JsonSchema.Net that PowerShell itself
/// ships and loads for Test-Json (7.4.0 in PowerShell 7.6.9): the module compiles against that version and
/// carries no copy, so one JsonSchema.Net is ever loaded in pwsh.
/// </summary>
public sealed class JsonSchemaRule
{
    private readonly JsonSchema _schema;

    private JsonSchemaRule(JsonSchema schema, string text)
    {
        _schema = schema;
        Text = text;
    }

    /// <summary>The schema as JSON text.</summary>
    public string Text { get; }

    /// <summary>
    /// Reads a schema given as JSON text, as a hashtable or PSCustomObject, as a <see cref="FileInfo"/>, or as
    /// the path of a file holding it (text that is not JSON is taken for a path).
    /// </summary>
    /// <param name="value">What was given.</param>
    /// <param name="resolvePath">Turns a PowerShell path into a file system path (relative to the current location).</param>
    /// <exception cref="UnusableSchemaException">The value is none of these, or not a JSON Schema.</exception>
    public static JsonSchemaRule From(object value, Func<string, string> resolvePath)
    {
        string text;
        switch (PowerShellValues.Unwrap(value))
        {
            case string given when LooksLikeJson(given):
                text = given;
                break;
            case string path:
                text = ReadFile(resolvePath(path), path);
                break;
            case FileInfo file:
                text = ReadFile(file.FullName, file.FullName);
                break;
            case IDictionary or PSCustomObject:
                try
                {
                    text = PlainJson.ToNode(PowerShellValues.ToJsonObject(value, "-Schema"))!.ToJsonString();
                }
                catch (ArgumentException unconvertible)
                {
                    throw new UnusableSchemaException($"is not a usable JSON schema ({unconvertible.Message})", unconvertible);
                }

                break;
            case var other:
                throw new UnusableSchemaException($"is a {other?.GetType().FullName ?? "null"}; give JSON text, a hashtable, or the path of a .json file");
        }

        return FromText(text);
    }

    /// <summary>Reads a schema from JSON text.</summary>
    /// <exception cref="UnusableSchemaException">The text is not a JSON Schema.</exception>
    public static JsonSchemaRule FromText(string text)
    {
        try
        {
            return new JsonSchemaRule(JsonSchema.FromText(text), text);
        }
        catch (Exception unreadable) when (unreadable is JsonException or ArgumentException or InvalidOperationException or FormatException or NotSupportedException)
        {
            throw new UnusableSchemaException($"is not a usable JSON schema ({OneLine(unreadable.Message)}): {FailureText.Output(text)}", unreadable);
        }
    }

    /// <summary>Where <paramref name="instance"/> breaks the schema (at most two places), or null when it is valid.</summary>
    public string? Problems(JsonNode? instance)
    {
        var results = _schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return null;
        }

        var problems = new List<string>();
        foreach (var detail in results.Details.Prepend(results))
        {
            if (!detail.HasErrors)
            {
                continue;
            }

            var at = detail.InstanceLocation.ToString();
            foreach (var error in detail.Errors!.Values)
            {
                problems.Add(string.IsNullOrEmpty(at) ? error : $"{at}: {error}");
            }
        }

        return problems.Count == 0 ? "no reason given" : string.Join("; ", problems.Distinct().Take(2).Select(OneLine));
    }

    private static bool LooksLikeJson(string text)
    {
        var trimmed = text.TrimStart();
        return trimmed.StartsWith('{') || trimmed is "true" or "false";
    }

    private static string ReadFile(string path, string shown)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception unreadable) when (unreadable is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UnusableSchemaException($"is not a usable JSON schema: it is neither JSON text nor a file that can be read ({OneLine(unreadable.Message)}): '{shown}'", unreadable);
        }
    }

    private static string OneLine(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}

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
