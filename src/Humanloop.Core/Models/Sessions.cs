using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Serialization;
using Humanloop.Json;

namespace Humanloop;

/// <summary>
/// A session (<c>SessionResponse</c>): logs grouped by a <c>session_id</c> or <c>session_reference_id</c>,
/// across projects, for example the steps of one agent run.
/// </summary>
public sealed class Session
{
    private IReadOnlyList<SessionProject> _projects = [];

    /// <summary>Session id (<c>sesh_…</c>).</summary>
    public string? Id { get; init; }

    /// <summary>The session's id again, under the name of the cmdlets' -SessionId parameters, so that piping this
    /// object binds that parameter by property name.</summary>
    [JsonIgnore]
    public string? SessionId => Id;

    /// <summary>The caller's own key for the session, when it was created through <c>session_reference_id</c>.</summary>
    public string? ReferenceId { get; init; }

    /// <summary>The projects that have logs in the session.</summary>
    public IReadOnlyList<SessionProject> Projects { get => _projects; init => _projects = value ?? []; }

    /// <summary>How many logs the session holds.</summary>
    public int DatapointsCount { get; init; }

    /// <summary>The inputs of the session's first log.</summary>
    [JsonConverter(typeof(FreeFormDictionaryConverter))]
    public IDictionary? FirstInputs { get; init; }

    /// <summary>The output of the session's last log.</summary>
    public string? LastOutput { get; init; }

    /// <summary>When the session was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When a log last joined the session.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <inheritdoc />
    public override string ToString() => Id ?? string.Empty;
}

/// <summary>A project with logs in a session (<c>SessionProjectResponse</c>).</summary>
public sealed class SessionProject
{
    /// <summary>Project id (<c>pr_…</c>).</summary>
    public string? Id { get; init; }

    /// <summary>Project name.</summary>
    public string? Name { get; init; }

    /// <summary>The kind of project, for example <c>prompt</c> or <c>tool</c>.</summary>
    public string? Type { get; init; }

    /// <inheritdoc />
    public override string ToString() => Name ?? Id ?? string.Empty;
}

/// <summary>The answer to <c>POST /sessions</c> (<c>CreateSessionResponse</c>): the new session's id.</summary>
public sealed class CreatedSession
{
    /// <summary>Session id (<c>sesh_…</c>), for the <c>session_id</c> of the logs that follow.</summary>
    public string? Id { get; init; }

    /// <summary>The session's id again, under the name of the cmdlets' -SessionId parameters, so that piping this
    /// object binds that parameter by property name.</summary>
    [JsonIgnore]
    public string? SessionId => Id;

    /// <inheritdoc />
    public override string ToString() => Id ?? string.Empty;
}

/// <summary>
/// One log of a session in its place in the session's tree: parents come before their children, and
/// siblings in the order they were created.
/// </summary>
public sealed class SessionLogNode
{
    internal SessionLogNode(Log log, int depth, string prefix, string? parentId)
    {
        Log = log;
        Depth = depth;
        Prefix = prefix;
        ParentId = parentId;
    }

    /// <summary>The log.</summary>
    public Log Log { get; }

    /// <summary>The log's id (<c>data_…</c>).</summary>
    public string? Id => Log.Id;

    /// <summary>The log's id again, under the name of the cmdlets' -LogId parameters, so that piping this
    /// object binds that parameter by property name.</summary>
    public string? LogId => Id;

    /// <summary>How deep in the tree the log sits: 0 for a log without a parent in the session.</summary>
    public int Depth { get; }

    /// <summary>The branch lines drawn before the log's id (<c>│  ├─ </c>), empty for a root.</summary>
    public string Prefix { get; }

    /// <summary>The id of the log's parent in the tree, null for a root.</summary>
    public string? ParentId { get; }

    /// <summary>How many logs sit directly below this one.</summary>
    public int ChildCount { get; internal set; }

    /// <inheritdoc />
    public override string ToString() => Prefix + Id;
}

/// <summary>Arranges a session's logs as the tree their parent references describe.</summary>
public static class SessionTree
{
    private const string Branch = "├─ ";
    private const string LastBranch = "└─ ";
    private const string Trunk = "│  ";
    private const string Gap = "   ";

    /// <summary>
    /// The logs in tree order, depth first. A log's parent is the log named by its <c>parent_id</c>, or else the
    /// one whose <c>reference_id</c> its <c>parent_reference_id</c> names; a log whose parent is not among
    /// <paramref name="logs"/> is a root. Siblings, and roots, are ordered by creation time. Parent references
    /// that form a loop cannot all hold: the earliest log of the loop becomes a root.
    /// </summary>
    /// <param name="logs">The session's logs, in any order; a repeated id counts once.</param>
    public static IReadOnlyList<SessionLogNode> Arrange(IEnumerable<Log> logs)
    {
        if (logs is null)
        {
            throw new ArgumentNullException(nameof(logs));
        }

        // Creation time first, then the order given, so equal times keep a stable order.
        var ordered = logs
            .Where(log => log?.Id is not null)
            .GroupBy(log => log.Id!, StringComparer.Ordinal)
            .Select(group => group.First())
            .Select((log, index) => (log, index))
            .OrderBy(item => item.log.CreatedAt ?? DateTimeOffset.MaxValue)
            .ThenBy(item => item.index)
            .Select(item => item.log)
            .ToList();

        var byId = ordered.ToDictionary(log => log.Id!, StringComparer.Ordinal);
        var byReference = new Dictionary<string, Log>(StringComparer.Ordinal);
        foreach (var log in ordered.Where(log => log.ReferenceId is not null))
        {
            byReference.TryAdd(log.ReferenceId!, log);
        }

        var children = ordered.ToDictionary(log => log.Id!, _ => new List<Log>(), StringComparer.Ordinal);
        var roots = new List<Log>();
        foreach (var log in ordered)
        {
            if (ParentOf(log, byId, byReference) is { } parent)
            {
                children[parent.Id!].Add(log);
            }
            else
            {
                roots.Add(log);
            }
        }

        var nodes = new List<SessionLogNode>(ordered.Count);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var root in roots)
        {
            Place(root, 0, string.Empty, true, null, children, placed, nodes);
        }

        // Only logs on a loop of parent references, or below one, are left: each loop is broken at its earliest log.
        var position = ordered.Select((log, index) => (log.Id!, index)).ToDictionary(item => item.Item1, item => item.index, StringComparer.Ordinal);
        foreach (var log in ordered)
        {
            if (!placed.Contains(log.Id!))
            {
                var root = EarliestOnLoopAbove(log, byId, byReference, position);
                Place(root, 0, string.Empty, true, null, children, placed, nodes);
            }
        }

        return nodes;
    }

    private static Log? ParentOf(Log log, Dictionary<string, Log> byId, Dictionary<string, Log> byReference)
    {
        if (log.ParentId is not null && byId.TryGetValue(log.ParentId, out var parent) && !ReferenceEquals(parent, log))
        {
            return parent;
        }

        if (log.ParentReferenceId is not null && byReference.TryGetValue(log.ParentReferenceId, out parent) && !ReferenceEquals(parent, log))
        {
            return parent;
        }

        return null;
    }

    private static Log EarliestOnLoopAbove(Log log, Dictionary<string, Log> byId, Dictionary<string, Log> byReference, Dictionary<string, int> position)
    {
        var path = new List<Log>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var current = log;
        while (seen.Add(current.Id!))
        {
            path.Add(current);
            current = ParentOf(current, byId, byReference)!;
        }

        // Unplaced logs always have a parent (roots were placed), so the walk ends where it meets itself.
        return path.Skip(path.FindIndex(item => ReferenceEquals(item, current))).OrderBy(item => position[item.Id!]).First();
    }

    private static void Place(Log log, int depth, string indent, bool last, string? parentId, Dictionary<string, List<Log>> children, HashSet<string> placed, List<SessionLogNode> nodes)
    {
        placed.Add(log.Id!);
        var prefix = depth == 0 ? string.Empty : indent + (last ? LastBranch : Branch);
        var node = new SessionLogNode(log, depth, prefix, parentId);
        nodes.Add(node);

        var below = children[log.Id!].Where(child => !placed.Contains(child.Id!)).ToList();
        node.ChildCount = below.Count;
        var childIndent = depth == 0 ? string.Empty : indent + (last ? Gap : Trunk);
        for (var i = 0; i < below.Count; i++)
        {
            Place(below[i], depth + 1, childIndent, i == below.Count - 1, log.Id, children, placed, nodes);
        }
    }
}
