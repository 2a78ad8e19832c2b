using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.Json;

namespace Humanloop;

// The Evaluators group (2024-07-12 spec).
public sealed partial class HumanloopClient
{
    /// <summary>Creates an evaluator (<c>POST /evaluators</c>).</summary>
    /// <param name="request">The evaluator; an empty description is sent when none is given, as the spec requires the field.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Evaluator> CreateEvaluatorAsync(EvaluatorRequest request, CancellationToken cancellationToken = default)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        request.Description ??= string.Empty;
        return SendJsonAsync(HttpMethod.Post, "evaluators", ToJson(request, WorkflowJsonContext.Default.EvaluatorRequest, nameof(request)),
            WorkflowJsonContext.Default.Evaluator, cancellationToken);
    }

    /// <summary>Reads every evaluator of the team (<c>GET /evaluators</c>).</summary>
    /// <param name="cancellationToken">Stops the request.</param>
    public async Task<IReadOnlyList<Evaluator>> ListEvaluatorsAsync(CancellationToken cancellationToken = default) =>
        await SendJsonAsync(HttpMethod.Get, "evaluators", null, WorkflowJsonContext.Default.ListEvaluator, cancellationToken).ConfigureAwait(false);

    /// <summary>Reads one evaluator (<c>GET /evaluators/{id}</c>).</summary>
    /// <param name="evaluatorId">The evaluator id (<c>evfn_…</c>).</param>
    /// <param name="cancellationToken">Stops the request.</param>
    /// <exception cref="HumanloopApiException">404 when there is no such evaluator.</exception>
    public Task<Evaluator> GetEvaluatorAsync(string evaluatorId, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Get, EvaluatorPath(evaluatorId), null, WorkflowJsonContext.Default.Evaluator, cancellationToken);

    /// <summary>Changes an evaluator (<c>PATCH /evaluators/{id}</c>); its type cannot change.</summary>
    /// <param name="evaluatorId">The evaluator id.</param>
    /// <param name="request">The fields to change; unset fields stay as they are. <see cref="EvaluatorRequest.Type"/> must be unset.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<Evaluator> UpdateEvaluatorAsync(string evaluatorId, EvaluatorRequest request, CancellationToken cancellationToken = default)
    {
        if (request?.Type is not null)
        {
            throw new ArgumentException("An evaluator's type cannot be changed; leave Type unset.", nameof(request));
        }

        return SendJsonAsync(HttpMethod.Patch, EvaluatorPath(evaluatorId), ToJson(request!, WorkflowJsonContext.Default.EvaluatorRequest, nameof(request)),
            WorkflowJsonContext.Default.Evaluator, cancellationToken);
    }

    /// <summary>Deletes an evaluator (<c>DELETE /evaluators/{id}</c>).</summary>
    /// <param name="evaluatorId">The evaluator id.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task DeleteEvaluatorAsync(string evaluatorId, CancellationToken cancellationToken = default) =>
        SendWithoutResultAsync(HttpMethod.Delete, EvaluatorPath(evaluatorId), cancellationToken);

    private static string EvaluatorPath(string evaluatorId) => "evaluators/" + Segment(evaluatorId, nameof(evaluatorId));
}
