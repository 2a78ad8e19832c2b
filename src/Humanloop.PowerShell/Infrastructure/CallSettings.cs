using System;
using System.Management.Automation;
using System.Security;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// The settings a cmdlet's own parameters give, in PowerShell's terms (seconds, switches, a
/// PSCredential); null means "not given". Gathering only: the core resolves and checks them.
/// </summary>
internal sealed record CallSettings
{
    public SecureString? ApiKey { get; init; }

    public Uri? BaseUri { get; init; }

    public int? MaxRetries { get; init; }

    public int? TimeoutSec { get; init; }

    public int? StreamIdleTimeoutSec { get; init; }

    public int? StreamTimeoutSec { get; init; }

    public Uri? Proxy { get; init; }

    public PSCredential? ProxyCredential { get; init; }

    public bool? AllowUnencryptedAuthentication { get; init; }

    /// <summary>The same settings as one layer of the core's resolution.</summary>
    public HumanloopSettingsLayer ToLayer() => new()
    {
        ApiKey = ApiKey,
        BaseUri = BaseUri,
        MaxRetries = MaxRetries,
        Timeout = Seconds(TimeoutSec),
        StreamIdleTimeout = Seconds(StreamIdleTimeoutSec),
        StreamTimeout = Seconds(StreamTimeoutSec),
        Proxy = Proxy,
        ProxyCredential = ProxyCredential?.GetNetworkCredential(),
        AllowUnencryptedAuthentication = AllowUnencryptedAuthentication,
    };

    private static TimeSpan? Seconds(int? value) => value is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
}
