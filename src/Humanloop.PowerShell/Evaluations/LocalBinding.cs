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
        if (existing is not null)
        {
            return new LocalBinding(evaluator, existing.Id, existing.ReturnType);
        }

        var binding = new LocalBinding(evaluator, null, null);
        if (evaluator.ReturnType is { } returnType)
        {
            await binding.CreateAsync(client, returnType, cancellationToken).ConfigureAwait(false);
        }

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
        if (Id is null)
        {
            await _creating.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (Id is null)
                {
                    await CreateAsync(client, kind, cancellationToken).ConfigureAwait(false);
                    foreach (var evaluationId in evaluationIds)
                    {
                        await client.AddEvaluationEvaluatorsAsync(evaluationId, [Id!], cancellationToken).ConfigureAwait(false);
                    }
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
