using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Management.Automation;
using System.Text;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>Writes stored Humanloop model configs to .prompt files, to keep prompts in source control beside the code.</summary>
/// <remarks>
/// <para>Asks the server for each config's .prompt text (POST /v4/model-configs/{id}/export) and writes it to
/// -Path as UTF-8. When -Path is an existing folder, each config goes to a file named after its id
/// (config_….prompt) in it, so a project's configs can be piped in together. An existing file is replaced only
/// with -Force. Writes the file (System.IO.FileInfo).</para>
/// <para>-ModelConfigId binds by property name: configs (Get-HumanloopModelConfig) and registrations
/// (Register-HumanloopModelConfig, Get-HumanloopModelConfig -ProjectId) pipe straight in.
/// Import-HumanloopModelConfig registers a .prompt file again; ConvertTo-HumanloopPrompt turns a config
/// that is not stored into .prompt text.</para>
/// </remarks>
/// <example>
/// <code>Get-HumanloopModelConfig -Id $config.ModelConfigId | Export-HumanloopModelConfig -Path ./prompts/support.prompt</code>
/// <para>Saves a config as a .prompt file.</para>
/// </example>
/// <example>
/// <code>Get-HumanloopProject -Name 'support-bot' | Get-HumanloopModelConfig | Export-HumanloopModelConfig -Path ./prompts -Force</code>
/// <para>Saves every config of a project into a folder, one file per config, replacing earlier exports.</para>
/// </example>
[Cmdlet(VerbsData.Export, "HumanloopModelConfig", HelpUri = HelpLinks.Cmdlets + "#export-humanloopmodelconfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FileInfo))]
public sealed class ExportHumanloopModelConfigCommand : ResourceCmdlet
{
    /// <summary>The config to write (config_…); piped configs bind by their ModelConfigId.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    [ArgumentCompleter(typeof(ModelConfigIdCompleter))]
    public string ModelConfigId { get; set; } = string.Empty;

    /// <summary>The .prompt file to write, or an existing folder to write config_….prompt files into.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Replaces the file if it exists.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var id = ModelConfigId;
        var target = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        var file = Directory.Exists(target) ? System.IO.Path.Combine(target, id + PromptFiles.Extension) : target;
        if (File.Exists(file) && !Force)
        {
            WriteError(ErrorRecords.Of(new IOException($"'{file}' exists; use -Force to replace it."), "Humanloop.ModelConfig.FileExists", ErrorCategory.ResourceExists, file));
            return;
        }

        if (!ShouldProcess(file, $"Write model config {id}"))
        {
            return;
        }

        string? text = null;
        if (RunForInput(id, async (client, cancellationToken) => text = await client.ExportModelConfigAsync(id, cancellationToken).ConfigureAwait(false)))
        {
            PromptFiles.Write(this, file, text!);
        }
    }
}

/// <summary>Registers the model config in a .prompt file to a Humanloop project.</summary>
/// <remarks>
/// <para>Reads each file, has the server parse it (POST /v4/model-configs/deserialize), and registers the config
/// to the project (POST /v4/model-configs), like Register-HumanloopModelConfig: -Project by name (created when
/// missing) or -ProjectId, and optionally -Experiment. The config is named by -Name, else by the name the file
/// gives (for a file without one, the server makes one up, as it does for any config registered without a
/// name). A file with a chat template or tools is a chat config.
/// Registering a config the project already has returns the existing registration, so importing the file a
/// config was exported to gives back that config. Writes each registration (Humanloop.ProjectModelConfig).</para>
/// <para>-Path takes wildcards and binds by property name (FullName), so Get-ChildItem output pipes in. A
/// missing or unreadable file, or one the server cannot parse, is a non-terminating error; the other files
/// are still imported.</para>
/// </remarks>
/// <example>
/// <code>Import-HumanloopModelConfig -Path ./prompts/support.prompt -Project 'support-bot' | Publish-HumanloopModelConfig -Environment staging</code>
/// <para>Registers the prompt kept in source control and deploys it to staging.</para>
/// </example>
/// <example>
/// <code>Get-ChildItem ./prompts -Filter *.prompt | Import-HumanloopModelConfig -ProjectId $project.Id</code>
/// <para>Registers every .prompt file of a folder.</para>
/// </example>
[Cmdlet(VerbsData.Import, "HumanloopModelConfig", HelpUri = HelpLinks.Cmdlets + "#import-humanloopmodelconfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ProjectModelConfig))]
public sealed class ImportHumanloopModelConfigCommand : ResourceCmdlet
{
    /// <summary>The .prompt files to register; wildcards are allowed, and piped files bind by their FullName.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("FullName")]
    [SupportsWildcards]
    public string[] Path { get; set; } = [];

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

    /// <summary>The config's display name, instead of the one in the file.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>A description of the config, instead of the one in the file.</summary>
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
                ? "Say which project to register the configs to: -Project (a name) or -ProjectId."
                : "Use -Project or -ProjectId, not both.");
        }

        var projectTarget = ProjectId ?? Project!;
        string? shownTarget = null;
        foreach (var file in PromptFiles.Resolve(this, Path))
        {
            shownTarget ??= ProjectId is null ? $"project '{Project}'" : ConfirmTarget(ObjectKind.Project, ProjectId);
            if (!ShouldProcess(shownTarget, $"Register the model config in '{file}'"))
            {
                continue;
            }

            if (PromptFiles.Read(this, file) is not { } text)
            {
                continue;
            }

            var project = Project;
            var projectId = ProjectId;
            var name = Name;
            var description = Description;
            var experiment = Experiment;
            Invoke(file, async (client, cancellationToken) =>
            {
                var config = (await client.DeserializeModelConfigAsync(text, cancellationToken).ConfigureAwait(false)).ToRequest();
                config.Name = name ?? config.Name;
                config.Description = description ?? config.Description;
                var request = new RegisterModelConfigRequest { Config = config, Project = project, ProjectId = projectId, Experiment = experiment };
                return await client.RegisterModelConfigAsync(request, cancellationToken).ConfigureAwait(false);
            });
        }
    }
}

/// <summary>Turns a Humanloop model config into the text of a .prompt file.</summary>
/// <remarks>
/// <para>The server writes the text (POST /v4/model-configs/serialize); nothing is stored. Takes any config from
/// the pipeline: a hashtable keyed by the API's field names (a chat config when it has chat_template or
/// tools), a typed config, a stored config (Get-HumanloopModelConfig) or a registration
/// (Register-HumanloopModelConfig). Writes one string per config, ready for Set-Content. A value that is no
/// config is a non-terminating error about that input.</para>
/// </remarks>
/// <example>
/// <code>@{ provider = 'openai'; model = 'gpt-4o'; temperature = 0.2; prompt_template = 'Answer briefly: {{question}}' } | ConvertTo-HumanloopPrompt | Set-Content ./prompts/brief.prompt</code>
/// <para>Writes a config that was never registered as a .prompt file.</para>
/// </example>
/// <example>
/// <code>Get-HumanloopModelConfig -Id $config.ModelConfigId | ConvertTo-HumanloopPrompt</code>
/// <para>Shows a stored config as .prompt text.</para>
/// </example>
[Cmdlet(VerbsData.ConvertTo, "HumanloopPrompt", HelpUri = HelpLinks.Cmdlets + "#convertto-humanloopprompt")]
[OutputType(typeof(string))]
public sealed class ConvertToHumanloopPromptCommand : ResourceCmdlet
{
    /// <summary>The config: a hashtable keyed by the API's field names, a typed config, a Humanloop.ModelConfig or a Humanloop.ProjectModelConfig.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public PSObject ModelConfig { get; set; } = null!;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ModelConfigRequest config;
        try
        {
            config = ModelConfigValues.ToRequest(ModelConfig, typeof(ModelConfigRequest), "-ModelConfig");
        }
        catch (Exception exception) when (exception is ArgumentException or HumanloopInputException)
        {
            WriteError(ErrorRecords.From(exception, ModelConfig, null));
            return;
        }

        Invoke(ModelConfig, (client, cancellationToken) => client.SerializeModelConfigAsync(config, cancellationToken));
    }
}

/// <summary>Reads the text of a .prompt file as a Humanloop model config, without storing it.</summary>
/// <remarks>
/// <para>The server parses the text (POST /v4/model-configs/deserialize) and the config is written as a
/// Humanloop.ModelConfig, which Register-HumanloopModelConfig -ModelConfig, Add-HumanloopLog -ModelConfig and
/// ConvertTo-HumanloopPrompt take. Text the server cannot parse is a non-terminating error (ErrorId
/// Humanloop.Http.422, with the server's reason).</para>
/// <para>Lines piped one by one, as Get-Content writes them, are joined into one document, converted when the
/// input ends; a piped string that holds line breaks (Get-Content -Raw, ConvertTo-HumanloopPrompt) is a
/// document of its own.</para>
/// </remarks>
/// <example>
/// <code>Get-Content ./prompts/support.prompt | ConvertFrom-HumanloopPrompt | Format-List Model, Temperature, ChatTemplate</code>
/// <para>Shows what a .prompt file configures.</para>
/// </example>
/// <example>
/// <code>$config = Get-Content ./prompts/support.prompt -Raw | ConvertFrom-HumanloopPrompt
/// Register-HumanloopModelConfig -ProjectId $project.Id -ModelConfig $config -Temperature 0.1</code>
/// <para>Registers a .prompt file's config with a lower temperature.</para>
/// </example>
[Cmdlet(VerbsData.ConvertFrom, "HumanloopPrompt", HelpUri = HelpLinks.Cmdlets + "#convertfrom-humanloopprompt")]
[OutputType(typeof(ModelConfig))]
public sealed class ConvertFromHumanloopPromptCommand : ResourceCmdlet
{
    private readonly List<string> _lines = [];

    /// <summary>The .prompt text: a whole document, or its lines one by one from the pipeline.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [AllowEmptyString]
    public string InputObject { get; set; } = string.Empty;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (MyInvocation.ExpectingInput && InputObject.IndexOfAny(['\n', '\r']) < 0)
        {
            _lines.Add(InputObject);
            return;
        }

        ConvertLines();
        Convert(InputObject);
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        ConvertLines();
        base.EndProcessing();
    }

    private void ConvertLines()
    {
        if (_lines.Count > 0)
        {
            var document = string.Join("\n", _lines) + "\n";
            _lines.Clear();
            Convert(document);
        }
    }

    private void Convert(string text) => Invoke(text, (client, cancellationToken) => client.DeserializeModelConfigAsync(text, cancellationToken));
}

/// <summary>Reads and writes .prompt files for the cmdlets that move configs between files and the server.</summary>
internal static class PromptFiles
{
    /// <summary>The extension of a .prompt file.</summary>
    public const string Extension = ".prompt";

    private static readonly UTF8Encoding Utf8WithoutBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The files <paramref name="paths"/> name, wildcards expanded; each one that names nothing is reported.</summary>
    public static IEnumerable<string> Resolve(PSCmdlet cmdlet, IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            Collection<string>? files = null;
            try
            {
                files = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out _);
            }
            catch (Exception exception) when (exception is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException)
            {
                cmdlet.WriteError(ErrorRecords.NotFound("Humanloop.ModelConfig.FileNotFound", $"There is no .prompt file '{path}'.", path));
            }

            foreach (var file in files ?? [])
            {
                yield return file;
            }
        }
    }

    /// <summary>The file's text, or null when it cannot be read (reported).</summary>
    public static string? Read(PSCmdlet cmdlet, string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            cmdlet.WriteError(ErrorRecords.Of(exception, "Humanloop.ModelConfig.FileUnreadable", ErrorCategory.ReadError, file));
            return null;
        }
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="file"/> as UTF-8 and writes the file; a failure is reported.</summary>
    public static void Write(PSCmdlet cmdlet, string file, string text)
    {
        try
        {
            File.WriteAllText(file, text, Utf8WithoutBom);
            cmdlet.WriteObject(new FileInfo(file));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            cmdlet.WriteError(ErrorRecords.Of(exception, "Humanloop.ModelConfig.NotWritable", ErrorCategory.WriteError, file));
        }
    }
}
