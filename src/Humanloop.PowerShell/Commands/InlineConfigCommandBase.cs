using System.Management.Automation;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>
/// The generation cmdlets that choose their config like the API does: an inline config (-Model and its
/// parts, or a whole -ModelConfig), a stored one (-ModelConfigId), or the project's deployed one
/// (-Project/-ProjectId and -Environment). New-HumanloopCompletion and New-HumanloopChat add only what
/// their kind needs (a prompt template; messages, a chat template and tools).
/// </summary>
public abstract class InlineConfigCommandBase : GenerationCommandBase, IInlineModelConfigParts
{
    /// <summary>The parameter set of the project's deployed config.</summary>
    protected const string DeployedSet = "Deployed";

    /// <summary>The parameter set of a whole inline config.</summary>
    protected const string ModelConfigSet = InlineModelConfig.ModelConfigSet;

    /// <summary>The parameter set of an inline config given by its parts.</summary>
    protected const string ModelSet = InlineModelConfig.ModelSet;

    /// <summary>The parameter set of a stored config.</summary>
    protected const string ModelConfigIdSet = "ModelConfigId";

    /// <summary>The provider's model name, for an inline config.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ModelSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ModelCompleter))]
    public string? Model { get; set; }

    /// <summary>The model provider, for example openai or mock.</summary>
    [Parameter(ParameterSetName = ModelSet)]
    [Parameter(ParameterSetName = ModelConfigSet)]
    [ArgumentCompleter(typeof(ProviderCompleter))]
    public string? Provider { get; set; }

    /// <summary>Sampling temperature.</summary>
    [Parameter(ParameterSetName = ModelSet)]
    [Parameter(ParameterSetName = ModelConfigSet)]
    [ValidateRange(0.0, 2.0)]
    public double Temperature { get; set; }

    /// <summary>Maximum tokens to generate (-1: let the server decide).</summary>
    [Parameter(ParameterSetName = ModelSet)]
    [Parameter(ParameterSetName = ModelConfigSet)]
    [ValidateRange(-1, int.MaxValue)]
    public int MaxTokens { get; set; }

    /// <summary>Nucleus-sampling probability mass.</summary>
    [Parameter(ParameterSetName = ModelSet)]
    [Parameter(ParameterSetName = ModelConfigSet)]
    [ValidateRange(0.0, 1.0)]
    public double TopP { get; set; }

    /// <summary>Stop sequence(s).</summary>
    [Parameter(ParameterSetName = ModelSet)]
    [Parameter(ParameterSetName = ModelConfigSet)]
    public string[]? Stop { get; set; }

    /// <summary>Presence penalty (-2 to 2).</summary>
    [Parameter(ParameterSetName = ModelSet)]
    [Parameter(ParameterSetName = ModelConfigSet)]
    [ValidateRange(-2.0, 2.0)]
    public double PresencePenalty { get; set; }

    /// <summary>Frequency penalty (-2 to 2).</summary>
    [Parameter(ParameterSetName = ModelSet)]
    [Parameter(ParameterSetName = ModelConfigSet)]
    [ValidateRange(-2.0, 2.0)]
    public double FrequencyPenalty { get; set; }

    /// <summary>The provider endpoint: complete, chat or edit.</summary>
    [Parameter(ParameterSetName = ModelSet)]
    [Parameter(ParameterSetName = ModelConfigSet)]
    [ArgumentCompleter(typeof(EndpointCompleter))]
    public string? Endpoint { get; set; }

    /// <summary>Extra provider parameters passed through (model_config.other).</summary>
    [Parameter(ParameterSetName = ModelSet)]
    [Parameter(ParameterSetName = ModelConfigSet)]
    public PSObject? Other { get; set; }

    /// <summary>The id of a stored model config (config_…).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ModelConfigIdSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("model_config_id")]
    [ArgumentCompleter(typeof(ModelConfigIdCompleter))]
    public string? ModelConfigId { get; set; }

    /// <summary>The environment whose deployed config runs (the server's default when omitted).</summary>
    [Parameter(ParameterSetName = DeployedSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EnvironmentCompleter))]
    public string? Environment { get; set; }

    /// <summary>The environment of a deployed-config request, after checking a project was named.</summary>
    /// <exception cref="System.ArgumentException">Neither -Project nor -ProjectId was given.</exception>
    protected string? DeployedEnvironment()
    {
        RequireProject();
        return Environment;
    }
}
