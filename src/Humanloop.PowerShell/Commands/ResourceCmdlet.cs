using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>
/// The base of the cmdlets over the API's resources (projects, configs, deployments, experiments, logs,
/// feedback): one call per input with its result written as it arrives, lists read page by page,
/// failures written as non-terminating errors about the input, and the -Force rule of the Remove cmdlets.
/// </summary>
public abstract class ResourceCmdlet : HumanloopCmdlet
{
    /// <summary>Records asked for per page when -PageSize is not given.</summary>
    protected const int DefaultPageSize = 50;

    /// <summary>Calls the API and writes the result; a failure becomes an error about <paramref name="target"/>.</summary>
    protected void Invoke<T>(object? target, Func<HumanloopClient, CancellationToken, Task<T>> call)
        where T : class =>
        Run(target, async (client, cancellationToken) => Emit(await call(client, cancellationToken).ConfigureAwait(false)));

    /// <summary>Calls the API and writes each item of the list it returns; false when the call failed (and was reported).</summary>
    protected bool InvokeEach<T>(object? target, Func<HumanloopClient, CancellationToken, Task<IReadOnlyList<T>>> call, Func<T, bool>? include = null)
        where T : class =>
        Run(target, async (client, cancellationToken) => EmitEach(await call(client, cancellationToken).ConfigureAwait(false), include));

    /// <summary>Calls the API for its effect only.</summary>
    protected void InvokeWithoutResult(object? target, Func<HumanloopClient, CancellationToken, Task> call) => Run(target, call);

    /// <summary>
    /// Reads a paged list from page 0 until every record was seen (or a page comes back empty), writing
    /// each page's records the moment the page arrives, so the first results show before the last page
    /// is requested. False when a page failed (and was reported).
    /// </summary>
    protected bool InvokePaged<T>(object? target, Func<HumanloopClient, int, CancellationToken, Task<Page<T>>> fetchPage, Func<T, bool>? include = null)
        where T : class =>
        Run(target, async (client, cancellationToken) =>
        {
            var seen = 0;
            for (var number = 0; ; number++)
            {
                var page = await fetchPage(client, number, cancellationToken).ConfigureAwait(false);
                EmitEach(page.Records, include);

                // Counting what arrived, rather than trusting page numbers, also ends the loop on a
                // server that ignores the page parameter.
                seen += page.Records.Count;
                if (page.Records.Count == 0 || seen >= page.Total)
                {
                    return;
                }
            }
        });

    // The one place a resource call runs: on the client of this invocation, with a failure for one
    // input reported about that input. True when the call completed.
    private bool Run(object? target, Func<HumanloopClient, CancellationToken, Task> call)
    {
        var client = Client;
        var completed = false;
        RunAsync(async cancellationToken =>
        {
            try
            {
                await call(client, cancellationToken).ConfigureAwait(false);
                completed = true;
            }
            catch (Exception exception) when (IsPerInputFailure(exception))
            {
                Report(exception, target);
            }
        });
        return completed;
    }

    private void EmitEach<T>(IEnumerable<T> items, Func<T, bool>? include)
        where T : class
    {
        foreach (var item in items)
        {
            if (include is null || include(item))
            {
                Emit(item);
            }
        }
    }

    /// <summary>
    /// ShouldProcess for the Remove cmdlets: -Force skips the confirmation prompt, but -WhatIf still only
    /// describes, and an explicit -Confirm still asks.
    /// </summary>
    protected bool ShouldProcessUnlessForced(bool force, string target, string action)
    {
        var bound = MyInvocation.BoundParameters;
        var whatIf = bound.TryGetValue("WhatIf", out var whatIfValue)
            ? ((SwitchParameter)whatIfValue).IsPresent
            : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
        var confirmAsked = bound.TryGetValue("Confirm", out var confirmValue) && ((SwitchParameter)confirmValue).IsPresent;
        if (force && !whatIf && !confirmAsked)
        {
            WriteVerbose($"Performing the operation \"{action}\" on target \"{target}\" (-Force: not confirmed).");
            return true;
        }

        return ShouldProcess(target, action);
    }

    /// <summary>A lookup by name or label that found nothing: non-terminating, ObjectNotFound, about <paramref name="target"/>.</summary>
    protected static ErrorRecord NotFound(string errorId, string message, object? target) =>
        new(new ItemNotFoundException(message), errorId, ErrorCategory.ObjectNotFound, target);

    /// <summary>Stops the command: the parameters given cannot work together (or one that is needed is missing).</summary>
    protected void ThrowInvalidParameters(string message) => ThrowTerminatingError(InvalidParameters(message));

    /// <summary>The terminating error of an invalid invocation; <paramref name="message"/> names the parameters.</summary>
    internal static ErrorRecord InvalidParameters(string message) =>
        ErrorRecords.InvalidArgument("Humanloop.Input.InvalidParameters", message, null);

    // What goes wrong for one input is reported about that input; anything else is a defect and ends the command.
    private static bool IsPerInputFailure(Exception exception) => exception is HumanloopException or ArgumentException or NameNotFoundException;

    private void Report(Exception exception, object? target)
    {
        if (exception is NameNotFoundException notFound)
        {
            EmitError(NotFound(notFound.ErrorId, notFound.Message, target));
        }
        else
        {
            EmitFailure(exception, target);
        }
    }
}

/// <summary>A name (of an environment, say) that the server does not know; reported like a 404, as ObjectNotFound.</summary>
internal sealed class NameNotFoundException(string errorId, string message) : Exception(message)
{
    public string ErrorId { get; } = errorId;
}
