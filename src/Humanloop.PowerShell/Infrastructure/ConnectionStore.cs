using System;
using System.Management.Automation.Runspaces;
using System.Net;
using System.Runtime.CompilerServices;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>What <c>Connect-Humanloop</c> remembered for one runspace; unset values fall through to the environment.</summary>
internal sealed class HumanloopConnection
{
    public HumanloopApiKey? ApiKey { get; init; }

    public Uri? BaseUri { get; init; }

    public int? MaxRetries { get; init; }

    public int? TimeoutSec { get; init; }

    public int? StreamIdleTimeoutSec { get; init; }

    public Uri? Proxy { get; init; }

    public NetworkCredential? ProxyCredential { get; init; }

    public bool AllowUnencryptedAuthentication { get; init; }
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
