using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Humanloop.Judging;

/// <summary>A schema given to a check cannot be used; the message follows "The -Schema given to X".</summary>
public sealed class UnusableSchemaException(string message, Exception? inner = null) : ArgumentException(message, inner);

/// <summary>
/// JSON Schema validation for the structure and tool judgments, with JsonSchema.Net. The module compiles against
/// the JsonSchema.Net that PowerShell itself ships and loads for Test-Json (7.4.0 in PowerShell 7.6.9) and carries
/// no copy, so one JsonSchema.Net is ever loaded in pwsh; the local server carries the same version.
/// </summary>
public sealed partial class JsonSchemaRule
{
    private readonly JsonSchema _schema;

    private JsonSchemaRule(JsonSchema schema, string text)
    {
        _schema = schema;
        Text = text;
    }

    /// <summary>The schema as JSON text.</summary>
    public string Text { get; }

    /// <summary>Reads a schema from JSON text.</summary>
    /// <param name="text">The schema.</param>
    /// <exception cref="UnusableSchemaException">The text is not a JSON Schema.</exception>
    public static JsonSchemaRule FromText(string text)
    {
        try
        {
            return new JsonSchemaRule(JsonSchema.FromText(text), text);
        }
        catch (Exception unreadable) when (unreadable is JsonException or ArgumentException or InvalidOperationException or FormatException or NotSupportedException)
        {
            throw new UnusableSchemaException($"is not a usable JSON schema ({JudgedText.OneLine(unreadable.Message)}): {JudgedText.Output(text)}", unreadable);
        }
    }

    /// <summary>Where <paramref name="instance"/> breaks the schema (at most two places), or null when it is valid.</summary>
    /// <param name="instance">The JSON value to validate.</param>
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

        return problems.Count == 0 ? "no reason given" : string.Join("; ", problems.Distinct().Take(2).Select(JudgedText.OneLine));
    }
}
