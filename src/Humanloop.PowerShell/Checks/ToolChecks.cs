using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.Judging;

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
        ValueTask.FromResult(Judge((sample.ToolCalls ?? []).Select(call => new JudgedToolCall(call.Name, call.Arguments)).ToList()));

    /// <summary>Judges the sample's tool calls (none when it made none).</summary>
    protected abstract Verdict Judge(IReadOnlyList<JudgedToolCall> calls);
}

/// <summary>
/// <c>ValidToolCalls</c>: the sample calls at least one tool, and every call names a tool that was offered
/// and carries arguments valid against that tool's parameter schema. The offered tools are given to the
/// check: a chat response does not say which tools its request offered, and a model config on the server
/// may add tools the client never saw.
/// </summary>
public sealed class ValidToolCallsCheck : ToolCallCheck
{
    private readonly Dictionary<string, JsonSchemaRule> _tools = new(StringComparer.Ordinal);

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
            try
            {
                _tools[name] = ToolJudgments.ParameterSchema(name, PlainJson.ToNode(tool.Parameters ?? new Hashtable())?.ToJsonString());
            }
            catch (ArgumentException unusable)
            {
                throw new ArgumentException(unusable.Message, nameof(tools), unusable.InnerException);
            }
        }
    }

    /// <inheritdoc />
    public override string Name => "ValidToolCalls";

    /// <inheritdoc />
    public override string Expectation => $"make only valid calls to the offered tools ({ToolJudgments.Names(_tools.Keys)})";

    /// <inheritdoc />
    protected override Verdict Judge(IReadOnlyList<JudgedToolCall> calls) => ToolJudgments.ValidCalls(calls, _tools);
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
    protected override Verdict Judge(IReadOnlyList<JudgedToolCall> calls) => ToolJudgments.Called(calls, _name, _arguments);
}
