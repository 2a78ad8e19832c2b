using System.Management.Automation;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>Creates a Humanloop evaluator: python code, an llm with a model config, human judgement, or external scores.</summary>
/// <remarks>
/// <para>Creates the evaluator (POST /v4/evaluators) and writes it as a Humanloop.Evaluator. -Code makes a
/// python evaluator and -ModelConfig an llm one (a completion config: a hashtable keyed by the API's field
/// names, such as @{ provider = 'openai'; model = 'gpt-4o'; prompt_template = '…' }); -Type human or
/// -Type external makes one whose results come through feedback or are scores the client posts. -Type may
/// also be given with -Code or -ModelConfig; a type given what it cannot use, or without what it needs,
/// stops the command before anything is sent.</para>
/// <para>-ArgumentsType says whether the evaluator needs the datapoint's target (target_required) or not
/// (target_free, the default); -ReturnType whether it returns boolean (the default) or number.</para>
/// </remarks>
/// <example>
/// <code>New-HumanloopEvaluator -Name 'mentions refund' -Code 'def evaluate(log, testcase): return "refund" in log["output"]'</code>
/// <para>Creates a python evaluator that passes when the output mentions a refund.</para>
/// </example>
/// <example>
/// <code>New-HumanloopEvaluator -Name 'matches target' -ArgumentsType target_required -ModelConfig @{ provider = 'mock'; model = 'judge'; prompt_template = 'Does {{log.output}} say {{target.output}}? Answer True or False.' }</code>
/// <para>Creates a model-graded evaluator that compares each output with the datapoint's target.</para>
/// </example>
/// <example>
/// <code>New-HumanloopEvaluator -Name 'latency score' -Type external -ReturnType number</code>
/// <para>Creates an evaluator whose scores a CI job computes and posts.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "HumanloopEvaluator", HelpUri = HelpLinks.Cmdlets + "#new-humanloopevaluator", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = CodeSet)]
[OutputType(typeof(Evaluator))]
public sealed class NewHumanloopEvaluatorCommand : EvaluatorCmdlet
{
    private const string CodeSet = "Code";
    private const string ModelConfigSet = "ModelConfig";
    private const string TypeSet = "Type";

    private string _type = string.Empty;

    /// <summary>The evaluator's name.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public override string? Name { get; set; }

    /// <summary>How it judges: python, llm, human or external. Implied by -Code (python) and -ModelConfig (llm).</summary>
    [Parameter(Mandatory = true, ParameterSetName = TypeSet)]
    [ValidateSet(EvaluatorTypes.Python, EvaluatorTypes.Llm, EvaluatorTypes.Human, EvaluatorTypes.External)]
    public string? Type { get; set; }

    /// <summary>The code of a python evaluator (the local server also takes builtin:&lt;expectation&gt;, for example builtin:contains:refund).</summary>
    [Parameter(Mandatory = true, ParameterSetName = CodeSet)]
    [Parameter(ParameterSetName = TypeSet)]
    [ValidateNotNullOrEmpty]
    public override string? Code { get; set; }

    /// <summary>The model config of an llm evaluator: a hashtable keyed by the API's field names, or a typed completion config.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ModelConfigSet)]
    [Parameter(ParameterSetName = TypeSet)]
    [ModelConfigTransformation]
    [ValidateNotNull]
    public override ModelConfigCompletionRequest? ModelConfig { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        _type = Type ?? (ParameterSetName == ModelConfigSet ? EvaluatorTypes.Llm : EvaluatorTypes.Python);
        RequireFor(EvaluatorTypes.Python, Code is not null, "-Code");
        RequireFor(EvaluatorTypes.Llm, ModelConfig is not null, "-ModelConfig");
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Name!, $"Create Humanloop {_type} evaluator"))
        {
            return;
        }

        var request = BuildRequest();
        request.Type = _type;
        request.ArgumentsType ??= EvaluatorArgumentsTypes.TargetFree;
        request.ReturnType ??= EvaluatorReturnTypes.Boolean;
        Invoke(Name, (client, cancellationToken) => client.CreateEvaluatorAsync(request, cancellationToken));
    }

    // Code only runs in a python evaluator, and a model config only in an llm one: anything else is a mistake.
    private void RequireFor(string type, bool given, string parameter)
    {
        if ((_type == type) != given)
        {
            ThrowInvalidParameters(given ? $"{parameter} is for {type} evaluators, not {_type} ones." : $"A {type} evaluator needs {parameter}.");
        }
    }
}

/// <summary>Gets Humanloop evaluators: every one, those whose name matches, or by id.</summary>
/// <remarks>
/// <para>Lists the team's evaluators (GET /v4/evaluators); -Name keeps those whose name matches (wildcards
/// allowed; a name without wildcards that matches nothing is reported as ObjectNotFound). -Id reads
/// evaluators directly; an unknown id is a non-terminating ObjectNotFound error.</para>
/// </remarks>
/// <example>
/// <code>Get-HumanloopEvaluator | Where-Object Type -eq 'llm'</code>
/// <para>Lists the model-graded evaluators.</para>
/// </example>
/// <example>
/// <code>(Get-HumanloopEvaluator -Name 'mentions refund').Code</code>
/// <para>Shows the code of a python evaluator.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "HumanloopEvaluator", HelpUri = HelpLinks.Cmdlets + "#get-humanloopevaluator", DefaultParameterSetName = ListSet)]
[OutputType(typeof(Evaluator))]
public sealed class GetHumanloopEvaluatorCommand : ResourceCmdlet
{
    private const string ListSet = "List";
    private const string IdSet = "Id";

    /// <summary>Evaluator names to keep; wildcards are allowed.</summary>
    [Parameter(Position = 0, ParameterSetName = ListSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <summary>Evaluators to read by id (evfn_…).</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    [ArgumentCompleter(typeof(EvaluatorIdCompleter))]
    public string[] EvaluatorId { get; set; } = [];

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == IdSet)
        {
            foreach (var id in EvaluatorId)
            {
                Invoke(id, (client, cancellationToken) => client.GetEvaluatorAsync(id, cancellationToken));
            }

            return;
        }

        var names = new NameFilter(Name);
        var listed = InvokeEach(Name, (client, cancellationToken) => client.ListEvaluatorsAsync(cancellationToken), evaluator => names.Matches(evaluator.Name));
        ReportUnmatched(listed, names, "Humanloop.Evaluator.NotFound", "evaluator");
    }
}

/// <summary>Changes a Humanloop evaluator: its name, description, code, model config, arguments or return type.</summary>
/// <remarks>
/// <para>Sends only what is given (PATCH /v4/evaluators/{id}) and writes the evaluator as it now is; its type
/// cannot change. Given nothing to change, it warns and sends nothing.</para>
/// </remarks>
/// <example>
/// <code>Get-HumanloopEvaluator -Name 'mentions refund' | Set-HumanloopEvaluator -Code 'def evaluate(log, testcase): return "refund" in log["output"].lower()'</code>
/// <para>Makes a python evaluator ignore case.</para>
/// </example>
[Cmdlet(VerbsCommon.Set, "HumanloopEvaluator", HelpUri = HelpLinks.Cmdlets + "#set-humanloopevaluator", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Evaluator))]
public sealed class SetHumanloopEvaluatorCommand : EvaluatorCmdlet
{
    /// <summary>The evaluator to change (evfn_…); piped evaluators bind by their id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    [ArgumentCompleter(typeof(EvaluatorIdCompleter))]
    public string EvaluatorId { get; set; } = string.Empty;

    /// <summary>The new name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public override string? Name { get; set; }

    /// <summary>The new code of a python evaluator.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public override string? Code { get; set; }

    /// <summary>The new model config of an llm evaluator: a hashtable keyed by the API's field names, or a typed completion config.</summary>
    [Parameter]
    [ModelConfigTransformation]
    [ValidateNotNull]
    public override ModelConfigCompletionRequest? ModelConfig { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing() =>
        WarnIfNothingToChange(nameof(Name), nameof(Description), nameof(ArgumentsType), nameof(ReturnType), nameof(Code), nameof(ModelConfig));

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (NothingToChange || !ShouldProcess(ConfirmTarget(ObjectKind.Evaluator, EvaluatorId), "Update Humanloop evaluator"))
        {
            return;
        }

        var id = EvaluatorId;
        var request = BuildRequest();
        Invoke(id, (client, cancellationToken) => client.UpdateEvaluatorAsync(id, request, cancellationToken));
    }
}

/// <summary>Deletes a Humanloop evaluator.</summary>
/// <remarks>
/// <para>Asks for confirmation (ConfirmImpact High); -Force or -Confirm:$false skips the question, and
/// -WhatIf only says what would be deleted. Writes nothing on success. An unknown id is a
/// non-terminating ObjectNotFound error (Humanloop.Http.404).</para>
/// </remarks>
/// <example>
/// <code>Get-HumanloopEvaluator -Name 'draft *' | Remove-HumanloopEvaluator -Force</code>
/// <para>Deletes the evaluators whose names start with "draft ", without asking.</para>
/// </example>
[Cmdlet(VerbsCommon.Remove, "HumanloopEvaluator", HelpUri = HelpLinks.Cmdlets + "#remove-humanloopevaluator", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveHumanloopEvaluatorCommand : RemoveCmdlet
{
    /// <summary>The evaluators to delete (evfn_…); piped evaluators bind by their id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    [ArgumentCompleter(typeof(EvaluatorIdCompleter))]
    public string[] EvaluatorId { get; set; } = [];

    /// <inheritdoc />
    protected override string Action => "Delete Humanloop evaluator";

    /// <inheritdoc />
    private protected override ObjectKind Kind => ObjectKind.Evaluator;

    /// <inheritdoc />
    protected override void ProcessRecord() => RemoveEach(EvaluatorId, (client, id, cancellationToken) => client.DeleteEvaluatorAsync(id, cancellationToken));
}

/// <summary>The fields New- and Set-HumanloopEvaluator share.</summary>
public abstract class EvaluatorCmdlet : ResourceCmdlet
{
    /// <summary>The evaluator's name (declared by each cmdlet: mandatory on New, optional on Set).</summary>
    public abstract string? Name { get; set; }

    /// <summary>What the evaluator judges.</summary>
    [Parameter]
    [ValidateNotNull]
    public string? Description { get; set; }

    /// <summary>target_free (judges the log alone) or target_required (compares it with the datapoint's target); New defaults to target_free.</summary>
    [Parameter]
    [ValidateSet(EvaluatorArgumentsTypes.TargetFree, EvaluatorArgumentsTypes.TargetRequired)]
    public string? ArgumentsType { get; set; }

    /// <summary>boolean (pass or fail) or number (a score); New defaults to boolean.</summary>
    [Parameter]
    [ValidateSet(EvaluatorReturnTypes.Boolean, EvaluatorReturnTypes.Number)]
    public string? ReturnType { get; set; }

    /// <summary>The code of a python evaluator (declared by each cmdlet: it picks New's parameter set).</summary>
    public abstract string? Code { get; set; }

    /// <summary>The model config of an llm evaluator (declared by each cmdlet: it picks New's parameter set).</summary>
    public abstract ModelConfigCompletionRequest? ModelConfig { get; set; }

    /// <summary>The request the parameters describe; unset parameters stay unset.</summary>
    private protected EvaluatorRequest BuildRequest() => new()
    {
        Name = Name,
        Description = Description,
        ArgumentsType = ArgumentsType,
        ReturnType = ReturnType,
        Code = Code,
        ModelConfig = ModelConfig,
    };
}
