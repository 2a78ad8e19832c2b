using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>Tab completion from a fixed list of known values; other values stay allowed.</summary>
public abstract class KnownValuesCompleter : IArgumentCompleter
{
    /// <summary>The values offered.</summary>
    protected abstract IReadOnlyList<string> Values { get; }

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        return Values
            .Where(value => value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(value => new CompletionResult(value, value, CompletionResultType.ParameterValue, value));
    }
}

/// <summary>The v4 model providers (the enum grew over time, so others are accepted too).</summary>
public sealed class ProviderCompleter : KnownValuesCompleter
{
    private static readonly string[] Providers = ["mock", "openai", "openai_azure", "anthropic", "cohere", "replicate", "google", "groq", "bedrock"];

    /// <inheritdoc />
    protected override IReadOnlyList<string> Values => Providers;
}

/// <summary>The v4 model endpoints.</summary>
public sealed class EndpointCompleter : KnownValuesCompleter
{
    private static readonly string[] Endpoints = ["complete", "chat", "edit"];

    /// <inheritdoc />
    protected override IReadOnlyList<string> Values => Endpoints;
}

/// <summary>Completes -ToolChoice with the API's fixed choices (a tool's name is also accepted).</summary>
public sealed class ToolChoiceCompleter : KnownValuesCompleter
{
    private static readonly string[] Choices = ["auto", "none", "required"];

    /// <inheritdoc />
    protected override IReadOnlyList<string> Values => Choices;
}
