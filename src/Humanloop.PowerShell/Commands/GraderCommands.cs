using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Humanloop.Judging;
using Humanloop.PowerShell.Grading;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>Sets the model that grades the model-graded checks (rubric, factuality, closed QA) in this runspace.</summary>
/// <remarks>
/// <para>A graded check sends a chat through the connected endpoint: the kind's grading prompt as the system
/// message, and a user message with the criterion, the reference or question where the check has one, and
/// the output, each in its tag (&lt;criterion&gt;, &lt;reference&gt;, &lt;question&gt;, &lt;output&gt;). The grader
/// must answer with a JSON verdict {"pass": …, "score": …, "reason": …}. The shipped prompts are in
/// docs/testing.md; -Prompt replaces any of them. The calls are logged in -Project (humanloop-grader by
/// default), and the verdict carries the grading call's log id. The local server's mock provider grades
/// deterministically (docs/server.md), so graded checks run offline, and replay from recordings.</para>
/// <para>The grader is per runspace, like the connection; setting it again replaces it.</para>
/// </remarks>
/// <example>
/// <code>Set-HumanloopGrader -Provider openai -Model gpt-4o -Temperature 0</code>
/// <para>Grades with an inline config.</para>
/// </example>
/// <example>
/// <code>Set-HumanloopGrader -ModelConfigId config_grader01 -Project qa-grading</code>
/// <para>Grades with a stored chat config, logging the grading calls in the project qa-grading.</para>
/// </example>
/// <example>
/// <code>Set-HumanloopGrader -Provider mock -Model mock-1 -Prompt @{ Rubric = 'Be strict. Judge the output in &lt;output&gt; by the rubric in &lt;criterion&gt;; answer {"pass": …, "score": …, "reason": …}.' }</code>
/// <para>Replaces the rubric prompt; the factuality and closed-QA prompts stay as shipped.</para>
/// </example>
[Cmdlet(VerbsCommon.Set, "HumanloopGrader", HelpUri = HelpLinks.Cmdlets + "#set-humanloopgrader", DefaultParameterSetName = ModelSet)]
[OutputType(typeof(GraderSettings))]
public sealed class SetHumanloopGraderCommand : PSCmdlet
{
    private const string ModelSet = "Model";
    private const string ModelConfigSet = "ModelConfig";
    private const string ModelConfigIdSet = "ModelConfigId";

    /// <summary>The grader's model, for an inline config.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ModelSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ModelCompleter))]
    public string? Model { get; set; }

    /// <summary>The grader's provider, for example openai or mock.</summary>
    [Parameter(ParameterSetName = ModelSet)]
    [ArgumentCompleter(typeof(ProviderCompleter))]
    public string? Provider { get; set; }

    /// <summary>The grader's sampling temperature (default 0, for repeatable verdicts).</summary>
    [Parameter(ParameterSetName = ModelSet)]
    [ValidateRange(0.0, 2.0)]
    public double Temperature { get; set; }

    /// <summary>A whole inline chat config for the grader: a hashtable keyed by the API's field names, or a typed config.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ModelConfigSet)]
    [ModelConfigTransformation(typeof(ModelConfigChatRequest))]
    public ModelConfigChatRequest? ModelConfig { get; set; }

    /// <summary>The id of a stored chat config that grades (config_…).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ModelConfigIdSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ModelConfigIdCompleter))]
    public string? ModelConfigId { get; set; }

    /// <summary>The project the grading calls are logged in (default humanloop-grader).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProjectNameCompleter))]
    public string Project { get; set; } = GraderSettings.DefaultProject;

    /// <summary>Grading prompts replacing the shipped ones, keyed by kind: Rubric, Factuality, ClosedQa.</summary>
    [Parameter]
    public Hashtable? Prompt { get; set; }

    /// <summary>Writes the grader that was set.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        GraderSettings grader;
        try
        {
            var prompts = Prompt is null
                ? GradingPrompts.Shipped
                : GradingPrompts.With(Prompt.Cast<DictionaryEntry>().Select(entry =>
                    new KeyValuePair<string, string?>(PowerShellValues.Unwrap(entry.Key)?.ToString() ?? string.Empty, PowerShellValues.Unwrap(entry.Value)?.ToString())));
            grader = new GraderSettings
            {
                ModelConfig = ParameterSetName switch
                {
                    ModelSet => new ModelConfigChatRequest { Model = Model, Provider = Provider, Temperature = Temperature },
                    ModelConfigSet => ModelConfig,
                    _ => null,
                },
                ModelConfigId = ModelConfigId,
                Project = Project,
                Prompts = prompts,
            };
        }
        catch (ArgumentException exception)
        {
            ThrowTerminatingError(ErrorRecords.InvalidArgument("Humanloop.Grader.InvalidSetting", exception.Message, Prompt));
            return;
        }

        ConnectionStore.SetGrader(grader);
        WriteVerbose($"Model-graded checks in this runspace are graded by {grader}, logged in project {grader.Project}.");
        if (PassThru)
        {
            WriteObject(grader);
        }
    }
}

/// <summary>Gets the model that grades the model-graded checks in this runspace, if one was set.</summary>
/// <example>
/// <code>Get-HumanloopGrader | Format-List</code>
/// <para>Shows the grader's config, project and prompts.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "HumanloopGrader", HelpUri = HelpLinks.Cmdlets + "#get-humanloopgrader")]
[OutputType(typeof(GraderSettings))]
public sealed class GetHumanloopGraderCommand : PSCmdlet
{
    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (ConnectionStore.Grader is { } grader)
        {
            WriteObject(grader);
        }
    }
}
