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
/// </remarks>
/// <example>
/// <code>Connect-Humanloop -ApiKey (Read-Host -AsSecureString 'Humanloop key') -BaseUri http://127.0.0.1:5080/v4</code>
/// <para>Connects this session to a local server, prompting for the key without echoing it.</para>
/// </example>
/// <example>
/// <code>$env:HUMANLOOP_API_KEY = Get-AutomationVariable -Name HumanloopKey
/// Connect-Humanloop -PassThru</code>
/// <para>In a runbook: takes the key from the environment and shows the resulting context.</para>
/// </example>
[Cmdlet(VerbsCommunications.Connect, "Humanloop")]
[OutputType(typeof(HumanloopContext))]
public sealed class ConnectHumanloopCommand : PSCmdlet
{
    /// <summary>The API key; when omitted, $env:HUMANLOOP_API_KEY is read now.</summary>
    [Parameter(Position = 0)]
    [ApiKeyTransformation]
    public SecureString? ApiKey { get; set; }

    /// <summary>The API root, for example http://127.0.0.1:5080/v4.</summary>
    [Parameter(Position = 1)]
    public Uri? BaseUri { get; set; }

    /// <summary>Writes the resulting context.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        HumanloopApiKey apiKey;
        Uri? baseUri;
        try
        {
            apiKey = ApiKey is not null ? HumanloopApiKey.FromSecureString(ApiKey) : KeyFromEnvironment();
            baseUri = BaseUri is null ? null : ClientSettings.CheckBaseUri(BaseUri, "-BaseUri");
        }
        catch (ArgumentException exception)
        {
            ThrowTerminatingError(new ErrorRecord(exception, "Humanloop.Connection.InvalidSetting", ErrorCategory.InvalidArgument, BaseUri));
            return;
        }

        ConnectionStore.Set(new HumanloopConnection(apiKey, baseUri));
        var context = ClientSettings.Resolve(null, null).ToContext();
        WriteVerbose($"Connected this runspace to {context.BaseUri} with key {context.ApiKey}.");
        if (PassThru)
        {
            WriteObject(context);
        }
    }

    private HumanloopApiKey KeyFromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable(ClientSettings.ApiKeyVariable);
        if (string.IsNullOrWhiteSpace(value))
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException($"Connect-Humanloop needs a key: pass -ApiKey, or set the {ClientSettings.ApiKeyVariable} environment variable."),
                "Humanloop.Connection.NoApiKey",
                ErrorCategory.AuthenticationError,
                null));
        }

        return new HumanloopApiKey(value!);
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
[Cmdlet(VerbsCommunications.Disconnect, "Humanloop")]
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
[Cmdlet(VerbsCommon.Get, "HumanloopContext")]
[OutputType(typeof(HumanloopContext))]
public sealed class GetHumanloopContextCommand : PSCmdlet
{
    /// <inheritdoc />
    protected override void EndProcessing()
    {
        try
        {
            WriteObject(ClientSettings.Resolve(null, null).ToContext());
        }
        catch (ArgumentException exception)
        {
            ThrowTerminatingError(new ErrorRecord(exception, "Humanloop.Connection.InvalidSetting", ErrorCategory.InvalidArgument, null));
        }
    }
}
