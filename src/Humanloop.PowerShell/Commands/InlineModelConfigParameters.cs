using System;
using System.Collections.Generic;
using System.Management.Automation;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>
/// The parameters that describe an inline model config (-Model, -PromptTemplate, -Temperature, …, or a
/// whole -ModelConfig), as every cmdlet taking a config declares them.
/// </summary>
/// <remarks>
/// PowerShell only binds parameters declared on the cmdlet's own class hierarchy, and the cmdlets taking
/// a config derive from different bases, so each declares the properties itself; implementing this
/// interface keeps their names and types in step, and <see cref="InlineModelConfig.Build"/> is the one
/// place that turns them into a config. (Dynamic parameters would let one object declare them, but
/// PowerShell matches a typed name against the static parameters first, so on New-HumanloopCompletion
/// -Provider would bind -ProviderApiKeys and -Model would bind -ModelConfigId.)
/// </remarks>
internal interface IInlineModelConfigParameters : IInlineModelConfigParts
{
    ModelConfigCompletionRequest? ModelConfig { get; }

    string? PromptTemplate { get; }
}

/// <summary>The parameters every kind of inline config shares (completion and chat alike).</summary>
internal interface IInlineModelConfigParts
{
    string? Model { get; }

    string? Provider { get; }

    double Temperature { get; }

    int MaxTokens { get; }

    double TopP { get; }

    string[]? Stop { get; }

    double PresencePenalty { get; }

    double FrequencyPenalty { get; }

    string? Endpoint { get; }

    PSObject? Other { get; }
}

/// <summary>Builds the inline config that <see cref="IInlineModelConfigParameters"/> describe.</summary>
internal static class InlineModelConfig
{
    /// <summary>The parameter set of a config given by its parts (-Model and -PromptTemplate required).</summary>
    public const string ModelSet = "Model";

    /// <summary>The parameter set of a config given whole (-ModelConfig), optionally adjusted by the part parameters.</summary>
    public const string ModelConfigSet = "ModelConfig";

    /// <summary>
    /// A completion config: -ModelConfig (copied, never changed) with each part parameter that was given
    /// laid over it.
    /// </summary>
    /// <param name="parameters">The cmdlet.</param>
    /// <param name="bound">The cmdlet's bound parameters, which tell a value given as 0 from one not given.</param>
    /// <exception cref="ArgumentException">The config lacks a model or a prompt template, or -Other has no JSON form.</exception>
    public static ModelConfigCompletionRequest Build(IInlineModelConfigParameters parameters, IDictionary<string, object> bound)
    {
        var config = Lay(parameters.ModelConfig, parameters, bound);
        config.PromptTemplate = parameters.PromptTemplate ?? config.PromptTemplate;

        // The API marks only model as required, but both official SDKs require a template: without one
        // a completion has no prompt.
        if (string.IsNullOrEmpty(config.PromptTemplate))
        {
            throw new ArgumentException("The inline model config has no prompt template: add prompt_template to -ModelConfig, or pass -PromptTemplate.");
        }

        return config;
    }

    /// <summary>A copy of <paramref name="given"/> (or a new config) with the shared part parameters that were given laid over it.</summary>
    /// <exception cref="ArgumentException">The config lacks a model, or -Other has no JSON form.</exception>
    public static TConfig Lay<TConfig>(TConfig? given, IInlineModelConfigParts parts, IDictionary<string, object> bound)
        where TConfig : ModelConfigRequest, new()
    {
        var config = (TConfig?)given?.Clone() ?? new TConfig();
        config.Model = parts.Model ?? config.Model;
        config.Provider = parts.Provider ?? config.Provider;
        config.Endpoint = parts.Endpoint ?? config.Endpoint;
        config.Stop = parts.Stop ?? config.Stop;
        config.Other = parts.Other is null ? config.Other : PowerShellValues.ToJsonObject(parts.Other, "-Other");
        config.Temperature = bound.ContainsKey(nameof(parts.Temperature)) ? parts.Temperature : config.Temperature;
        config.MaxTokens = bound.ContainsKey(nameof(parts.MaxTokens)) ? parts.MaxTokens : config.MaxTokens;
        config.TopP = bound.ContainsKey(nameof(parts.TopP)) ? parts.TopP : config.TopP;
        config.PresencePenalty = bound.ContainsKey(nameof(parts.PresencePenalty)) ? parts.PresencePenalty : config.PresencePenalty;
        config.FrequencyPenalty = bound.ContainsKey(nameof(parts.FrequencyPenalty)) ? parts.FrequencyPenalty : config.FrequencyPenalty;

        if (string.IsNullOrEmpty(config.Model))
        {
            throw new ArgumentException("The inline model config has no model: add model to -ModelConfig, or pass -Model.");
        }

        return config;
    }
}
