using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using System.Threading.Tasks;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// One thing the server knows that a parameter can complete to: its completion text, name and id, a line
/// more for the tooltip, and for a model config its provider and model.
/// </summary>
internal sealed record ServerItem(string Text, string Name, string? Id, string? Detail = null, string? Provider = null, string? Model = null);

/// <summary>
/// Tab completion from the connected server. Each connection (base URI and key) has its own cache of lists;
/// a list older than <see cref="FreshFor"/> is fetched again. A completion waits at most <see cref="Budget"/>
/// for a list: what is not there by then completes from the last list, or to nothing, and the fetch goes on
/// so the next Tab has it. Nothing here fails at the prompt: no key, no server or a slow one complete nothing.
/// </summary>
public abstract class ServerCompleter : IArgumentCompleter
{
    /// <summary>How long a completion may wait for the server.</summary>
    internal static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(300);

    /// <summary>How long a fetched list is used before it is fetched again.</summary>
    internal static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(45);

    /// <summary>How many of the newest projects a completion without -ProjectId looks into.</summary>
    private const int ProjectsLookedInto = 10;

    private static readonly ConcurrentDictionary<string, CompletionCache> Caches = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            if (CacheFor(fakeBoundParameters) is not { } cache)
            {
                return [];
            }

            var deadline = DateTime.UtcNow + Budget;
            var items = Items(cache, fakeBoundParameters, deadline);
            var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            return items
                .Where(item => item.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                    || (item.Id?.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ?? false))
                .DistinctBy(item => item.Text, StringComparer.OrdinalIgnoreCase)
                .OrderBy(item => item.Name, StringComparer.OrdinalIgnoreCase)
                .Select(item => new CompletionResult(
                    Quote(item.Text),
                    item.Id is null || item.Id == item.Name ? item.Name : $"{item.Name} ({item.Id})",
                    CompletionResultType.ParameterValue,
                    Tooltip(item)))
                .ToList();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // A completion never fails at the prompt.
            return [];
        }
    }

    /// <summary>The items this parameter offers; may wait until <paramref name="deadline"/> for the server.</summary>
    internal abstract IEnumerable<ServerItem> Items(CompletionCache cache, IDictionary bound, DateTime deadline);

    /// <summary>The bound -ProjectId of the command line, when it was given as plain text.</summary>
    internal static string? BoundText(IDictionary bound, string name) =>
        bound.Contains(name) && PowerShellValues.Unwrap(bound[name]) is string text && text.Length > 0 ? text : null;

    /// <summary>The projects of the connection.</summary>
    internal static IEnumerable<ServerItem> Projects(CompletionCache cache, DateTime deadline) =>
        cache.Get("projects", deadline, async (client, token) =>
            (await client.ListProjectsAsync(0, 100, cancellationToken: token).ConfigureAwait(false)).Records
                .Where(project => project.Id is not null && project.Name is not null)
                .Select(project => new ServerItem(project.Id!, project.Name!, project.Id))
                .ToList());

    /// <summary>
    /// Items of one project (the bound -ProjectId), or of the newest projects when none is bound; each
    /// project's list is cached on its own.
    /// </summary>
    internal static IEnumerable<ServerItem> PerProject(
        CompletionCache cache, IDictionary bound, DateTime deadline, string kind, Func<HumanloopClient, string, CancellationToken, Task<IReadOnlyList<ServerItem>>> fetch)
    {
        var projectIds = BoundText(bound, "ProjectId") is { } projectId
            ? [projectId]
            : Projects(cache, deadline).Select(project => project.Id!).Take(ProjectsLookedInto).ToList();
        var lists = projectIds.Select(id => cache.Start($"{kind}:{id}", (client, token) => fetch(client, id, token))).ToList();
        return lists.SelectMany(list => list.Wait(deadline)).ToList();
    }

    private static string Quote(string text) =>
        text.Length == 0 || text.Any(character => char.IsWhiteSpace(character) || "'\"`$;,(){}@#|&<>".Contains(character))
            ? "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'"
            : text;

    private static string Tooltip(ServerItem item)
    {
        var head = item.Id is null || item.Id == item.Name ? item.Name : $"{item.Name}  {item.Id}";
        return item.Detail is null ? head : $"{head}\n{item.Detail}";
    }

    /// <summary>
    /// The cache of the connection the command line would use: its -Connection, else this runspace's
    /// connection or the environment. Null when there is no key, or the calls go through a recording.
    /// </summary>
    private static CompletionCache? CacheFor(IDictionary bound)
    {
        var connection = bound.Contains("Connection") && PowerShellValues.Unwrap(bound["Connection"]) is HumanloopContext given
            ? given.Connection
            : ConnectionStore.Current;
        var settings = ConnectionStore.ResolveSettings(new HumanloopSettingsLayer(), connection);
        if (settings.ApiKey.Value is not { } key || settings.Recording.Value is not null)
        {
            return null;
        }

        var cacheKey = $"{settings.BaseUri.Value}|{key.Fingerprint}";
        return Caches.GetOrAdd(cacheKey, _ =>
        {
            var options = settings.ToOptions(null, "Humanloop.PowerShell.Completion");
            options.MaxRetries = 0;
            options.Timeout = TimeSpan.FromSeconds(10);
            return new CompletionCache(new HumanloopClient(options));
        });
    }
}

/// <summary>The lists one connection's completions use, each fetched at most once at a time.</summary>
internal sealed class CompletionCache(HumanloopClient client)
{
    private readonly ConcurrentDictionary<string, CachedList> _lists = new(StringComparer.Ordinal);

    /// <summary>The list named <paramref name="name"/>, waiting for it until <paramref name="deadline"/>.</summary>
    public IReadOnlyList<ServerItem> Get(string name, DateTime deadline, Func<HumanloopClient, CancellationToken, Task<IReadOnlyList<ServerItem>>> fetch) =>
        Start(name, fetch).Wait(deadline);

    /// <summary>The list named <paramref name="name"/>, its fetch started when it is missing or stale.</summary>
    public CachedList Start(string name, Func<HumanloopClient, CancellationToken, Task<IReadOnlyList<ServerItem>>> fetch)
    {
        var list = _lists.GetOrAdd(name, _ => new CachedList());
        list.Refresh(() => fetch(client, CancellationToken.None));
        return list;
    }
}

/// <summary>One list: the last one fetched, and the fetch under way.</summary>
internal sealed class CachedList
{
    private readonly object _gate = new();
    private IReadOnlyList<ServerItem> _items = [];
    private DateTime _fetchedAt = DateTime.MinValue;
    private Task? _fetching;

    /// <summary>Starts a fetch unless the list is fresh or one is under way.</summary>
    public void Refresh(Func<Task<IReadOnlyList<ServerItem>>> fetch)
    {
        lock (_gate)
        {
            if (_fetching is not null || DateTime.UtcNow - _fetchedAt < ServerCompleter.FreshFor)
            {
                return;
            }

            _fetching = Task.Run(async () =>
            {
                try
                {
                    var items = await fetch().ConfigureAwait(false);
                    lock (_gate)
                    {
                        _items = items;
                        _fetchedAt = DateTime.UtcNow;
                    }
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    // An unreachable server completes nothing; the next Tab tries again.
                }
                finally
                {
                    lock (_gate)
                    {
                        _fetching = null;
                    }
                }
            });
        }
    }

    /// <summary>The list, after waiting until <paramref name="deadline"/> at most for a fetch under way.</summary>
    public IReadOnlyList<ServerItem> Wait(DateTime deadline)
    {
        Task? fetching;
        lock (_gate)
        {
            fetching = _fetching;
        }

        var left = deadline - DateTime.UtcNow;
        if (fetching is not null && left > TimeSpan.Zero)
        {
            fetching.Wait(left);
        }

        lock (_gate)
        {
            return _items;
        }
    }
}

/// <summary>Completes -ProjectId with the server's project ids, matching names or ids.</summary>
public sealed class ProjectIdCompleter : ServerCompleter
{
    internal override IEnumerable<ServerItem> Items(CompletionCache cache, IDictionary bound, DateTime deadline) => Projects(cache, deadline);
}

/// <summary>Completes -Project with the server's project names.</summary>
public sealed class ProjectNameCompleter : ServerCompleter
{
    internal override IEnumerable<ServerItem> Items(CompletionCache cache, IDictionary bound, DateTime deadline) =>
        Projects(cache, deadline).Select(project => project with { Text = project.Name });
}

/// <summary>Completes -ExperimentId with the experiments of the bound -ProjectId (or of the newest projects).</summary>
public sealed class ExperimentIdCompleter : ServerCompleter
{
    internal override IEnumerable<ServerItem> Items(CompletionCache cache, IDictionary bound, DateTime deadline) =>
        PerProject(cache, bound, deadline, "experiments", async (client, projectId, token) =>
            (await client.ListExperimentsAsync(projectId, token).ConfigureAwait(false))
                .Where(experiment => experiment.Id is not null)
                .Select(experiment => new ServerItem(experiment.Id!, experiment.Name ?? experiment.Id!, experiment.Id, $"experiment of {projectId}"))
                .ToList());
}

/// <summary>Completes -ModelConfigId with the configs of the bound -ProjectId (or of the newest projects).</summary>
public sealed class ModelConfigIdCompleter : ServerCompleter
{
    internal override IEnumerable<ServerItem> Items(CompletionCache cache, IDictionary bound, DateTime deadline) => ModelConfigs(cache, bound, deadline);

    /// <summary>The configs of the bound project, or of the newest projects.</summary>
    internal static IEnumerable<ServerItem> ModelConfigs(CompletionCache cache, IDictionary bound, DateTime deadline) =>
        PerProject(cache, bound, deadline, "configs", async (client, projectId, token) =>
            (await client.ListProjectModelConfigsAsync(projectId, token).ConfigureAwait(false))
                .Select(config => config.Config)
                .Where(config => config?.Id is not null)
                .Select(config => new ServerItem(config!.Id!, config.Name ?? config.Id!, config.Id, $"{config.Provider} {config.Model}", config.Provider, config.Model))
                .ToList());
}

/// <summary>
/// Completes -Model with the models the server's configs use, for the bound -Provider when one is given
/// (the v4 specification has no list of models of its own).
/// </summary>
public sealed class ModelCompleter : ServerCompleter
{
    internal override IEnumerable<ServerItem> Items(CompletionCache cache, IDictionary bound, DateTime deadline)
    {
        var provider = BoundText(bound, "Provider");
        return ModelConfigIdCompleter.ModelConfigs(cache, bound, deadline)
            .Where(config => config.Model is { Length: > 0 } && (provider is null || string.Equals(config.Provider, provider, StringComparison.OrdinalIgnoreCase)))
            .GroupBy(config => config.Model!, StringComparer.OrdinalIgnoreCase)
            .Select(group => new ServerItem(group.Key, group.Key, null, $"{group.First().Provider}; used by {group.Count()} config{(group.Count() == 1 ? string.Empty : "s")}"));
    }
}

/// <summary>Completes -Environment with the environments the bound -ProjectId (or the newest projects) deploy to.</summary>
public sealed class EnvironmentCompleter : ServerCompleter
{
    internal override IEnumerable<ServerItem> Items(CompletionCache cache, IDictionary bound, DateTime deadline) =>
        PerProject(cache, bound, deadline, "deployments", async (client, projectId, token) =>
            (await client.ListDeploymentsAsync(projectId, token).ConfigureAwait(false))
                .Where(deployment => deployment.EnvironmentName is not null)
                .Select(deployment => new ServerItem(deployment.EnvironmentName!, deployment.EnvironmentName!, deployment.EnvironmentId, deployment.ToString()))
                .ToList());
}

/// <summary>Completes -DatasetId with the server's datasets.</summary>
public sealed class DatasetIdCompleter : ServerCompleter
{
    internal override IEnumerable<ServerItem> Items(CompletionCache cache, IDictionary bound, DateTime deadline) =>
        cache.Get("datasets", deadline, async (client, token) =>
            (await client.ListAllDatasetsAsync(token).ConfigureAwait(false))
                .Where(dataset => dataset.Id is not null)
                .Select(dataset => new ServerItem(dataset.Id!, dataset.Name ?? dataset.Id!, dataset.Id))
                .ToList());
}

/// <summary>Completes -EvaluatorId with the server's evaluators.</summary>
public sealed class EvaluatorIdCompleter : ServerCompleter
{
    internal override IEnumerable<ServerItem> Items(CompletionCache cache, IDictionary bound, DateTime deadline) =>
        cache.Get("evaluators", deadline, async (client, token) =>
            (await client.ListEvaluatorsAsync(token).ConfigureAwait(false))
                .Where(evaluator => evaluator.Id is not null)
                .Select(evaluator => new ServerItem(evaluator.Id!, evaluator.Name ?? evaluator.Id!, evaluator.Id))
                .ToList());
}

/// <summary>Completes -SessionId (matching reference ids too) with the first page of sessions of the bound -ProjectId (or of the newest projects).</summary>
public sealed class SessionIdCompleter : ServerCompleter
{
    internal override IEnumerable<ServerItem> Items(CompletionCache cache, IDictionary bound, DateTime deadline) =>
        PerProject(cache, bound, deadline, "sessions", async (client, projectId, token) =>
            (await client.ListSessionsAsync(projectId, 1, 50, token).ConfigureAwait(false)).Records
                .Where(session => session.Id is not null)
                .Select(session => new ServerItem(session.Id!, session.ReferenceId ?? session.Id!, session.Id, session.LastOutput))
                .ToList());
}
