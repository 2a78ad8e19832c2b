using System;
using System.Management.Automation;
using System.Security;
using System.Threading;
using System.Threading.Tasks;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// The base of every cmdlet that calls the API, and its one execution template: the per-call connection
/// parameters, the resolution of key and base URI, one client per invocation, one call per input whose
/// failure is reported about that input (<see cref="RunForInput"/>), the ShouldProcess rule, the checks of
/// conflicting parameters, and diagnostics routed to the verbose, debug and warning streams.
/// </summary>
public abstract class HumanloopCmdlet : RunspaceClientCmdlet
{

    /// <summary>The API key for this call; overrides the connection and $env:HUMANLOOP_API_KEY.</summary>
    [Parameter]
    [ApiKeyTransformation]
    public SecureString? ApiKey { get; set; }

    /// <summary>The API root for this call; overrides the connection and $env:HUMANLOOP_BASE_URL.</summary>
    [Parameter]
    public Uri? BaseUri { get; set; }

    /// <summary>Retries after the first attempt for transient failures (0–10); overrides the connection and $env:HUMANLOOP_MAX_RETRIES (default 2).</summary>
    [Parameter]
    [ValidateRange(0, 10)]
    public int MaxRetries { get; set; }

    /// <summary>Seconds one attempt may take (for streams: until the response starts); overrides the connection (default 300).</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSec { get; set; }

    /// <summary>Allows an http:// base URI on another host, where the key would travel unencrypted.</summary>
    [Parameter]
    public SwitchParameter AllowUnencryptedAuthentication { get; set; }

    /// <summary>
    /// The connection to use instead of this runspace's: what <c>Connect-Humanloop -PassThru</c> wrote, also in
    /// another runspace of the process (<c>-Connection $using:conn</c> in <c>ForEach-Object -Parallel</c> or
    /// <c>Start-ThreadJob</c>). -ApiKey, -BaseUri and the other parameters of the call still override it.
    /// </summary>
    [Parameter]
    [ValidateNotNull]
    [ConnectionTransformation]
    public HumanloopContext? Connection { get; set; }

    /// <summary>-Connection when given (its connection, or none for a context without one), else the runspace's.</summary>
    internal override HumanloopSettingsLayer? ConnectionInUse => Connection is { } given ? given.Connection : base.ConnectionInUse;

    /// <summary>The settings this call's own parameters ask for; derived cmdlets add theirs.</summary>
    internal override CallSettings DescribeCall() => new()
    {
        ApiKey = ApiKey,
        BaseUri = BaseUri,
        MaxRetries = Bound(nameof(MaxRetries)) ? MaxRetries : null,
        TimeoutSec = Bound(nameof(TimeoutSec)) ? TimeoutSec : null,
        AllowUnencryptedAuthentication = Bound(nameof(AllowUnencryptedAuthentication)) ? AllowUnencryptedAuthentication.IsPresent : null,
    };

    /// <summary>
    /// Runs the work for one input on this invocation's client, writing what it emits as it arrives. What
    /// goes wrong for that input (an API or stream failure, input the client cannot send, a name the
    /// server does not know) is written as a non-terminating error about <paramref name="target"/>, and the
    /// next input still runs; anything else is a defect and ends the command. True when the work completed.
    /// </summary>
    protected bool RunForInput(object? target, Func<HumanloopClient, CancellationToken, Task> work)
    {
        var client = Client;
        var completed = false;
        RunAsync(async cancellationToken =>
        {
            try
            {
                await work(client, cancellationToken).ConfigureAwait(false);
                completed = true;
            }
            catch (Exception exception) when (ErrorForInput(exception, target) is { } error)
            {
                EmitError(error);
            }
        });
        return completed;
    }

    /// <summary>
    /// The one per-input failure policy: what goes wrong for one input (an API or stream failure, input the
    /// client cannot send, a name the server does not know) as an error record about <paramref name="target"/>;
    /// null for anything else, which no input explains and which ends the command.
    /// </summary>
    internal ErrorRecord? ErrorForInput(Exception exception, object? target) => exception switch
    {
        NameNotFoundException notFound => ErrorRecords.NotFound(notFound.ErrorId, notFound.Message, target),
        HumanloopException or ArgumentException => WithHostedNote(ErrorRecords.From(exception, target, ApiKeyInUse), exception),
        _ => null,
    };

    /// <summary>A failure to reach the closed hosted service says so, and how to use the local server instead.</summary>
    private ErrorRecord WithHostedNote(ErrorRecord record, Exception exception)
    {
        if (exception is HumanloopConnectionException or HumanloopTimeoutException && HostedService.IsHosted(BaseUriInUse) && record.ErrorDetails is { } details)
        {
            record.ErrorDetails = new ErrorDetails($"{details.Message} {HostedService.Note}") { RecommendedAction = HostedService.Note };
        }

        return record;
    }

    /// <summary>
    /// ShouldProcess with the -Force rule of the Remove cmdlets: -Force skips the confirmation prompt, but
    /// -WhatIf still only describes, and an explicit -Confirm still asks.
    /// </summary>
    protected bool ShouldProcessUnlessForced(bool force, string target, string action)
    {
        if (force && !WhatIfAsked && ConfirmGiven != true)
        {
            WriteVerbose($"Performing the operation \"{action}\" on target \"{target}\" (-Force: not confirmed).");
            return true;
        }

        return ShouldProcess(target, action);
    }

    /// <summary>Whether ShouldProcess only describes: -WhatIf, or $WhatIfPreference when it is not given.</summary>
    private protected bool WhatIfAsked => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var whatIf)
        ? ((SwitchParameter)whatIf).IsPresent
        : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

    /// <summary>-Confirm as given (true for -Confirm, false for -Confirm:$false); null when it was not.</summary>
    private protected bool? ConfirmGiven => MyInvocation.BoundParameters.TryGetValue("Confirm", out var confirm) ? ((SwitchParameter)confirm).IsPresent : null;

    /// <summary>Stops the command when both <paramref name="first"/> and <paramref name="second"/> were given.</summary>
    protected void RejectBoth(string first, string second)
    {
        if (Bound(first) && Bound(second))
        {
            ThrowTerminatingError(ErrorRecords.InvalidArgument("Humanloop.Input.ConflictingParameters", $"Use -{first} or -{second}, not both.", null));
        }
    }

    /// <summary>Stops the command: the parameters given cannot work together (or one that is needed is missing).</summary>
    protected void ThrowInvalidParameters(string message) => ThrowTerminatingError(ErrorRecords.InvalidParameters(message));
}

/// <summary>
/// A cmdlet that may call the API through the runspace's connection (Connect-Humanloop, the environment),
/// with the per-call settings a derived cmdlet describes; none by default. The checks' assertions use it
/// as it is: only a check graded by a model needs the client, and they take no connection parameters.
/// </summary>
public abstract class RunspaceClientCmdlet : AsyncCmdlet
{
    private HumanloopClient? _client;
    private HumanloopSettings? _settings;

    /// <summary>The client for this invocation, created on first use (on the pipeline thread).</summary>
    protected HumanloopClient Client => _client ??= CreateClient();

    /// <summary>The key this invocation uses, for scrubbing text that is shown to the user.</summary>
    protected HumanloopApiKey? ApiKeyInUse => _settings?.ApiKey.Value;

    /// <summary>The base URI this invocation's client sends to; null before the client is made.</summary>
    protected Uri? BaseUriInUse => _settings?.BaseUri.Value;

    /// <summary>The settings this call's own parameters ask for: none here; derived cmdlets add theirs.</summary>
    internal virtual CallSettings DescribeCall() => new();

    /// <summary>The connection this invocation's calls use: the runspace's here.</summary>
    internal virtual HumanloopSettingsLayer? ConnectionInUse => ConnectionStore.Current;

    /// <summary>The throttle of a batch whose requests this invocation's client sends; none here.</summary>
    internal virtual AdaptiveThrottle? ClientThrottle => null;

    /// <summary>True when the user gave <paramref name="parameterName"/> on this call.</summary>
    protected bool Bound(string parameterName) => MyInvocation.BoundParameters.ContainsKey(parameterName);

    private HumanloopClient CreateClient()
    {
        try
        {
            _settings = ConnectionStore.ResolveSettings(DescribeCall().ToLayer(), ConnectionInUse);
            _settings.RequireApiKey();
            var logger = new StreamLogger(this, IsEnabled("Verbose", "VerbosePreference"), IsEnabled("Debug", "DebugPreference"));
            var options = _settings.ToOptions(logger, "Humanloop.PowerShell");
            options.Throttle = ClientThrottle;
            var client = new HumanloopClient(options);
            var key = _settings.ApiKey.Value is { } apiKey ? $"key {apiKey.Masked} ({_settings.ApiKey.Source})" : "no key";
            var recording = _settings.Recording.Value is { } active ? $"; fixture {active.FixturePath} in {active.Mode} mode" : string.Empty;
            WriteVerbose($"Using {_settings.BaseUri.Value} ({_settings.BaseUri.Source}) with {key}, {_settings.MaxRetries.Value} retries ({_settings.MaxRetries.Source}){recording}.");
            return client;
        }
        catch (HumanloopSettingException exception)
        {
            ThrowTerminatingError(ErrorRecords.FromSetting(exception, DescribeCall().BaseUri, SettingContext.Call));
            throw;
        }
    }

    private bool IsEnabled(string switchName, string preferenceVariable)
    {
        if (MyInvocation.BoundParameters.TryGetValue(switchName, out var bound) && bound is SwitchParameter flag)
        {
            return flag.IsPresent;
        }

        var preference = GetVariableValue(preferenceVariable);
        var value = PowerShellValues.Unwrap(preference);
        return value is ActionPreference action
            ? action != ActionPreference.SilentlyContinue && action != ActionPreference.Ignore
            : value is not null && !string.Equals(value.ToString(), nameof(ActionPreference.SilentlyContinue), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Sends the client's diagnostics to this cmdlet's streams, from whichever thread they come.</summary>
    private sealed class StreamLogger(RunspaceClientCmdlet cmdlet, bool verbose, bool debug) : IHumanloopLogger
    {
        public bool IsEnabled(HumanloopLogLevel level) => level switch
        {
            HumanloopLogLevel.Debug => debug,
            HumanloopLogLevel.Verbose => verbose,
            _ => true,
        };

        public void Log(HumanloopLogLevel level, string message)
        {
            switch (level)
            {
                case HumanloopLogLevel.Debug:
                    cmdlet.EmitDebug(message);
                    break;
                case HumanloopLogLevel.Verbose:
                    cmdlet.EmitVerbose(message);
                    break;
                default:
                    cmdlet.EmitWarning(message);
                    break;
            }
        }
    }
}

/// <summary>A name (of an environment, say) that the server does not know; reported like a 404, as ObjectNotFound.</summary>
internal sealed class NameNotFoundException(string errorId, string message) : Exception(message)
{
    public string ErrorId { get; } = errorId;
}
