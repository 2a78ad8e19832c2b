using System;
using System.Management.Automation;
using System.Security;
using System.Threading;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>Remembers an API key and base URI for the Humanloop cmdlets in this runspace.</summary>
/// <remarks>
/// <para>Later calls in the same runspace use this key and base URI unless they pass -ApiKey or -BaseUri.
/// Without Connect-Humanloop, calls read $env:HUMANLOOP_API_KEY and $env:HUMANLOOP_BASE_URL, and the
/// base URI defaults to https://api.humanloop.com/v4, Humanloop's hosted service, which closed in 2025: a
/// connection to it is made without a check and warns how to start and use the local server instead.</para>
/// <para>Connect-Humanloop checks the endpoint and the key with one call (GET /projects?size=1, without
/// retries) and says what it connected to: the base URI, the key masked and the number of projects, in the
/// information stream (tag Humanloop.Connection), shown at an interactive prompt as Write-Host text would be. A failed check is a terminating
/// error (a refused key gives the server's 401; an unreachable server names the URI) and the runspace keeps
/// the connection it had. -SkipCheck connects without the call; nothing is checked either when a recording
/// is in effect, so that the check is neither recorded nor needed in a fixture.</para>
/// <para>The connection belongs to the runspace: ForEach-Object -Parallel, jobs and runbook workers do not
/// see it. -PassThru writes it, and every cmdlet takes it as -Connection, also in another runspace of the
/// process (-Connection $using:conn in ForEach-Object -Parallel or Start-ThreadJob). Start-Job runs in
/// another process and gets a copy without the key: connect inside the job, or use the environment
/// variables. A plain-text key is turned into a SecureString at once; the key is only ever shown masked.</para>
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
/// <code>$conn = Connect-Humanloop -ApiKey $key -BaseUri http://127.0.0.1:5080/v4 -PassThru
/// Get-HumanloopProject | ForEach-Object -Parallel { Get-HumanloopExperiment -ProjectId $_.Id -Connection $using:conn }</code>
/// <para>Passes the connection into parallel runspaces, which do not share this one's.</para>
/// </example>
/// <example>
/// <code>Connect-Humanloop -ApiKey $key -BaseUri http://127.0.0.1:5080/v4 -SkipCheck</code>
/// <para>Connects without calling the server, for offline use or a server that is still starting.</para>
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
public sealed class ConnectHumanloopCommand : PSCmdlet, IDisposable
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

    /// <summary>Writes the connection: its context, which every cmdlet also takes as -Connection (in this runspace or another).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Connects without the check call (GET /projects?size=1), for offline use or a server that is not up yet.</summary>
    [Parameter]
    public SwitchParameter SkipCheck { get; set; }

    private readonly CancellationTokenSource _stopping = new();
    private HumanloopSettings? _checked;

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

            // The check sends one request, so it is left out where nothing should be sent: a recording (which
            // would keep it, or has no answer for it), or the closed hosted service (which cannot answer).
            var hosted = HostedService.IsHosted(settings.BaseUri.Value);
            var recorded = recordingMode is not null || settings.Recording.Value is not null;
            int? projectCount = SkipCheck || hosted || recorded ? null : Check(settings);

            if (recordingMode is { } mode)
            {
                RecordingSessions.Start(this, recordingPath!, new RecordingOptions { Mode = mode }, connection);
            }

            ConnectionStore.Set(connection);
            context = ConnectionStore.Context(connection, projectCount);
            if (hosted)
            {
                WriteWarning($"Connected to {context.BaseUri} without checking it. {HostedService.Note}");
            }
        }
        catch (HumanloopException exception) when (exception is not HumanloopRecordingException && _checked is not null)
        {
            ThrowTerminatingError(CheckFailed(exception));
            return;
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

        var key = context.ApiKey is null ? "no key" : $"key {context.ApiKey}";
        var checkedText = context.ProjectCount is { } count
            ? $"{count} project{(count == 1 ? string.Empty : "s")}"
            : SkipCheck ? "not checked (-SkipCheck)" : "not checked";
        // At a prompt it is shown as Write-Host shows its text; in a script, a CI log or a runbook it stays in the
        // information stream (6>, -InformationAction Continue), so that the script's output is its own.
        var said = $"Connected to {context.BaseUri} with {key}: {checkedText}.";
        if (Interactivity.IsInteractive(System.Environment.GetEnvironmentVariable, Console.IsOutputRedirected, System.Environment.GetCommandLineArgs()))
        {
            WriteInformation(new HostInformationMessage { Message = said }, ["PSHOST", "Humanloop.Connection"]);
        }
        else
        {
            WriteInformation(said, ["Humanloop.Connection"]);
        }
        if (PassThru)
        {
            WriteObject(context);
        }
    }

    /// <inheritdoc />
    protected override void StopProcessing() => _stopping.Cancel();

    /// <inheritdoc />
    public void Dispose() => _stopping.Dispose();

    /// <summary>Sends the one check call, without retries; returns how many projects the server holds.</summary>
    private int Check(HumanloopSettings settings)
    {
        _checked = settings;
        var options = settings.ToOptions(null, "Humanloop.PowerShell");
        options.MaxRetries = 0;
        var client = new HumanloopClient(options);
        WriteVerbose($"Checking {settings.BaseUri.Value} with GET projects?page=0&size=1.");
        try
        {
            return client.ListProjectsAsync(0, 1, cancellationToken: _stopping.Token).GetAwaiter().GetResult().Total;
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>
    /// The terminating error of a failed check, naming the URI (and the masked key when it was refused); the
    /// runspace keeps the connection it had.
    /// </summary>
    private ErrorRecord CheckFailed(HumanloopException exception)
    {
        var record = ErrorRecords.From(exception, BaseUri, null);
        var settings = _checked!;
        var uri = settings.BaseUri.Value;
        var detail = record.ErrorDetails?.Message is { Length: > 0 } text ? text : exception.Message;
        var message = exception switch
        {
            HumanloopApiException { StatusCode: System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden } api =>
                $"Connect-Humanloop: {uri} refused the key {settings.ApiKey.Value?.Masked ?? "(none)"} ({(int)api.StatusCode}): {detail} Check the key, or pass -SkipCheck to connect without checking.",
            _ => $"Connect-Humanloop could not check {uri}: {detail} Start the server or correct -BaseUri; -SkipCheck connects without checking.",
        };
        return new ErrorRecord(new InvalidOperationException(message, exception), record.FullyQualifiedErrorId, record.CategoryInfo.Category, uri)
        {
            ErrorDetails = new ErrorDetails(message) { RecommendedAction = record.ErrorDetails?.RecommendedAction },
        };
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
