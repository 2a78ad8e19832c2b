using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>
/// The base of the cmdlets over the API's resources (projects, configs, deployments, experiments, logs,
/// feedback, datasets, datapoints, evaluators, evaluations): one call per input with its result written as it arrives, lists read page by page,
/// failures written as non-terminating errors about the input, and the -Force rule of the Remove cmdlets.
/// </summary>
public abstract class ResourceCmdlet : HumanloopCmdlet
{
    /// <summary>Records asked for per page when -PageSize is not given.</summary>
    protected const int DefaultPageSize = 50;

    // The names read for confirmation prompts in this invocation (null: the read failed).
    private readonly Dictionary<(string Noun, string Id), string?> _namesRead = [];

    /// <summary>Calls the API and writes the result; a failure becomes an error about <paramref name="target"/>.</summary>
    protected void Invoke<T>(object? target, Func<HumanloopClient, CancellationToken, Task<T>> call)
        where T : class =>
        RunForInput(target, async (client, cancellationToken) => Emit(await call(client, cancellationToken).ConfigureAwait(false)));

    /// <summary>Calls the API and writes each item of the list it returns; false when the call failed (and was reported).</summary>
    protected bool InvokeEach<T>(object? target, Func<HumanloopClient, CancellationToken, Task<IReadOnlyList<T>>> call, Func<T, bool>? include = null)
        where T : class =>
        RunForInput(target, async (client, cancellationToken) => EmitEach(await call(client, cancellationToken).ConfigureAwait(false), include));

    /// <summary>Calls the API for its effect only.</summary>
    protected void InvokeWithoutResult(object? target, Func<HumanloopClient, CancellationToken, Task> call) => RunForInput(target, call);

    /// <summary>
    /// Reads a paged list from its first page until every record was seen (or a page comes back empty),
    /// writing each page's records the moment the page arrives, so the first results show before the last
    /// page is requested. Pages count from 0 unless <paramref name="firstPage"/> says otherwise (the
    /// datapoints of an evaluation count from 1). False when a page failed (and was reported).
    /// </summary>
    protected bool InvokePaged<T>(object? target, Func<HumanloopClient, int, CancellationToken, Task<Page<T>>> fetchPage, Func<T, bool>? include = null, int firstPage = 0)
        where T : class =>
        RunForInput(target, async (client, cancellationToken) =>
        {
            var seen = 0;
            Task? previousPageWritten = null;
            for (var number = firstPage; ; number++)
            {
                var page = await fetchPage(client, number, cancellationToken).ConfigureAwait(false);
                if (!EmitEach(page.Records, include))
                {
                    // Nobody reads any more (a Select-Object -First has enough): no further page.
                    return;
                }

                // Counting what arrived, rather than trusting page numbers, also ends the loop on a
                // server that ignores the page parameter.
                seen += page.Records.Count;
                if (page.Records.Count == 0 || seen >= page.Total)
                {
                    return;
                }

                // At most one page ahead of the reader: the next page is asked for once the page before
                // this one is written. A reader that stops (Select-Object -First) thus stops the paging
                // at once, however late the work hears of it; a mark the pipeline thread never reaches
                // ends with the work's cancellation.
                if (previousPageWritten is not null)
                {
                    await previousPageWritten.WaitAsync(cancellationToken).ConfigureAwait(false);
                }

                previousPageWritten = OnPipelineThreadAsync(() => true);
            }
        });

    /// <summary>True when a Set cmdlet was given none of its change parameters (see <see cref="WarnIfNothingToChange"/>).</summary>
    protected bool NothingToChange { get; private set; }

    /// <summary>
    /// Warns, and sets <see cref="NothingToChange"/>, when none of the named change parameters was given. Not an
    /// error: a script may pass on parameters it has none of; it is told, and nothing is sent.
    /// </summary>
    protected void WarnIfNothingToChange(params string[] changeParameters)
    {
        NothingToChange = !changeParameters.Any(MyInvocation.BoundParameters.ContainsKey);
        if (NothingToChange)
        {
            var names = changeParameters.Select(name => "-" + name).ToList();
            var list = names.Count == 1 ? names[0] : string.Join(", ", names.Take(names.Count - 1)) + " or " + names[^1];
            WriteWarning($"Nothing to change: give {list}.");
        }
    }

    /// <summary>
    /// What a confirmation prompt and -WhatIf call the object <paramref name="id"/> of <paramref name="kind"/>:
    /// its name and id, as in <c>project 'otters' (pr_…)</c>. The name is the piped object's when that is the
    /// object (no call); else, only when the question will be asked, it is read with one call (a person is
    /// about to answer, and a read changes nothing). -WhatIf sends no request at all, so there an id alone
    /// names the object, as it does when the read fails or nothing is asked.
    /// </summary>
    private protected string ConfirmTarget(ObjectKind kind, string id, bool force = false)
    {
        if (kind.ReadName is not { } readName)
        {
            // A kind without names (logs, datapoints): whatever Name a piped object has is not the object's.
            return kind.Describe(id, null);
        }

        var name = PipelineInternals.PipedName(this, id);
        if (name is null && _namesRead.TryGetValue((kind.Noun, id), out var known))
        {
            name = known;
        }
        else if (name is null && WillAsk(force))
        {
            var client = Client;
            RunAsync(async cancellationToken =>
            {
                try
                {
                    name = await readName(client, id, cancellationToken).ConfigureAwait(false);
                }
                catch (HumanloopException)
                {
                    // The call that follows reports what is wrong with the id; the prompt names it alone.
                }
            });

            // Once per object and invocation: piped rows asked about one dataset read its name once.
            _namesRead[(kind.Noun, id)] = name;
        }

        return kind.Describe(id, name);
    }

    // Whether ShouldProcess will ask: not under -WhatIf; with -Confirm; else when the impact is at or above
    // $ConfirmPreference (-Force, on the Remove cmdlets, skips the question).
    private bool WillAsk(bool force)
    {
        if (WhatIfAsked)
        {
            return false;
        }

        if (ConfirmGiven is { } confirm)
        {
            return confirm;
        }

        if (force)
        {
            return false;
        }

        var impact = GetType().GetCustomAttribute<CmdletAttribute>()?.ConfirmImpact ?? ConfirmImpact.Medium;
        var preference = LanguagePrimitives.TryConvertTo<ConfirmImpact>(GetVariableValue("ConfirmPreference"), out var given) ? given : ConfirmImpact.High;
        return preference != ConfirmImpact.None && impact >= preference;
    }

    /// <summary>After a listing filtered by -Name, reports each literal name that matched nothing; after a failed listing, nothing (the failure was reported).</summary>
    private protected void ReportUnmatched(bool listed, NameFilter names, string errorId, string noun)
    {
        foreach (var missing in listed ? names.UnmatchedLiterals() : [])
        {
            WriteError(ErrorRecords.NotFound(errorId, $"There is no {noun} named '{missing}'.", missing));
        }
    }

    // False when a write was dropped because the writing has ended.
    private bool EmitEach<T>(IEnumerable<T> items, Func<T, bool>? include)
        where T : class
    {
        foreach (var item in items)
        {
            if ((include is null || include(item)) && !Post(() => WriteObject(item)))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// The base of the Remove cmdlets: -Force, and each id deleted only after confirmation (ConfirmImpact High;
/// -Force skips the question, -WhatIf still only describes). Nothing is written on success.
/// </summary>
public abstract class RemoveCmdlet : ResourceCmdlet
{
    /// <summary>Deletes without asking for confirmation (-WhatIf still only describes).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>What is done to each id, as the confirmation prompt and -WhatIf say it.</summary>
    protected abstract string Action { get; }

    /// <summary>What the objects deleted are, so that the prompt can name each one.</summary>
    private protected abstract ObjectKind Kind { get; }

    /// <summary>The ids the user confirmed (or -Force let through), asked one by one as they are enumerated.</summary>
    protected IEnumerable<string> Confirmed(IEnumerable<string> ids) => ids.Where(id => ShouldProcessUnlessForced(Force, ConfirmTarget(Kind, id, Force), Action));

    /// <summary>Deletes each confirmed id with its own call; a failure is reported about that id.</summary>
    protected void RemoveEach(IEnumerable<string> ids, Func<HumanloopClient, string, CancellationToken, Task> delete)
    {
        foreach (var id in Confirmed(ids))
        {
            InvokeWithoutResult(id, (client, cancellationToken) => delete(client, id, cancellationToken));
        }
    }
}
