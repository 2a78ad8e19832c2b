using System;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>What <c>Connect-Humanloop</c> remembered for one runspace.</summary>
internal sealed class HumanloopConnection(HumanloopApiKey apiKey, Uri? baseUri)
{
    public HumanloopApiKey ApiKey { get; } = apiKey;

    public Uri? BaseUri { get; } = baseUri;
}

/// <summary>
/// Connections keyed by runspace, so that runbook jobs and <c>ForEach-Object -Parallel</c> each keep
/// their own; a runspace that goes away takes its connection with it.
/// </summary>
internal static class ConnectionStore
{
    private static readonly ConditionalWeakTable<Runspace, HumanloopConnection> Connections = new();
    private static readonly object Gate = new();

    public static HumanloopConnection? Current
    {
        get
        {
            var runspace = Runspace.DefaultRunspace;
            return runspace is not null && Connections.TryGetValue(runspace, out var connection) ? connection : null;
        }
    }

    public static void Set(HumanloopConnection connection)
    {
        var runspace = Runspace.DefaultRunspace ?? throw new InvalidOperationException("There is no runspace to connect.");
        lock (Gate)
        {
            Connections.Remove(runspace);
            Connections.Add(runspace, connection);
        }
    }

    public static bool Remove()
    {
        var runspace = Runspace.DefaultRunspace;
        if (runspace is null)
        {
            return false;
        }

        lock (Gate)
        {
            return Connections.Remove(runspace);
        }
    }
}
