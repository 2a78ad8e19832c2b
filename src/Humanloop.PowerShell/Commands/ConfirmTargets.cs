using System;
using System.Threading;
using System.Threading.Tasks;

namespace Humanloop.PowerShell.Commands;

/// <summary>
/// What a confirmation prompt and -WhatIf call an object of one kind: its noun, and how to read its name when
/// only its id is at hand (null for kinds without names, such as logs).
/// </summary>
/// <param name="Noun">How the object is called in a prompt: "project", "experiment", …</param>
/// <param name="ReadName">Reads the name of the object with the given id; null when the kind has no name.</param>
internal sealed record ObjectKind(string Noun, Func<HumanloopClient, string, CancellationToken, Task<string?>>? ReadName)
{
    public static readonly ObjectKind Project = new("project", async (client, id, cancellationToken) => (await client.GetProjectAsync(id, cancellationToken).ConfigureAwait(false)).Name);

    public static readonly ObjectKind Experiment = new("experiment", async (client, id, cancellationToken) => (await client.GetExperimentAsync(id, cancellationToken).ConfigureAwait(false)).Name);

    public static readonly ObjectKind Dataset = new("dataset", async (client, id, cancellationToken) => (await client.GetDatasetAsync(id, cancellationToken).ConfigureAwait(false)).Name);

    public static readonly ObjectKind Evaluator = new("evaluator", async (client, id, cancellationToken) => (await client.GetEvaluatorAsync(id, cancellationToken).ConfigureAwait(false)).Name);

    public static readonly ObjectKind Log = new("log", null);

    public static readonly ObjectKind Datapoint = new("datapoint", null);

    /// <summary>The target text: <c>project 'otters' (pr_…)</c> with a name, <c>project pr_…</c> without.</summary>
    public string Describe(string id, string? name) => string.IsNullOrEmpty(name) ? $"{Noun} {id}" : $"{Noun} '{name}' ({id})";
}
