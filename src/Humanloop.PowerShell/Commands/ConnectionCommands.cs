using System;
using System.Management.Automation;
using System.Security;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>Connect-Humanloop: remembers a key and base URI for this runspace.</summary>
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

/// <summary>Disconnect-Humanloop: forgets this runspace's connection.</summary>
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

/// <summary>Get-HumanloopContext: shows which base URI and (masked) key calls would use, and why.</summary>
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
