using System;
using System.Management.Automation;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>Registers a model config to a Humanloop project, to be used by id, deployed or put into experiments.</summary>
/// <remarks>
/// <para>Takes the same config parameters as New-HumanloopCompletion (-Model and -PromptTemplate, or a
/// whole -ModelConfig, adjusted by -Provider, -Temperature and the rest), plus the project (-Project by
/// name, created when missing, or -ProjectId), an optional -Name and -Description, and optionally the
/// name of an existing experiment of the project to add the config to (-Experiment). A -ModelConfig with
/// chat_template or tools (or endpoint = 'chat') is registered as a chat config, for New-HumanloopChat.</para>
/// <para>Registering the same config again returns the existing registration rather than a copy. The
/// first config of a project becomes the one its default environment serves. The result is a
/// Humanloop.ProjectModelConfig; its ModelConfigId is the config's id.</para>
/// </remarks>
/// <example>
/// <code>$concise = Register-HumanloopModelConfig -ProjectId $project.Id -Name concise -Provider mock -Model mock-1 -PromptTemplate 'Answer briefly: {{question}}' -Temperature 0.2</code>
/// <para>Registers a config to a project and keeps it; $concise.ModelConfigId is its id.</para>
/// </example>
/// <example>
/// <code>Get-HumanloopProject -Name 'support-bot' | Register-HumanloopModelConfig -ModelConfig @{ model = 'gpt-4o'; prompt_template = '{{question}}'; max_tokens = 300 }</code>
/// <para>Registers a config given as a hashtable to a project piped in.</para>
/// </example>
/// <example>
/// <code>Register-HumanloopModelConfig -Project support -Name chat -ModelConfig @{ model = 'gpt-4o'; chat_template = @(@{ role = 'system'; content = 'You support {{product}}.' }); tools = @(@{ name = 'lookup_order'; parameters = @{ type = 'object' } }) } |
///     Publish-HumanloopModelConfig -Environment production</code>
/// <para>Registers a chat config with a template and a tool, and deploys it for New-HumanloopChat -Project support.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Register, "HumanloopModelConfig", HelpUri = HelpLinks.Cmdlets + "#register-humanloopmodelconfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = InlineModelConfig.ModelSet)]
[OutputType(typeof(ProjectModelConfig))]
public sealed class RegisterHumanloopModelConfigCommand : ResourceCmdlet, IInlineModelConfigParameters
{
    // The config parameters are New-HumanloopCompletion's (see IInlineModelConfigParameters).

    /// <summary>
    /// A whole config: a hashtable keyed by the API's field names, or a typed config. One with chat_template
    /// or tools (or endpoint chat) is registered as a chat config.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = InlineModelConfig.ModelConfigSet)]
    [ModelConfigTransformation(typeof(ModelConfigRequest))]
    public ModelConfigRequest? ModelConfig { get; set; }

    ModelConfigCompletionRequest? IInlineModelConfigParameters.ModelConfig => ModelConfig as ModelConfigCompletionRequest;

    /// <summary>The provider's model name, for an inline config.</summary>
    [Parameter(Mandatory = true, ParameterSetName = InlineModelConfig.ModelSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ModelCompleter))]
    public string? Model { get; set; }

    /// <summary>The prompt template with {{name}} variables, for an inline config.</summary>
    [Parameter(Mandatory = true, ParameterSetName = InlineModelConfig.ModelSet)]
    [ValidateNotNullOrEmpty]
    public string? PromptTemplate { get; set; }

    /// <summary>The model provider, for example openai or mock.</summary>
    [Parameter(ParameterSetName = InlineModelConfig.ModelSet)]
    [Parameter(ParameterSetName = InlineModelConfig.ModelConfigSet)]
    [ArgumentCompleter(typeof(ProviderCompleter))]
    public string? Provider { get; set; }

    /// <summary>Sampling temperature.</summary>
    [Parameter(ParameterSetName = InlineModelConfig.ModelSet)]
    [Parameter(ParameterSetName = InlineModelConfig.ModelConfigSet)]
    [ValidateRange(0.0, 2.0)]
    public double Temperature { get; set; }

    /// <summary>Maximum tokens to generate (-1: let the server decide).</summary>
    [Parameter(ParameterSetName = InlineModelConfig.ModelSet)]
    [Parameter(ParameterSetName = InlineModelConfig.ModelConfigSet)]
    [ValidateRange(-1, int.MaxValue)]
    public int MaxTokens { get; set; }

    /// <summary>Nucleus-sampling probability mass.</summary>
    [Parameter(ParameterSetName = InlineModelConfig.ModelSet)]
    [Parameter(ParameterSetName = InlineModelConfig.ModelConfigSet)]
    [ValidateRange(0.0, 1.0)]
    public double TopP { get; set; }

    /// <summary>Stop sequence(s).</summary>
    [Parameter(ParameterSetName = InlineModelConfig.ModelSet)]
    [Parameter(ParameterSetName = InlineModelConfig.ModelConfigSet)]
    public string[]? Stop { get; set; }

    /// <summary>Presence penalty (-2 to 2).</summary>
    [Parameter(ParameterSetName = InlineModelConfig.ModelSet)]
    [Parameter(ParameterSetName = InlineModelConfig.ModelConfigSet)]
    [ValidateRange(-2.0, 2.0)]
    public double PresencePenalty { get; set; }

    /// <summary>Frequency penalty (-2 to 2).</summary>
    [Parameter(ParameterSetName = InlineModelConfig.ModelSet)]
    [Parameter(ParameterSetName = InlineModelConfig.ModelConfigSet)]
    [ValidateRange(-2.0, 2.0)]
    public double FrequencyPenalty { get; set; }

    /// <summary>The provider endpoint: complete, chat or edit.</summary>
    [Parameter(ParameterSetName = InlineModelConfig.ModelSet)]
    [Parameter(ParameterSetName = InlineModelConfig.ModelConfigSet)]
    [ArgumentCompleter(typeof(EndpointCompleter))]
    public string? Endpoint { get; set; }

    /// <summary>Extra provider parameters passed through (model_config.other).</summary>
    [Parameter(ParameterSetName = InlineModelConfig.ModelSet)]
    [Parameter(ParameterSetName = InlineModelConfig.ModelConfigSet)]
    public PSObject? Other { get; set; }

    /// <summary>The project's name; the server creates the project when none has this name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProjectNameCompleter))]
    public string? Project { get; set; }

    /// <summary>The project's id (pr_…); piped projects bind by their id.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProjectIdCompleter))]
    public string? ProjectId { get; set; }

    /// <summary>The config's display name (the server makes one up when omitted).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>A description of the config.</summary>
    [Parameter]
    public string? Description { get; set; }

    /// <summary>The name of an existing experiment of the project to add the config to.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Experiment { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        // Checked here rather than in BeginProcessing: -ProjectId may arrive from the pipeline.
        if ((Project is null) == (ProjectId is null))
        {
            ThrowInvalidParameters(Project is null
                ? "Say which project to register the config to: -Project (a name) or -ProjectId."
                : "Use -Project or -ProjectId, not both.");
        }

        ModelConfigRequest config;
        try
        {
            config = ModelConfig is ModelConfigChatRequest chat
                ? InlineModelConfig.Lay(chat, this, MyInvocation.BoundParameters)
                : InlineModelConfig.Build(this, MyInvocation.BoundParameters);
        }
        catch (ArgumentException exception)
        {
            ThrowTerminatingError(ErrorRecords.From(exception, null, null));
            return;
        }

        config.Name = Name ?? config.Name;
        config.Description = Description ?? config.Description;
        var projectTarget = ProjectId ?? Project!;
        if (!ShouldProcess(ProjectId is null ? $"project '{Project}'" : ConfirmTarget(ObjectKind.Project, ProjectId), $"Register model config '{config.Name ?? config.Model}'"))
        {
            return;
        }

        var request = new RegisterModelConfigRequest { Config = config, Project = Project, ProjectId = ProjectId, Experiment = Experiment };
        Invoke(projectTarget, (client, cancellationToken) => client.RegisterModelConfigAsync(request, cancellationToken));
    }
}

/// <summary>Gets Humanloop model configs: by id, every config of a project, the one an environment serves, or one sampled from an experiment.</summary>
/// <remarks>
/// <para>-ProjectId lists the configs registered to a project (GET /v4/projects/{id}/configs) as
/// Humanloop.ProjectModelConfig objects, with usage counts. -Id reads configs directly
/// (GET /v4/model-configs/{id}) as Humanloop.ModelConfig objects. -ExperimentId samples one of an
/// experiment's active configs the way a completion through the experiment would, and returns it with
/// the TrialId to log against.</para>
/// <para>-Active reads the config the project's default environment (or -Environment) serves
/// (GET /v4/projects/{id}/active-config): the deployed config, or, where an experiment is deployed, a config
/// sampled from it with its TrialId, as a completion through that environment would run. Nothing deployed
/// there is an ObjectNotFound error (Humanloop.Http.404). Set-HumanloopProject -ClearActiveConfig and
/// -ClearActiveExperiment stop the default environment from serving them.</para>
/// <para>Piped objects bind by property name: anything with a ProjectId (a project, an experiment, a
/// log) lists that project's configs; a config (Humanloop.ModelConfig, or an experiment's Configs item)
/// is read again by its ModelConfigId.</para>
/// </remarks>
/// <example>
/// <code>Get-HumanloopProject -Name 'support-bot' | Get-HumanloopModelConfig</code>
/// <para>Lists the configs registered to a project.</para>
/// </example>
/// <example>
/// <code>Get-HumanloopModelConfig -Id config_8Kd2 | Format-List Name, Provider, Model, Temperature, PromptTemplate</code>
/// <para>Shows the settings of one config.</para>
/// </example>
/// <example>
/// <code>Get-HumanloopModelConfig -ExperimentId $experiment.Id</code>
/// <para>Samples the config the experiment would use for the next completion.</para>
/// </example>
/// <example>
/// <code>Get-HumanloopModelConfig -ProjectId $project.Id -Active -Environment production | Export-HumanloopModelConfig -Path ./prompts/production.prompt</code>
/// <para>Saves the config production serves as a .prompt file.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "HumanloopModelConfig", HelpUri = HelpLinks.Cmdlets + "#get-humanloopmodelconfig", DefaultParameterSetName = ProjectSet)]
[OutputType(typeof(ProjectModelConfig), ParameterSetName = [ProjectSet, ExperimentSet, ActiveSet])]
[OutputType(typeof(ModelConfig), ParameterSetName = [IdSet])]
public sealed class GetHumanloopModelConfigCommand : ResourceCmdlet
{
    private const string ProjectSet = "Project";
    private const string IdSet = "Id";
    private const string ExperimentSet = "Experiment";
    private const string ActiveSet = "Active";

    /// <summary>The project whose configs to list, or whose active config to read (pr_…).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ProjectSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(Mandatory = true, ParameterSetName = ActiveSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProjectIdCompleter))]
    public string ProjectId { get; set; } = string.Empty;

    /// <summary>Reads the config the project's default environment (or -Environment) serves, instead of listing them all.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ActiveSet)]
    public SwitchParameter Active { get; set; }

    /// <summary>With -Active: the environment's name (production, staging, …); the default environment when omitted.</summary>
    [Parameter(ParameterSetName = ActiveSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EnvironmentCompleter))]
    public string? Environment { get; set; }

    /// <summary>Configs to read by id (config_…).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    [ArgumentCompleter(typeof(ModelConfigIdCompleter))]
    public string[] ModelConfigId { get; set; } = [];

    /// <summary>The experiment to sample a config from (exp_…).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ExperimentSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ExperimentIdCompleter))]
    public string ExperimentId { get; set; } = string.Empty;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case IdSet:
                foreach (var id in ModelConfigId)
                {
                    Invoke(id, (client, cancellationToken) => client.GetModelConfigAsync(id, cancellationToken));
                }

                break;
            case ActiveSet:
                var activeProjectId = ProjectId;
                var environment = Environment;
                Invoke(activeProjectId, (client, cancellationToken) => client.GetActiveModelConfigAsync(activeProjectId, environment, cancellationToken));
                break;
            case ExperimentSet:
                var experimentId = ExperimentId;
                Invoke(experimentId, (client, cancellationToken) => client.SampleModelConfigAsync(experimentId, cancellationToken));
                break;
            default:
                var projectId = ProjectId;
                InvokeEach(projectId, (client, cancellationToken) => client.ListProjectModelConfigsAsync(projectId, cancellationToken));
                break;
        }
    }
}
