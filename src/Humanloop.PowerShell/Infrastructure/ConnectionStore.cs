using System;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// Connections and recordings keyed by runspace, so that runbook jobs and <c>ForEach-Object -Parallel</c>
/// each keep their own; a runspace that goes away takes them with it.
/// </summary>
internal static class ConnectionStore
{
    private static readonly RunspaceSlot<HumanloopSettingsLayer> Connections = new();
    private static readonly RunspaceSlot<RecordingTransport> Recordings = new();
    private static readonly RunspaceSlot<Grading.GraderSettings> Graders = new();
    private static readonly RunspaceSlot<Resolution> LastResolution = new();
    private static readonly HumanloopSettingsLayer NoCallSettings = new();

    /// <summary>What <c>Connect-Humanloop</c> gave in this runspace; null when it was not run.</summary>
    public static HumanloopSettingsLayer? Current => Connections.Get();

    public static void Set(HumanloopSettingsLayer connection) => Connections.Set(connection, "There is no runspace to connect.");

    /// <summary>
    /// The settings a call with <paramref name="call"/> uses in this runspace: its connection (or
    /// <paramref name="connection"/> in its place, leaving the runspace's alone), its recording, the
    /// process environment and the defaults.
    /// </summary>
    /// <exception cref="HumanloopSettingException">A setting cannot be used.</exception>
    public static HumanloopSettings ResolveSettings(HumanloopSettingsLayer call, HumanloopSettingsLayer? connection)
    {
        var recording = Recording;
        // The environment is read on every call, since a script may change it between two; what it gives is
        // compared with the last resolution's.
        var apiKey = Environment.GetEnvironmentVariable(HumanloopSettings.ApiKeyVariable);
        var baseUrl = Environment.GetEnvironmentVariable(HumanloopSettings.BaseUrlVariable);
        var maxRetries = Environment.GetEnvironmentVariable(HumanloopSettings.MaxRetriesVariable);

        // A call without settings of its own (the usual one) resolves as the last such call did while the
        // connection, the recording and the environment stay the same: resolving decrypts the key and
        // parses the base URI, a good part of what a cmdlet adds to a call.
        var plain = call == NoCallSettings;
        if (plain && LastResolution.Get() is { } last && last.Matches(connection, recording, apiKey, baseUrl, maxRetries))
        {
            return last.Settings;
        }

        var withRecording = recording is null ? connection : (connection ?? new HumanloopSettingsLayer()) with { Recording = recording };
        var settings = HumanloopSettings.Resolve(call, withRecording, name => name switch
        {
            HumanloopSettings.ApiKeyVariable => apiKey,
            HumanloopSettings.BaseUrlVariable => baseUrl,
            HumanloopSettings.MaxRetriesVariable => maxRetries,
            _ => Environment.GetEnvironmentVariable(name),
        });
        if (plain)
        {
            LastResolution.Set(new Resolution(connection, recording, apiKey, baseUrl, maxRetries, settings), "There is no runspace to resolve settings in.");
        }

        return settings;
    }

    /// <summary>What Get-HumanloopContext shows: the settings a call without parameters would use here.</summary>
    /// <exception cref="HumanloopSettingException">A setting cannot be used.</exception>
    public static HumanloopContext Context() => Context(Current);

    /// <summary>The context of <paramref name="connection"/> in this runspace; <paramref name="projectCount"/> when a check counted them.</summary>
    /// <exception cref="HumanloopSettingException">A setting cannot be used.</exception>
    public static HumanloopContext Context(HumanloopSettingsLayer? connection, int? projectCount = null) =>
        new(ResolveSettings(new HumanloopSettingsLayer(), connection), connection is not null, connection, projectCount);

    public static bool Remove() => Connections.Remove() is not null;

    /// <summary>The recording the calls of this runspace go through, if one was started.</summary>
    public static RecordingTransport? Recording => Recordings.Get();

    /// <summary>Makes <paramref name="recording"/> this runspace's recording; returns the one it replaces.</summary>
    public static RecordingTransport? SetRecording(RecordingTransport recording) => Recordings.Set(recording, "There is no runspace to record in.");

    /// <summary>Ends this runspace's recording; returns it, or null when there was none.</summary>
    public static RecordingTransport? RemoveRecording() => Recordings.Remove();

    /// <summary>One value per runspace.</summary>
    /// <summary>The runspace's grader for model-graded checks (Set-HumanloopGrader); null when none was set.</summary>
    public static Grading.GraderSettings? Grader => Graders.Get();

    /// <summary>Sets the runspace's grader.</summary>
    public static void SetGrader(Grading.GraderSettings grader) => Graders.Set(grader, "There is no runspace to set a grader in.");

    /// <summary>Forgets the runspace's grader; true when there was one.</summary>
    public static bool RemoveGrader() => Graders.Remove() is not null;

    /// <summary>
    /// What one resolution was made from, and its result. The connection and the recording are compared by
    /// reference: each is replaced, never changed, and the connection's key is a read-only copy.
    /// </summary>
    private sealed class Resolution(HumanloopSettingsLayer? connection, RecordingTransport? recording, string? apiKey, string? baseUrl, string? maxRetries, HumanloopSettings settings)
    {
        public HumanloopSettings Settings { get; } = settings;

        public bool Matches(HumanloopSettingsLayer? otherConnection, RecordingTransport? otherRecording, string? otherApiKey, string? otherBaseUrl, string? otherMaxRetries) =>
            ReferenceEquals(connection, otherConnection)
            && ReferenceEquals(recording, otherRecording)
            && string.Equals(apiKey, otherApiKey, StringComparison.Ordinal)
            && string.Equals(baseUrl, otherBaseUrl, StringComparison.Ordinal)
            && string.Equals(maxRetries, otherMaxRetries, StringComparison.Ordinal);
    }

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
