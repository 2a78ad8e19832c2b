using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Humanloop.Judging;

/// <summary>A tool call as the judgments see it: the function's name and its arguments as JSON text.</summary>
/// <param name="Name">The called function; null when the call named none.</param>
/// <param name="Arguments">The arguments as sent (JSON text); null or blank for none.</param>
public sealed record JudgedToolCall(string? Name, string? Arguments);

/// <summary>The judgments of a chat sample's tool calls.</summary>
public static class ToolJudgments
{
    /// <summary>The schema of an offered tool's parameters, read from JSON text.</summary>
    /// <param name="name">The tool's name, for the message.</param>
    /// <param name="parameters">Its parameters schema as JSON text; null or blank for none (anything goes).</param>
    /// <exception cref="ArgumentException">The parameters are not a usable schema; the message names the tool.</exception>
    public static JsonSchemaRule ParameterSchema(string name, string? parameters)
    {
        try
        {
            return JsonSchemaRule.FromText(string.IsNullOrWhiteSpace(parameters) ? "{}" : parameters!);
        }
        catch (UnusableSchemaException unusable)
        {
            throw new ArgumentException($"The parameters of the tool '{name}' {unusable.Message}", unusable);
        }
    }

    /// <summary>
    /// The sample calls at least one tool, and every call names an offered tool and carries arguments valid
    /// against that tool's parameter schema.
    /// </summary>
    /// <param name="calls">The sample's calls (none when it made none).</param>
    /// <param name="offered">The offered tools by name, with their parameter schemas.</param>
    public static Verdict ValidCalls(IReadOnlyList<JudgedToolCall> calls, IReadOnlyDictionary<string, JsonSchemaRule> offered)
    {
        if (calls.Count == 0)
        {
            return Verdict.NotHeld("called no tool");
        }

        foreach (var call in calls)
        {
            if (call.Name is null || !offered.TryGetValue(call.Name, out var schema))
            {
                return Verdict.NotHeld($"called '{call.Name}', which was not offered");
            }

            if (ArgumentsOf(call, out var problem) is not { } arguments)
            {
                return Verdict.NotHeld($"called '{call.Name}' with arguments that {problem}");
            }

            if (schema.Problems(arguments) is { } problems)
            {
                return Verdict.NotHeld($"called '{call.Name}' with arguments that do not fit its parameters ({problems}): {arguments.ToJsonString()}");
            }
        }

        return Verdict.Held($"called {Names(calls.Select(call => call.Name))}");
    }

    /// <summary>
    /// The sample calls the named tool, and when arguments are given, one such call has each of them with an
    /// equal JSON value (argument names compared ignoring case; other arguments may be present).
    /// </summary>
    /// <param name="calls">The sample's calls.</param>
    /// <param name="name">The tool's name.</param>
    /// <param name="expected">Argument names and the values they must have; null to accept any.</param>
    public static Verdict Called(IReadOnlyList<JudgedToolCall> calls, string name, JsonObject? expected)
    {
        var named = calls.Where(call => string.Equals(call.Name, name, StringComparison.Ordinal)).ToList();
        if (named.Count == 0)
        {
            return Verdict.NotHeld($"called {Names(calls.Select(call => call.Name))}");
        }

        if (expected is null)
        {
            return Verdict.Held($"called '{name}'");
        }

        var seen = new List<string>();
        foreach (var call in named)
        {
            if (ArgumentsOf(call, out var problem) is not { } arguments)
            {
                seen.Add($"arguments that {problem}");
                continue;
            }

            if (expected.All(argument => Has(arguments, argument.Key, argument.Value)))
            {
                return Verdict.Held($"called '{name}' with {arguments.ToJsonString()}");
            }

            seen.Add(arguments.ToJsonString());
        }

        return Verdict.NotHeld($"called '{name}' with {string.Join(" and with ", seen)}");
    }

    /// <summary>"lookup_order, get_weather", or "none".</summary>
    /// <param name="names">Tool names; null for a call that named none.</param>
    public static string Names(IEnumerable<string?> names)
    {
        var list = names.Select(name => name ?? "(unnamed)").ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }

    /// <summary>The arguments of a call as a JSON object, or why they are not one.</summary>
    private static JsonObject? ArgumentsOf(JudgedToolCall call, out string? problem)
    {
        problem = null;
        try
        {
            if (JsonNode.Parse(string.IsNullOrWhiteSpace(call.Arguments) ? "{}" : call.Arguments!) is JsonObject arguments)
            {
                return arguments;
            }

            problem = "are not a JSON object";
        }
        catch (JsonException invalid)
        {
            problem = $"are not JSON ({invalid.Message})";
        }

        return null;
    }

    private static bool Has(JsonObject arguments, string name, JsonNode? expected)
    {
        var actual = arguments.FirstOrDefault(argument => string.Equals(argument.Key, name, StringComparison.OrdinalIgnoreCase));
        return actual.Key is not null && JsonNode.DeepEquals(actual.Value, expected);
    }
}
