using System;
using System.Management.Automation;
using System.Security;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>Remembers an API key and base URI for the Humanloop cmdlets in this runspace.</summary>
/// <remarks>
/// <para>Later calls in the same runspace use this key and base URI unless they pass -ApiKey or -BaseUri.
/// Without Connect-Humanloop, calls read $env:HUMANLOOP_API_KEY and $env:HUMANLOOP_BASE_URL, and the
/// base URI defaults to https://api.humanloop.com/v4.</para>
/// <para>The connection belongs to the runspace: ForEach-Object -Parallel, jobs and runbook workers each
/// need their own (or the environment variables). A plain-text key is turned into a SecureString at
/// once; the key is only ever shown masked. The key is not checked until the first call.</para>
/// <para>The connection can also set the retry count, the timeouts and a proxy for every call. http://
/// is accepted for this machine only, unless -AllowUnencryptedAuthentication says the network is trusted.</para>
/// <para>-RecordingPath starts a recording as Start-HumanloopRecording does; in Replay mode no key is needed.</para>
/// </remarks>
/// <example>
/// <code>Connect-Humanloop -ApiKey (Read-Host -AsSecureString 'Humanloop key') -BaseUri http://127.0.0.1:5080/v4</code>
/// <para>Connects this session to a local server, prompting for the key without echoing it.</para>
/// </example>
/// <example>
/// <code>$env:HUMANLOOP_API_KEY = Get-AutomationVariable -Name HumanloopKey
/// Connect-Humanloop -MaxRetries 5 -TimeoutSec 120 -PassThru</code>
/// <para>In a runbook: takes the key from the environment, retries more patiently, and shows the resulting context.</para>
/// </example>
/// <example>
/// <code>Connect-Humanloop -ApiKey $key -Proxy http://proxy.corp:3128 -ProxyCredential (Get-Credential)</code>
/// <para>Sends every call, streams included, through an authenticating proxy.</para>
/// </example>
/// <example>
/// <code>Connect-Humanloop -RecordingPath ./fixtures/regression.json -RecordingMode Replay</code>
/// <para>Answers every call of this runspace from a committed fixture, without a key or a network
/// (the same as Start-HumanloopRecording; Stop-HumanloopRecording ends it).</para>
/// </example>
[Cmdlet(VerbsCommunications.Connect, "Humanloop", HelpUri = HelpLinks.Cmdlets + "#connect-humanloop")]
[OutputType(typeof(HumanloopContext))]
public sealed class ConnectHumanloopCommand : PSCmdlet
{
    /// <summary>The API key; when omitted, $env:HUMANLOOP_API_KEY is read at each call.</summary>
    [Parameter(Position = 0)]
    [ApiKeyTransformation]
    public SecureString? ApiKey { get; set; }

    /// <summary>The API root, for example http://127.0.0.1:5080/v4.</summary>
    [Parameter(Position = 1)]
    public Uri? BaseUri { get; set; }

    /// <summary>Retries after the first attempt for transient failures (0–10) for calls in this runspace.</summary>
    [Parameter]
    [ValidateRange(0, 10)]
    public int MaxRetries { get; set; }

    /// <summary>Seconds one attempt may take, for calls in this runspace.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSec { get; set; }

    /// <summary>Seconds a stream may go without an event before it fails, for calls in this runspace.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int StreamIdleTimeoutSec { get; set; }

    /// <summary>A proxy for every call (streams included); without it the system and environment proxy settings apply.</summary>
    [Parameter]
    public Uri? Proxy { get; set; }

    /// <summary>Credentials for -Proxy, sent when the proxy asks for them.</summary>
    [Parameter]
    [Credential]
    public PSCredential? ProxyCredential { get; set; }

    /// <summary>Allows an http:// base URI on another host, where the key would travel unencrypted.</summary>
    [Parameter]
    public SwitchParameter AllowUnencryptedAuthentication { get; set; }

    /// <summary>A fixture file to record calls to or replay them from, as with Start-HumanloopRecording -Path.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RecordingPath { get; set; }

    /// <summary>With -RecordingPath: Replay, Record, Auto or Once; when omitted, $env:HUMANLOOP_RECORDING_MODE, else Replay.</summary>
    [Parameter]
    public RecordingMode RecordingMode { get; set; }

    /// <summary>Writes the resulting context.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        HumanloopContext context;
        try
        {
            var bound = MyInvocation.BoundParameters;
            if (bound.ContainsKey(nameof(RecordingMode)) && RecordingPath is null)
            {
                throw new ArgumentException("-RecordingMode needs -RecordingPath, the fixture to record to or replay from.");
            }

            var recordingMode = RecordingPath is null ? (RecordingMode?)null : RecordingSessions.ResolveMode(bound.ContainsKey(nameof(RecordingMode)) ? RecordingMode : null);
            var recordingPath = RecordingPath is null ? null : RecordingSessions.ResolvePath(this, RecordingPath);
            var connection = new CallSettings
            {
                // A copy: the caller may dispose its SecureString, and the connection outlives this call.
                ApiKey = ReadOnlyCopy(ApiKey),
                BaseUri = BaseUri,
                MaxRetries = bound.ContainsKey(nameof(MaxRetries)) ? MaxRetries : null,
                TimeoutSec = bound.ContainsKey(nameof(TimeoutSec)) ? TimeoutSec : null,
                StreamIdleTimeoutSec = bound.ContainsKey(nameof(StreamIdleTimeoutSec)) ? StreamIdleTimeoutSec : null,
                Proxy = Proxy,
                ProxyCredential = ProxyCredential,
                AllowUnencryptedAuthentication = AllowUnencryptedAuthentication.IsPresent ? true : null,
            }.ToLayer();

            // Resolved without being stored, so a connection that could not work is refused now, not at
            // the first call, and the one it would replace stays in place. The key is needed unless the
            // recording this starts (or the one running) replays.
            var settings = ConnectionStore.ResolveSettings(new HumanloopSettingsLayer(), connection);
            settings.RequireApiKey(recordingMode is { } requested ? RecordingTransport.EffectiveModeOf(recordingPath!, requested) : settings.Recording.Value?.EffectiveMode);

            if (recordingMode is { } mode)
            {
                RecordingSessions.Start(this, recordingPath!, new RecordingOptions { Mode = mode }, connection);
            }

            ConnectionStore.Set(connection);
            context = ConnectionStore.Context();
        }
        catch (HumanloopSettingException exception)
        {
            ThrowTerminatingError(ErrorRecords.FromSetting(exception, BaseUri, SettingContext.Connect));
            return;
        }
        catch (ArgumentException exception)
        {
            ThrowTerminatingError(ErrorRecords.Of(exception, "Humanloop.Connection.InvalidSetting", ErrorCategory.InvalidArgument, BaseUri));
            return;
        }
        catch (HumanloopRecordingException exception)
        {
            ThrowTerminatingError(ErrorRecords.Of(exception, "Humanloop.Recording.FixtureUnavailable", ErrorCategory.ReadError, RecordingPath));
            return;
        }

        WriteVerbose($"Connected this runspace to {context.BaseUri} with key {context.ApiKey}.");
        if (PassThru)
        {
            WriteObject(context);
        }
    }

    private static SecureString? ReadOnlyCopy(SecureString? value)
    {
        var copy = value?.Copy();
        copy?.MakeReadOnly();
        return copy;
    }
}

/// <summary>Forgets the connection Connect-Humanloop made in this runspace.</summary>
/// <remarks>
/// <para>Afterwards calls fall back to $env:HUMANLOOP_API_KEY and $env:HUMANLOOP_BASE_URL. Nothing is sent
/// to the server.</para>
/// </remarks>
/// <example>
/// <code>Disconnect-Humanloop</code>
/// <para>Forgets the key and base URI of this session.</para>
/// </example>
[Cmdlet(VerbsCommunications.Disconnect, "Humanloop", HelpUri = HelpLinks.Cmdlets + "#disconnect-humanloop")]
[OutputType(typeof(void))]
public sealed class DisconnectHumanloopCommand : PSCmdlet
{
    /// <inheritdoc />
    protected override void EndProcessing()
    {
        WriteVerbose(ConnectionStore.Remove() ? "Disconnected this runspace." : "This runspace was not connected.");
    }
}

/// <summary>Shows which base URI and API key the Humanloop cmdlets would use here, and where each came from.</summary>
/// <remarks>
/// <para>The key is shown masked (its last four characters at most). ApiKeySource and BaseUriSource say
/// whether a setting comes from the connection, the environment or the default, which answers "which
/// key is this runbook using?" without revealing it.</para>
/// </remarks>
/// <example>
/// <code>Get-HumanloopContext</code>
/// <para>Shows the effective base URI and masked key.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "HumanloopContext", HelpUri = HelpLinks.Cmdlets + "#get-humanloopcontext")]
[OutputType(typeof(HumanloopContext))]
public sealed class GetHumanloopContextCommand : PSCmdlet
{
    /// <inheritdoc />
    protected override void EndProcessing()
    {
        try
        {
            WriteObject(ConnectionStore.Context());
        }
        catch (HumanloopSettingException exception)
        {
            ThrowTerminatingError(ErrorRecords.FromSetting(exception, null, SettingContext.Call));
        }
    }
}
