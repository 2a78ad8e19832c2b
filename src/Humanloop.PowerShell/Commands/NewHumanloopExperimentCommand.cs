using System.Management.Automation;

namespace Humanloop.PowerShell.Commands;

/// <summary>Runs a completion through an experiment: each sample uses a model config the server picks from it.</summary>
/// <remarks>
/// <para>Calls the API's Create Experiment operation (POST /v4/completion-experiment). The config chosen
/// for each sample is reported in Data[i].ModelConfigId; when the experiment has positive labels and its
/// logs get feedback, the server favours the configs that earn positive feedback.</para>
/// <para>Each pipeline input (a hashtable, or an object such as an Import-Csv row) is one request, and
/// results come out in input order. A failed request is written as a non-terminating error carrying the
/// input, and the next input still runs. With -Stream, Humanloop.CompletionChunk objects are written as
/// they arrive; -ResponseVariable receives the assembled Humanloop.CompletionResponse.</para>
/// </remarks>
/// <example>
/// <code>Import-Csv ./questions.csv | New-HumanloopExperiment -ExperimentId exp_4XqR2 -ProjectId pr_8fK1</code>
/// <para>Runs one experiment completion per CSV row; the row's columns are the template inputs.</para>
/// </example>
/// <example>
/// <code>New-HumanloopExperiment exp_4XqR2 -Inputs @{ topic = 'tides' } -Stream | ForEach-Object { Write-Host $_ -NoNewline }</code>
/// <para>Streams the text to the console as it is generated.</para>
/// </example>
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
