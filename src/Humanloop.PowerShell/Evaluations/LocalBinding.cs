using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Humanloop.PowerShell.Evaluations;

/// <summary>
/// A local evaluator and the external evaluator on the server that holds its results, found by name so that
/// runs compare with earlier runs. One is created when none exists: at once when the return type is known
/// (a check gives booleans), else on the first verdict (a script block may give booleans or numbers).
/// </summary>
internal sealed class LocalBinding
{
    private readonly SemaphoreSlim _creating = new(1, 1);

    // Whether results may be posted under Id: it exists and every run of this invocation has it. Set once,
    // after the runs were given the evaluator, so no task posts to a run that does not know it yet.
    private volatile bool _usable;

    private LocalBinding(LocalEvaluator evaluator, string? id, string? returnType)
    {
        Evaluator = evaluator;
        Id = id;
        ReturnType = returnType;
    }

    public LocalEvaluator Evaluator { get; }

    /// <summary>The server evaluator's id; null until it exists.</summary>
    public string? Id { get; private set; }

    /// <summary><c>boolean</c> or <c>number</c>; null until known.</summary>
    public string? ReturnType { get; private set; }

    /// <summary>Finds the external evaluator of this name (the oldest, if several), or creates it when the return type is known.</summary>
    public static async Task<LocalBinding> FindAsync(HumanloopClient client, LocalEvaluator evaluator, IReadOnlyList<Evaluator> known, CancellationToken cancellationToken)
    {
        var existing = known
            .Where(candidate => candidate.Type == EvaluatorTypes.External && candidate.Name == evaluator.Name)
            .OrderBy(candidate => candidate.CreatedAt)
            .FirstOrDefault();
        var binding = existing is not null ? new LocalBinding(evaluator, existing.Id, existing.ReturnType) : new LocalBinding(evaluator, null, null);
        if (existing is null && evaluator.ReturnType is { } returnType)
        {
            await binding.CreateAsync(client, returnType, cancellationToken).ConfigureAwait(false);
        }

        // Found before the runs are created: the caller gives them the evaluator from the start.
        binding._usable = binding.Id is not null;
        return binding;
    }

    /// <summary>
    /// The id to post <paramref name="value"/> under: creating the evaluator (and adding it to every run) on the
    /// first verdict if need be.
    /// </summary>
    /// <exception cref="EvaluatorFailedException">The value's kind is not the evaluator's return type.</exception>
    public async Task<string> IdForAsync(HumanloopClient client, object? value, IReadOnlyList<string> evaluationIds, CancellationToken cancellationToken)
    {
        var kind = value is null or bool ? EvaluatorReturnTypes.Boolean : EvaluatorReturnTypes.Number;
        if (!_usable)
        {
            await _creating.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!_usable)
                {
                    if (Id is null)
                    {
                        await CreateAsync(client, kind, cancellationToken).ConfigureAwait(false);
                    }

                    foreach (var evaluationId in evaluationIds)
                    {
                        await client.AddEvaluationEvaluatorsAsync(evaluationId, [Id!], cancellationToken).ConfigureAwait(false);
                    }

                    _usable = true;
                }
            }
            finally
            {
                _creating.Release();
            }
        }

        if (value is not null && kind != ReturnType)
        {
            throw new EvaluatorFailedException($"returned {(value is bool ? "a boolean" : "a number")} ({value}), but '{Evaluator.Name}' is a {ReturnType} evaluator on the server");
        }

        return Id!;
    }

    private async Task CreateAsync(HumanloopClient client, string returnType, CancellationToken cancellationToken)
    {
        var request = new EvaluatorRequest
        {
            Name = Evaluator.Name,
            Description = "Judged by Invoke-HumanloopEvaluation on the client",
            Type = EvaluatorTypes.External,
            ArgumentsType = EvaluatorArgumentsTypes.TargetFree,
            ReturnType = returnType,
        };
        var created = await client.CreateEvaluatorAsync(request, cancellationToken).ConfigureAwait(false);
        ReturnType = created.ReturnType ?? returnType;
        Id = created.Id;
    }
}
