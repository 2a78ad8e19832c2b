using System;
using System.Management.Automation;
using System.Security;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// The base of every cmdlet that calls the API: the per-call connection parameters, the resolution of
/// key and base URI, one client per invocation, diagnostics routed to the verbose, debug and warning
/// streams, and failures turned into error records.
/// </summary>
public abstract class HumanloopCmdlet : AsyncCmdlet
{
    private HumanloopClient? _client;
    private HumanloopSettings? _settings;

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

    /// <summary>The client for this invocation, created on first use (on the pipeline thread).</summary>
    protected HumanloopClient Client => _client ??= CreateClient();

    /// <summary>The key this invocation uses, for scrubbing text that is shown to the user.</summary>
    protected HumanloopApiKey? ApiKeyInUse => _settings?.ApiKey.Value;

    /// <summary>The settings this call's own parameters ask for; derived cmdlets add theirs.</summary>
    internal virtual CallSettings DescribeCall() => new()
    {
        ApiKey = ApiKey,
        BaseUri = BaseUri,
        MaxRetries = Bound(nameof(MaxRetries)) ? MaxRetries : null,
        TimeoutSec = Bound(nameof(TimeoutSec)) ? TimeoutSec : null,
        AllowUnencryptedAuthentication = Bound(nameof(AllowUnencryptedAuthentication)) ? AllowUnencryptedAuthentication.IsPresent : null,
    };

    /// <summary>True when the user gave <paramref name="parameterName"/> on this call.</summary>
    protected bool Bound(string parameterName) => MyInvocation.BoundParameters.ContainsKey(parameterName);

    private HumanloopClient CreateClient()
    {
        try
        {
            _settings = ConnectionStore.ResolveSettings(DescribeCall().ToLayer(), ConnectionStore.Current);
            _settings.RequireApiKey();
            var logger = new StreamLogger(this, IsEnabled("Verbose", "VerbosePreference"), IsEnabled("Debug", "DebugPreference"));
            var client = new HumanloopClient(_settings.ToOptions(logger, "Humanloop.PowerShell"));
            var key = _settings.ApiKey.Value is { } apiKey ? $"key {apiKey.Masked} ({_settings.ApiKey.Source})" : "no key";
            var recording = _settings.Recording.Value is { } active ? $"; fixture {active.FixturePath} in {active.Mode} mode" : string.Empty;
            WriteVerbose($"Using {_settings.BaseUri.Value} ({_settings.BaseUri.Source}) with {key}, {_settings.MaxRetries.Value} retries ({_settings.MaxRetries.Source}){recording}.");
            return client;
        }
        catch (HumanloopSettingException exception)
        {
            ThrowTerminatingError(ErrorRecords.FromSetting(exception, BaseUri, SettingContext.Call));
            throw;
        }
    }

    /// <summary>Writes <paramref name="exception"/> as a non-terminating error about <paramref name="target"/>.</summary>
    protected void EmitFailure(Exception exception, object? target) =>
        EmitError(ErrorRecords.From(exception, target, ApiKeyInUse));

    private bool IsEnabled(string switchName, string preferenceVariable)
    {
        if (MyInvocation.BoundParameters.TryGetValue(switchName, out var bound) && bound is SwitchParameter flag)
        {
            return flag.IsPresent;
        }

        var preference = GetVariableValue(preferenceVariable);
        var value = preference is PSObject wrapped ? wrapped.BaseObject : preference;
        return value is ActionPreference action
            ? action != ActionPreference.SilentlyContinue && action != ActionPreference.Ignore
            : value is not null && !string.Equals(value.ToString(), nameof(ActionPreference.SilentlyContinue), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Sends the client's diagnostics to this cmdlet's streams, from whichever thread they come.</summary>
    private sealed class StreamLogger(HumanloopCmdlet cmdlet, bool verbose, bool debug) : IHumanloopLogger
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
