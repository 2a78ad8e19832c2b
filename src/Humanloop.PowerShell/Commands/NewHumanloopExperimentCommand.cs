using System.Management.Automation;

namespace Humanloop.PowerShell.Commands;

/// <summary>
/// New-HumanloopExperiment: runs a completion through an experiment (/completion-experiment); each
/// sample uses a config the server samples from the experiment.
/// </summary>
[Cmdlet(VerbsCommon.New, "HumanloopExperiment")]
[OutputType(typeof(CompletionResponse), typeof(CompletionChunk))]
public sealed class NewHumanloopExperimentCommand : CompletionCommandBase
{
    /// <summary>The experiment id (exp_…).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    [Alias("experiment_id")]
    public string? ExperimentId { get; set; }

    /// <inheritdoc />
    protected override CompletionRequestBase CreateRequest() => new CompletionExperimentRequest { ExperimentId = ExperimentId };
}
