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
/// Connections and recordings keyed by runspace, so that runbook jobs and <c>ForEach-Object -Parallel</c>
/// each keep their own; a runspace that goes away takes them with it.
/// </summary>
internal static class ConnectionStore
{
    private static readonly RunspaceSlot<HumanloopConnection> Connections = new();
    private static readonly RunspaceSlot<RecordingTransport> Recordings = new();

    public static HumanloopConnection? Current => Connections.Get();

    public static void Set(HumanloopConnection connection) => Connections.Set(connection, "There is no runspace to connect.");

    public static bool Remove() => Connections.Remove() is not null;

    /// <summary>The recording the calls of this runspace go through, if one was started.</summary>
    public static RecordingTransport? Recording => Recordings.Get();

    /// <summary>Makes <paramref name="recording"/> this runspace's recording; returns the one it replaces.</summary>
    public static RecordingTransport? SetRecording(RecordingTransport recording) => Recordings.Set(recording, "There is no runspace to record in.");

    /// <summary>Ends this runspace's recording; returns it, or null when there was none.</summary>
    public static RecordingTransport? RemoveRecording() => Recordings.Remove();

    /// <summary>One value per runspace.</summary>
    private sealed class RunspaceSlot<T>
        where T : class
    {
        private readonly ConditionalWeakTable<Runspace, T> _values = new();
        private readonly object _gate = new();

        public T? Get()
        {
            var runspace = Runspace.DefaultRunspace;
            return runspace is not null && _values.TryGetValue(runspace, out var value) ? value : null;
        }

        public T? Set(T value, string noRunspaceMessage)
        {
            var runspace = Runspace.DefaultRunspace ?? throw new InvalidOperationException(noRunspaceMessage);
            lock (_gate)
            {
                _values.TryGetValue(runspace, out var previous);
                _values.Remove(runspace);
                _values.Add(runspace, value);
                return previous;
            }
        }

        public T? Remove()
        {
            var runspace = Runspace.DefaultRunspace;
            if (runspace is null)
            {
                return null;
            }

            lock (_gate)
            {
                return _values.TryGetValue(runspace, out var previous) && _values.Remove(runspace) ? previous : null;
            }
        }
    }
}
