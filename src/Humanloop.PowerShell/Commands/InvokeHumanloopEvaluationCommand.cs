using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Humanloop.PowerShell.Checks;
using Humanloop.PowerShell.Evaluations;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>Evaluates one or more configs over a dataset: generates each datapoint, scores it, and reports a summary per config and evaluator.</summary>
/// <remarks>
/// <para>Creates an evaluation run per config (POST /v4/projects/{id}/evaluations, the logs posted by this
/// client), then for every datapoint and config, -ThrottleLimit at a time: generates a sample with the
/// config (its inputs; for a chat config also its messages), posts the log to the run, and posts the
/// verdict of each local evaluator. Server evaluators (-Evaluator: llm, built-in checks) score each
/// posted log on the server. Every log and result is stored, so Get-HumanloopEvaluation lists the run and
/// Get-HumanloopEvaluationResult shows each datapoint.</para>
/// <para>Configs: -ModelConfigId (stored configs), -Environment (the config deployed to an environment of
/// the project), -ModelConfig (inline configs, hashtables keyed by the API's names, registered to the
/// project for the run). Dataset: -DatasetId, or -Path (a CSV or JSON lines file in the test-case format;
/// the project's dataset of the same name is reused when it holds exactly the file's cases, otherwise a
/// new one is made).</para>
/// <para>Local evaluators: -LocalEvaluator maps names to script blocks, each given $Log, $Datapoint and
/// $Response (and them as arguments) and returning one boolean or one number; -Expect takes
/// expectations in the test-case syntax (contains:refund, levenshtein&lt;=3:{{target.output}}), judged by
/// the module's checks; datapoints that carry expectations (an expect column) are judged by the evaluator
/// "expect". Each local evaluator is an external evaluator of that name on the server (created on first
/// use), so later runs compare with this one. An evaluator that fails on a datapoint is that datapoint's
/// error: a warning, counted in Errors, and the run goes on.</para>
/// <para>Writes a Humanloop.EvaluationSummary per config and evaluator: Score (the fraction of true
/// results, or the mean of numbers), Count, Errors, Threshold and Passed, and Previous and Delta against
/// the last completed run of the same config, dataset and evaluator. -Threshold (a number for every
/// evaluator, or a hashtable of evaluator names, wildcards allowed, to least scores) makes a run that
/// falls short end with a terminating error after the summaries are written. Progress (done, failed,
/// rate, time left) is shown in interactive sessions. Ctrl+C stops the run and marks it cancelled.</para>
/// </remarks>
/// <example>
/// <code>Invoke-HumanloopEvaluation -ProjectId $project.Id -Environment production -ModelConfigId $candidate.ModelConfigId -Path ./cases.csv -Expect 'contains:{{target.output}}' -Threshold 0.9</code>
/// <para>Compares the deployed config with a candidate over the cases in cases.csv, and fails when either scores below 0.9.</para>
/// </example>
/// <example>
/// <code>Get-HumanloopEvaluator -Name 'polite' | Invoke-HumanloopEvaluation -ProjectId $project.Id -ModelConfigId $config.ModelConfigId -DatasetId $dataset.Id -LocalEvaluator @{ short = { param($Log) $Log.Output.Length -lt 200 } } -ThrottleLimit 8</code>
/// <para>Scores a config with a server llm evaluator and a script block, eight datapoints at a time.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Invoke, "HumanloopEvaluation", HelpUri = HelpLinks.Cmdlets + "#invoke-humanloopevaluation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = DatasetSet)]
[OutputType(typeof(EvaluationSummary))]
public sealed class InvokeHumanloopEvaluationCommand : HumanloopCmdlet
{
    private const string DatasetSet = "Dataset";
    private const string PathSet = "Path";

    private readonly List<string> _evaluators = [];

    /// <summary>The project the runs belong to (pr_…).</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProjectIdCompleter))]
    public string ProjectId { get; set; } = string.Empty;

    /// <summary>Stored configs to evaluate (config_…).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ModelConfigIdCompleter))]
    public string[] ModelConfigId { get; set; } = [];

    /// <summary>Environments of the project whose deployed config to evaluate.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EnvironmentCompleter))]
    public string[] Environment { get; set; } = [];

    /// <summary>Inline configs to evaluate: hashtables keyed by the API's field names (a chat_template makes a chat config); registered to the project.</summary>
    [Parameter]
    [ModelConfigTransformation(typeof(ModelConfigRequest))]
    [ValidateNotNull]
    public ModelConfigRequest[] ModelConfig { get; set; } = [];

    /// <summary>The dataset to evaluate over (evts_…).</summary>
    [Parameter(Mandatory = true, ParameterSetName = DatasetSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DatasetIdCompleter))]
    public string? DatasetId { get; set; }

    /// <summary>A CSV or JSON lines file of cases to evaluate over (the format of Import-HumanloopTestCase).</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>The name of the dataset made from -Path; the file's name without its extension when omitted.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string? DatasetName { get; set; }

    /// <summary>Server evaluators, by id (evfn_…) or name; piped evaluators bind by their id.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("EvaluatorId")]
    [ValidateNotNullOrEmpty]
    public string[] Evaluator { get; set; } = [];

    /// <summary>Local evaluators: names to script blocks that get $Log, $Datapoint and $Response and return a boolean or a number.</summary>
    [Parameter]
    [ValidateNotNull]
    public IDictionary? LocalEvaluator { get; set; }

    /// <summary>Expectations every datapoint's output must meet, in the test-case syntax; each is an evaluator named by its text.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Expect { get; set; } = [];

    /// <summary>How many datapoints are generated and judged at once.</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 4;

    /// <summary>The least score that passes: a number for every evaluator, or a hashtable of evaluator names (wildcards allowed) to numbers.</summary>
    [Parameter]
    [ValidateNotNull]
    public object? Threshold { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => _evaluators.AddRange(Evaluator);

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (ModelConfigId.Length + Environment.Length + ModelConfig.Length == 0)
        {
            ThrowInvalidParameters("Give the configs to evaluate: -ModelConfigId, -Environment or -ModelConfig.");
        }

        var plan = BuildPlan();
        var configs = ModelConfigId.Length + Environment.Length + ModelConfig.Length;
        if (!ShouldProcess(ProjectId, $"Evaluate {configs} config(s) over {DatasetId ?? Path}"))
        {
            return;
        }

        var host = new CmdletHost(this, Interactivity.ShowsProgress(this));
        IReadOnlyList<EvaluationSummary> summaries = [];
        Exception? failure = null;
        var client = Client;
        RunAsync(async cancellationToken =>
        {
            try
            {
                summaries = await new EvaluationRun(client, plan, host).RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception failed) when (failed is HumanloopException or ArgumentException)
            {
                failure = failed;
            }
        });

        if (failure is not null)
        {
            ThrowTerminatingError(failure is ArgumentException
                ? ErrorRecords.InvalidArgument("Humanloop.Evaluation.InvalidRun", failure.Message, ProjectId)
                : ErrorRecords.From(failure, ProjectId, ApiKeyInUse));
        }

        foreach (var summary in summaries)
        {
            WriteObject(summary);
        }

        if (EvaluationVerdict.Failures(summaries, null, null) is { Count: > 0 } failures)
        {
            var message = $"The evaluation fell short of its thresholds:\n{string.Join("\n", failures)}";
            ThrowTerminatingError(ErrorRecords.Of(new HumanloopAssertionException(message), "Humanloop.Evaluation.BelowThreshold", ErrorCategory.InvalidResult, ProjectId));
        }
    }

    private EvaluationPlan BuildPlan()
    {
        var location = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
        string ResolvePath(string path) => System.IO.Path.GetFullPath(System.IO.Path.Combine(location, path));

        var locals = new List<LocalEvaluator>();
        foreach (var text in Expect)
        {
            try
            {
                ExpectationEvaluator.Validate(text);
            }
            catch (FormatException malformed)
            {
                ThrowInvalidParameters($"-Expect: {malformed.Message}");
            }

            locals.Add(new ExpectationEvaluator(text, ResolvePath));
        }

        foreach (DictionaryEntry entry in LocalEvaluator ?? new Hashtable())
        {
            var name = PowerShellValues.Unwrap(entry.Key)?.ToString();
            if (string.IsNullOrWhiteSpace(name) || PowerShellValues.Unwrap(entry.Value) is not ScriptBlock script)
            {
                ThrowInvalidParameters($"-LocalEvaluator maps names to script blocks; '{name}' is given {(entry.Value is null ? "nothing" : $"a {PowerShellValues.Unwrap(entry.Value)!.GetType().Name}")}.");
                throw new InvalidOperationException();
            }

            locals.Add(new ScriptEvaluator(name, script));
        }

        if (locals.GroupBy(local => local.Name, StringComparer.Ordinal).FirstOrDefault(group => group.Count() > 1) is { } twice)
        {
            ThrowInvalidParameters($"Two local evaluators are named '{twice.Key}'; each needs its own name.");
        }

        EvaluationThresholds thresholds;
        try
        {
            thresholds = EvaluationThresholds.From(Threshold);
        }
        catch (ArgumentException invalid)
        {
            ThrowInvalidParameters(invalid.Message);
            throw;
        }

        var file = Path is null ? ((string, string, IReadOnlyList<DatapointRequest>)?)null : (DatasetName ?? System.IO.Path.GetFileNameWithoutExtension(Path), Path, DatasetFiles.Read(this, Path));
        return new EvaluationPlan
        {
            ProjectId = ProjectId,
            ModelConfigIds = ModelConfigId,
            Environments = Environment,
            InlineConfigs = ModelConfig,
            DatasetId = DatasetId,
            DatasetFile = file,
            ServerEvaluators = _evaluators.Distinct(StringComparer.Ordinal).ToList(),
            LocalEvaluators = locals,
            ThrottleLimit = ThrottleLimit,
            Thresholds = thresholds,
            CaseExpectations = new CaseExpectationEvaluator(ResolvePath),
        };
    }

    // The run speaks through the cmdlet's queue; progress only when someone watches.
    private sealed class CmdletHost(InvokeHumanloopEvaluationCommand cmdlet, bool showProgress) : IEvaluationHost
    {
        public CheckContext Checks { get; } = new(action => cmdlet.OnPipelineThreadAsync(action), () => cmdlet.Client);

        public void Warn(string message) => cmdlet.EmitWarning(message);

        public void Verbose(string message) => cmdlet.EmitVerbose(message);

        public void Progress(ProgressRecord record)
        {
            if (showProgress)
            {
                cmdlet.EmitProgress(record);
            }
        }
    }
}
