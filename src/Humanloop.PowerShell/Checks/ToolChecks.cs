using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace Humanloop.PowerShell.Checks;

/// <summary>A check of a chat sample's tool calls; completions and plain text have none, so it refuses them.</summary>
public abstract class ToolCallCheck : SampleCheck
{
    /// <inheritdoc />
    public override string Accepts => "checks the tool calls of Humanloop chat responses, their Data items or ChatChunk objects";

    /// <inheritdoc />
    public override string? Refuses(GenerationSample sample) => sample.IsChat
        ? null
        : $"checks tool calls, which only chats make; it was given {(sample.IsText ? "a string" : "a completion")}.";

    /// <inheritdoc />
    public sealed override ValueTask<Verdict> JudgeAsync(GenerationSample sample, CheckContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Judge(sample.ToolCalls ?? []));

    /// <summary>Judges the sample's tool calls (none when it made none).</summary>
    protected abstract Verdict Judge(IReadOnlyList<ToolCall> calls);

    /// <summary>The arguments of a call as a JSON object, or why they are not one.</summary>
    protected static JsonObject? ArgumentsOf(ToolCall call, out string? problem)
    {
        problem = null;
        try
        {
            if (JsonNode.Parse(string.IsNullOrWhiteSpace(call.Arguments) ? "{}" : call.Arguments) is JsonObject arguments)
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

    /// <summary>"lookup_order, get_weather", or "none".</summary>
    protected static string Names(IEnumerable<string?> names)
    {
        var list = names.Select(name => name ?? "(unnamed)").ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }
}

/// <summary>
/// <c>ValidToolCalls</c>: the sample calls at least one tool, and every call names a tool that was offered
/// and carries arguments valid against that tool's parameter schema. The offered tools are given to the
/// check: a chat response does not say which tools its request offered, and a model config on the server
/// may add tools the client never saw.
/// </summary>
public sealed class ValidToolCallsCheck : ToolCallCheck
{
    private readonly Dictionary<string, (ToolDefinition Tool, JsonSchemaRule Schema)> _tools = new(StringComparer.Ordinal);

    /// <summary>Creates the check.</summary>
    /// <param name="tools">The tools the request offered.</param>
    /// <exception cref="ArgumentException">No tools are given, or a tool's parameters are not a usable schema.</exception>
    public ValidToolCallsCheck(IReadOnlyList<ToolDefinition> tools)
    {
        if (tools is null || tools.Count == 0)
        {
            throw new ArgumentException("ValidToolCalls needs the tools the request offered (-Tools): a response does not say which they were.", nameof(tools));
        }

        foreach (var tool in tools)
        {
            var name = tool.Name ?? throw new ArgumentException("An offered tool has no name.", nameof(tools));
            JsonSchemaRule schema;
            try
            {
                schema = JsonSchemaRule.FromText(PlainJson.ToNode(tool.Parameters ?? new Hashtable())?.ToJsonString() ?? "{}");
            }
            catch (UnusableSchemaException unusable)
            {
                throw new ArgumentException($"The parameters of the tool '{name}' {unusable.Message}", nameof(tools), unusable);
            }

            _tools[name] = (tool, schema);
        }
    }

    /// <inheritdoc />
    public override string Name => "ValidToolCalls";

    /// <inheritdoc />
    public override string Expectation => $"make only valid calls to the offered tools ({Names(_tools.Keys)})";

    /// <inheritdoc />
    protected override Verdict Judge(IReadOnlyList<ToolCall> calls)
    {
        if (calls.Count == 0)
        {
            return Verdict.NotHeld("called no tool");
        }

        foreach (var call in calls)
        {
            if (call.Name is null || !_tools.TryGetValue(call.Name, out var offered))
            {
                return Verdict.NotHeld($"called '{call.Name}', which was not offered");
            }

            if (ArgumentsOf(call, out var problem) is not { } arguments)
            {
                return Verdict.NotHeld($"called '{call.Name}' with arguments that {problem}");
            }

            if (offered.Schema.Problems(arguments) is { } problems)
            {
                return Verdict.NotHeld($"called '{call.Name}' with arguments that do not fit its parameters ({problems}): {arguments.ToJsonString()}");
            }
        }

        return Verdict.Held($"called {Names(calls.Select(call => call.Name))}");
    }
}

/// <summary>
/// <c>ToolCall</c>: the sample calls the named tool, and when arguments are given, one such call has each of
/// them with an equal JSON value (argument names compared ignoring case; other arguments may be present).
/// </summary>
public sealed class ToolCalledCheck : ToolCallCheck
{
    private readonly string _name;
    private readonly JsonObject? _arguments;

    /// <summary>Creates the check.</summary>
    /// <param name="name">The tool's name.</param>
    /// <param name="arguments">Argument names and the values they must have; null to accept any.</param>
    public ToolCalledCheck(string name, IDictionary? arguments)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("ToolCall needs the name of a tool.", nameof(name));
        }

        _name = name;
        _arguments = arguments is null ? null : (JsonObject)PlainJson.ToNode(arguments)!;
    }

    /// <inheritdoc />
    public override string Name => "ToolCall";

    /// <inheritdoc />
    public override string Expectation => _arguments is null ? $"call '{_name}'" : $"call '{_name}' with {_arguments.ToJsonString()}";

    /// <inheritdoc />
    protected override Verdict Judge(IReadOnlyList<ToolCall> calls)
    {
        var named = calls.Where(call => string.Equals(call.Name, _name, StringComparison.Ordinal)).ToList();
        if (named.Count == 0)
        {
            return Verdict.NotHeld($"called {Names(calls.Select(call => call.Name))}");
        }

        if (_arguments is null)
        {
            return Verdict.Held($"called '{_name}'");
        }

        var seen = new List<string>();
        foreach (var call in named)
        {
            if (ArgumentsOf(call, out var problem) is not { } arguments)
            {
                seen.Add($"arguments that {problem}");
                continue;
            }

            if (_arguments.All(expected => Has(arguments, expected.Key, expected.Value)))
            {
                return Verdict.Held($"called '{_name}' with {arguments.ToJsonString()}");
            }

            seen.Add(arguments.ToJsonString());
        }

        return Verdict.NotHeld($"called '{_name}' with {string.Join(" and with ", seen)}");
    }

    private static bool Has(JsonObject arguments, string name, JsonNode? expected)
    {
        var actual = arguments.FirstOrDefault(argument => string.Equals(argument.Key, name, StringComparison.OrdinalIgnoreCase));
        return actual.Key is not null && JsonNode.DeepEquals(actual.Value, expected);
    }
}
