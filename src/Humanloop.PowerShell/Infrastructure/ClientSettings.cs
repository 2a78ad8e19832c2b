using System;
using System.Globalization;
using System.Security;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>The settings a single call asks for through its own parameters; null means "not given".</summary>
internal sealed record CallSettings
{
    public SecureString? ApiKey { get; init; }

    public Uri? BaseUri { get; init; }

    public int? MaxRetries { get; init; }

    public int? TimeoutSec { get; init; }

    public int? StreamIdleTimeoutSec { get; init; }

    public int? StreamTimeoutSec { get; init; }

    public bool AllowUnencryptedAuthentication { get; init; }
}

/// <summary>
/// Decides what a call uses, each setting from the first place that has it. Key: the <c>-ApiKey</c>
/// parameter, the runspace's connection, <c>$env:HUMANLOOP_API_KEY</c>. Base URI: <c>-BaseUri</c>, the
/// connection, <c>$env:HUMANLOOP_BASE_URL</c>, the hosted default. Retries: <c>-MaxRetries</c>, the
/// connection, <c>$env:HUMANLOOP_MAX_RETRIES</c>, 2. Timeouts: the parameter, the connection, the default.
/// </summary>
internal sealed class ClientSettings
{
    public const string ApiKeyVariable = "HUMANLOOP_API_KEY";
    public const string BaseUrlVariable = "HUMANLOOP_BASE_URL";
    public const string MaxRetriesVariable = "HUMANLOOP_MAX_RETRIES";

    private static readonly HumanloopClientOptions Defaults = new();

    private ClientSettings()
    {
    }

    public HumanloopApiKey? ApiKey { get; private init; }

    public string? ApiKeySource { get; private init; }

    public Uri BaseUri { get; private init; } = HumanloopClientOptions.DefaultBaseUri;

    public string BaseUriSource { get; private init; } = SettingSource.Default;

    public int MaxRetries { get; private init; }

    public string MaxRetriesSource { get; private init; } = SettingSource.Default;

    public TimeSpan Timeout { get; private init; }

    public TimeSpan StreamIdleTimeout { get; private init; }

    public TimeSpan? StreamTimeout { get; private init; }

    public HumanloopConnection? Connection { get; private init; }

    public bool AllowUnencryptedAuthentication { get; private init; }

    /// <summary>The runspace's recording (Start-HumanloopRecording), which every call goes through; null when none is running.</summary>
    public RecordingTransport? Recording { get; private init; }

    /// <summary>True when calls are answered from a fixture and nothing is sent, so no key is needed.</summary>
    public bool ReplaysOffline => Recording?.Mode == RecordingMode.Replay;

    /// <exception cref="ArgumentException">A parameter or environment variable holds a value that cannot be used.</exception>
    public static ClientSettings Resolve(CallSettings call) => Resolve(call, ConnectionStore.Current);

    /// <summary>The settings with <paramref name="connection"/> in place of the runspace's, which is left alone.</summary>
    /// <exception cref="ArgumentException">A parameter or environment variable holds a value that cannot be used.</exception>
    public static ClientSettings Resolve(CallSettings call, HumanloopConnection? connection)
    {
        var (apiKey, apiKeySource) = ResolveApiKey(call, connection);
        var (baseUri, baseUriSource) = ResolveBaseUri(call, connection);
        var (maxRetries, maxRetriesSource) = ResolveMaxRetries(call, connection);
        var allowUnencrypted = call.AllowUnencryptedAuthentication || connection?.AllowUnencryptedAuthentication == true;
        HumanloopClientOptions.CheckTransportSecurity(baseUri, allowUnencrypted);

        return new ClientSettings
        {
            ApiKey = apiKey,
            ApiKeySource = apiKeySource,
            BaseUri = baseUri,
            BaseUriSource = baseUriSource,
            MaxRetries = maxRetries,
            MaxRetriesSource = maxRetriesSource,
            Timeout = Seconds(call.TimeoutSec ?? connection?.TimeoutSec) ?? Defaults.Timeout,
            StreamIdleTimeout = Seconds(call.StreamIdleTimeoutSec ?? connection?.StreamIdleTimeoutSec) ?? Defaults.StreamIdleTimeout,
            StreamTimeout = Seconds(call.StreamTimeoutSec),
            Connection = connection,
            AllowUnencryptedAuthentication = allowUnencrypted,
            Recording = ConnectionStore.Recording,
        };
    }

    /// <summary>Client options for these settings; diagnostics go to <paramref name="logger"/>.</summary>
    public HumanloopClientOptions ToOptions(IHumanloopLogger? logger) => new()
    {
        BaseUri = BaseUri,
        ApiKey = ApiKey ?? (ReplaysOffline ? RecordingTransport.ReplayApiKey : null),
        Logger = logger,
        ApplicationId = "Humanloop.PowerShell",
        MaxRetries = MaxRetries,
        Timeout = Timeout,
        StreamIdleTimeout = StreamIdleTimeout,
        StreamTimeout = StreamTimeout,
        Proxy = Connection?.Proxy,
        ProxyCredential = Connection?.ProxyCredential,
        AllowUnencryptedAuthentication = AllowUnencryptedAuthentication,
        Transport = Recording,
    };

    public HumanloopContext ToContext() => new(this);

    /// <summary>Rejects anything but an absolute http or https URI, naming where it came from.</summary>
    public static Uri CheckHttpUri(Uri uri, string origin) =>
        uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new ArgumentException($"{origin} is '{uri.OriginalString}', which is not an absolute http:// or https:// URI.");

    /// <summary>An http or https API root, normalized; anything else is rejected, naming where it came from.</summary>
    public static Uri CheckBaseUri(Uri uri, string origin) => Http.HttpPipeline.NormalizeRoot(CheckHttpUri(uri, origin));

    private static (HumanloopApiKey?, string?) ResolveApiKey(CallSettings call, HumanloopConnection? connection)
    {
        if (call.ApiKey is not null)
        {
            return (HumanloopApiKey.FromSecureString(call.ApiKey), SettingSource.Parameter);
        }

        if (connection?.ApiKey is { } connected)
        {
            return (connected, SettingSource.Connection);
        }

        if (Environment.GetEnvironmentVariable(ApiKeyVariable) is { Length: > 0 } environmentKey)
        {
            try
            {
                return (new HumanloopApiKey(environmentKey), SettingSource.Environment);
            }
            catch (ArgumentException exception)
            {
                throw new ArgumentException($"The {ApiKeyVariable} environment variable does not hold a usable key: {exception.Message}", exception);
            }
        }

        return (null, null);
    }

    private static (Uri, string) ResolveBaseUri(CallSettings call, HumanloopConnection? connection)
    {
        if (call.BaseUri is not null)
        {
            return (CheckBaseUri(call.BaseUri, "-BaseUri"), SettingSource.Parameter);
        }

        if (connection?.BaseUri is { } connected)
        {
            return (connected, SettingSource.Connection);
        }

        if (Environment.GetEnvironmentVariable(BaseUrlVariable) is { Length: > 0 } environmentUrl)
        {
            if (!Uri.TryCreate(environmentUrl.Trim(), UriKind.Absolute, out var parsed))
            {
                throw new ArgumentException($"The {BaseUrlVariable} environment variable holds '{environmentUrl}', which is not an absolute URI.");
            }

            return (CheckBaseUri(parsed, BaseUrlVariable), SettingSource.Environment);
        }

        return (Http.HttpPipeline.NormalizeRoot(HumanloopClientOptions.DefaultBaseUri), SettingSource.Default);
    }

    private static (int, string) ResolveMaxRetries(CallSettings call, HumanloopConnection? connection)
    {
        if (call.MaxRetries is { } parameter)
        {
            return (parameter, SettingSource.Parameter);
        }

        if (connection?.MaxRetries is { } connected)
        {
            return (connected, SettingSource.Connection);
        }

        if (Environment.GetEnvironmentVariable(MaxRetriesVariable) is { Length: > 0 } text)
        {
            if (!int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value is < 0 or > 10)
            {
                throw new ArgumentException($"The {MaxRetriesVariable} environment variable holds '{text}'; it must be a whole number from 0 to 10.");
            }

            return (value, SettingSource.Environment);
        }

        return (Defaults.MaxRetries, SettingSource.Default);
    }

    private static TimeSpan? Seconds(int? value) => value is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
}
