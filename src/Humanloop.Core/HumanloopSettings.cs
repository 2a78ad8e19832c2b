using System;
using System.Globalization;
using System.Net;
using System.Security;
using Humanloop.Internal;

namespace Humanloop;

/// <summary>Where a setting's value came from, in order of precedence.</summary>
public enum SettingSource
{
    /// <summary>Given for this call.</summary>
    Parameter,

    /// <summary>Remembered for the session (in PowerShell, <c>Connect-Humanloop</c>).</summary>
    Connection,

    /// <summary>Read from an environment variable.</summary>
    Environment,

    /// <summary>Nothing gave it: the built-in default.</summary>
    Default,
}

/// <summary>The settings <see cref="HumanloopSettings"/> resolves.</summary>
public enum HumanloopSettingName
{
    /// <summary>The API key.</summary>
    ApiKey,

    /// <summary>The API root.</summary>
    BaseUri,

    /// <summary>Retries after the first attempt.</summary>
    MaxRetries,

    /// <summary>The time one attempt may take.</summary>
    Timeout,

    /// <summary>The time a stream may go without an event.</summary>
    StreamIdleTimeout,

    /// <summary>The time a whole stream may take.</summary>
    StreamTimeout,

    /// <summary>An explicit proxy.</summary>
    Proxy,

    /// <summary>Credentials for the explicit proxy.</summary>
    ProxyCredential,

    /// <summary>Whether the key may travel over plain http to another host.</summary>
    AllowUnencryptedAuthentication,

    /// <summary>The recording calls go through.</summary>
    Recording,
}

/// <summary>What is wrong with a setting.</summary>
public enum HumanloopSettingProblem
{
    /// <summary>The text cannot be read as a value of the setting (not a URI, not a number, not a usable key).</summary>
    Unreadable,

    /// <summary>The value is outside the range the setting allows.</summary>
    OutOfRange,

    /// <summary>The URI is not an absolute http:// or https:// URI.</summary>
    NotHttp,

    /// <summary>The base URI is plain http:// to another host, where the key would travel unencrypted, and that was not allowed.</summary>
    Unencrypted,

    /// <summary>A proxy credential was given without a proxy to send it to.</summary>
    NeedsProxy,

    /// <summary>No value was found anywhere, and the call cannot do without one.</summary>
    Missing,
}

/// <summary>One resolved setting: its value and where that came from.</summary>
/// <typeparam name="T">The setting's type.</typeparam>
public sealed class Setting<T>
{
    /// <summary>Creates the pair.</summary>
    public Setting(T value, SettingSource source)
    {
        Value = value;
        Source = source;
    }

    /// <summary>The value in use.</summary>
    public T Value { get; }

    /// <summary>Where <see cref="Value"/> came from.</summary>
    public SettingSource Source { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Value} ({Source})";
}

/// <summary>
/// What one place (a call's parameters, a session's connection) says about the settings; null means
/// "not given here", so the next place is asked.
/// </summary>
public sealed record HumanloopSettingsLayer
{
    /// <summary>The API key.</summary>
    public SecureString? ApiKey { get; init; }

    /// <summary>The API root; a URI without a path gets <c>/v4</c>.</summary>
    public Uri? BaseUri { get; init; }

    /// <summary>Retries after the first attempt for transient failures (0–10).</summary>
    public int? MaxRetries { get; init; }

    /// <summary>The time one attempt may take.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The longest a stream may go without an event.</summary>
    public TimeSpan? StreamIdleTimeout { get; init; }

    /// <summary>The longest a whole stream may take.</summary>
    public TimeSpan? StreamTimeout { get; init; }

    /// <summary>An explicit proxy for every request.</summary>
    public Uri? Proxy { get; init; }

    /// <summary>Credentials for <see cref="Proxy"/>.</summary>
    public NetworkCredential? ProxyCredential { get; init; }

    /// <summary>Whether the key may travel over plain http to another host.</summary>
    public bool? AllowUnencryptedAuthentication { get; init; }

    /// <summary>The recording calls go through.</summary>
    public RecordingTransport? Recording { get; init; }

    /// <inheritdoc />
    /// <remarks>Says which settings are given, never their values: the key and credentials must not reach a log.</remarks>
    public override string ToString() => nameof(HumanloopSettingsLayer);
}

/// <summary>
/// The settings a call uses, each taken from the first place that gives it — the call's parameters, the
/// session's connection, the environment, the default — and validated together, once. Each setting
/// knows where it came from.
/// </summary>
public sealed class HumanloopSettings
{
    /// <summary>The environment variable holding the API key.</summary>
    public const string ApiKeyVariable = "HUMANLOOP_API_KEY";

    /// <summary>The environment variable holding the API root.</summary>
    public const string BaseUrlVariable = "HUMANLOOP_BASE_URL";

    /// <summary>The environment variable holding the retry count.</summary>
    public const string MaxRetriesVariable = "HUMANLOOP_MAX_RETRIES";

    /// <summary>The hosted v4 API, used when nothing else is configured.</summary>
    public static readonly Uri DefaultBaseUri = new("https://api.humanloop.com/v4");

    /// <summary>Retries when nothing else says.</summary>
    public const int DefaultMaxRetries = 2;

    /// <summary>The time one attempt may take when nothing else says.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(300);

    /// <summary>The time a stream may go without an event when nothing else says.</summary>
    public static readonly TimeSpan DefaultStreamIdleTimeout = TimeSpan.FromSeconds(100);

    private const string RetriesRange = "must be a whole number from 0 to 10.";

    // The longest wait a timer can take (about 24 days).
    private static readonly TimeSpan LongestTimeout = TimeSpan.FromMilliseconds(int.MaxValue);

    private HumanloopSettings(
        Setting<HumanloopApiKey?> apiKey,
        Setting<Uri> baseUri,
        Setting<int> maxRetries,
        Setting<TimeSpan> timeout,
        Setting<TimeSpan> streamIdleTimeout,
        Setting<TimeSpan?> streamTimeout,
        Setting<Uri?> proxy,
        Setting<NetworkCredential?> proxyCredential,
        Setting<bool> allowUnencryptedAuthentication,
        Setting<RecordingTransport?> recording)
    {
        ApiKey = apiKey;
        BaseUri = baseUri;
        MaxRetries = maxRetries;
        Timeout = timeout;
        StreamIdleTimeout = streamIdleTimeout;
        StreamTimeout = streamTimeout;
        Proxy = proxy;
        ProxyCredential = proxyCredential;
        AllowUnencryptedAuthentication = allowUnencryptedAuthentication;
        Recording = recording;
    }

    /// <summary>The API key; its value is null when no place gives one.</summary>
    public Setting<HumanloopApiKey?> ApiKey { get; }

    /// <summary>The API root, normalized: absolute, http or https, ending in a slash.</summary>
    public Setting<Uri> BaseUri { get; }

    /// <summary>Retries after the first attempt for transient failures.</summary>
    public Setting<int> MaxRetries { get; }

    /// <summary>The time one attempt may take.</summary>
    public Setting<TimeSpan> Timeout { get; }

    /// <summary>The longest a stream may go without an event.</summary>
    public Setting<TimeSpan> StreamIdleTimeout { get; }

    /// <summary>The longest a whole stream may take; null means no limit.</summary>
    public Setting<TimeSpan?> StreamTimeout { get; }

    /// <summary>The explicit proxy; null means the system's proxy settings apply.</summary>
    public Setting<Uri?> Proxy { get; }

    /// <summary>Credentials for <see cref="Proxy"/>.</summary>
    public Setting<NetworkCredential?> ProxyCredential { get; }

    /// <summary>True when plain http to another host was allowed explicitly.</summary>
    public Setting<bool> AllowUnencryptedAuthentication { get; }

    /// <summary>The recording calls go through; null when there is none.</summary>
    public Setting<RecordingTransport?> Recording { get; }

    /// <summary>True when calls are answered from a fixture and nothing is sent, so no key is needed.</summary>
    public bool ReplaysOffline => !NeedsApiKey(Recording.Value?.EffectiveMode);

    /// <summary>Resolves every setting from the first place that gives it, and validates the result.</summary>
    /// <param name="call">What the call itself gives.</param>
    /// <param name="connection">What the session's connection gives; null when there is none.</param>
    /// <param name="environment">Reads an environment variable; for example <see cref="Environment.GetEnvironmentVariable(string)"/>.</param>
    /// <exception cref="HumanloopSettingException">A setting holds a value that cannot be used; it says which, from where and why.</exception>
    public static HumanloopSettings Resolve(HumanloopSettingsLayer call, HumanloopSettingsLayer? connection, Func<string, string?> environment)
    {
        if (call is null)
        {
            throw new ArgumentNullException(nameof(call));
        }

        if (environment is null)
        {
            throw new ArgumentNullException(nameof(environment));
        }

        var layers = connection is null ? new[] { call } : new[] { call, connection };
        var apiKey = ResolveApiKey(layers, environment);
        var maxRetries = Pick(layers, layer => layer.MaxRetries, EnvironmentOr(environment, MaxRetriesVariable, ParseRetries, DefaultMaxRetries));
        CheckRetries(maxRetries.Value, maxRetries.Source);
        var baseUri = Pick(layers, layer => layer.BaseUri, EnvironmentOr(environment, BaseUrlVariable, ParseBaseUri, DefaultBaseUri));
        var timeout = PickOrDefault(layers, layer => layer.Timeout, DefaultTimeout);
        var streamIdleTimeout = PickOrDefault(layers, layer => layer.StreamIdleTimeout, DefaultStreamIdleTimeout);
        var streamTimeout = PickOrDefault<TimeSpan?>(layers, layer => layer.StreamTimeout, null);
        var proxy = PickOrDefault<Uri?>(layers, layer => layer.Proxy, null);
        var proxyCredential = PickOrDefault<NetworkCredential?>(layers, layer => layer.ProxyCredential, null);
        var allowUnencrypted = PickOrDefault(layers, layer => layer.AllowUnencryptedAuthentication, false);
        var recording = PickOrDefault<RecordingTransport?>(layers, layer => layer.Recording, null);

        var checkedBaseUri = CheckConnection(baseUri, proxy, proxyCredential, allowUnencrypted);
        CheckTimeout(HumanloopSettingName.Timeout, timeout.Value, timeout.Source);
        CheckTimeout(HumanloopSettingName.StreamIdleTimeout, streamIdleTimeout.Value, streamIdleTimeout.Source);
        if (streamTimeout.Value is { } total)
        {
            CheckTimeout(HumanloopSettingName.StreamTimeout, total, streamTimeout.Source);
        }

        return new HumanloopSettings(apiKey, checkedBaseUri, maxRetries, timeout, streamIdleTimeout, streamTimeout, proxy, proxyCredential, allowUnencrypted, recording);
    }

    /// <summary>Throws unless a key was found or the calls need none (a recording that replays sends nothing).</summary>
    /// <exception cref="HumanloopSettingException">No key, and calls would be sent (<see cref="HumanloopSettingProblem.Missing"/>).</exception>
    public void RequireApiKey() => RequireApiKey(Recording.Value?.EffectiveMode);

    /// <summary>
    /// Throws unless a key was found or calls made through a recording in <paramref name="recordingMode"/>
    /// need none; for a caller about to start that recording.
    /// </summary>
    /// <exception cref="HumanloopSettingException">No key, and calls would be sent (<see cref="HumanloopSettingProblem.Missing"/>).</exception>
    public void RequireApiKey(RecordingMode? recordingMode)
    {
        if (ApiKey.Value is null && NeedsApiKey(recordingMode))
        {
            throw MissingApiKey(ApiKey.Source);
        }
    }

    /// <summary>Client options for these settings.</summary>
    /// <param name="logger">Receives the client's diagnostics.</param>
    /// <param name="applicationId">Appended to the User-Agent header.</param>
    public HumanloopClientOptions ToOptions(IHumanloopLogger? logger, string? applicationId) => new()
    {
        BaseUri = BaseUri.Value,
        ApiKey = ApiKey.Value,
        Logger = logger,
        ApplicationId = applicationId,
        MaxRetries = MaxRetries.Value,
        Timeout = Timeout.Value,
        StreamIdleTimeout = StreamIdleTimeout.Value,
        StreamTimeout = StreamTimeout.Value,
        Proxy = Proxy.Value,
        ProxyCredential = ProxyCredential.Value,
        AllowUnencryptedAuthentication = AllowUnencryptedAuthentication.Value,
        Transport = Recording.Value,
    };

    /// <summary>The environment variable a setting is read from; null for the settings only parameters and connections give.</summary>
    public static string? EnvironmentVariableOf(HumanloopSettingName setting) => setting switch
    {
        HumanloopSettingName.ApiKey => ApiKeyVariable,
        HumanloopSettingName.BaseUri => BaseUrlVariable,
        HumanloopSettingName.MaxRetries => MaxRetriesVariable,
        _ => null,
    };

    internal static HumanloopSettingException MissingApiKey(SettingSource source) =>
        new(HumanloopSettingName.ApiKey, source, null, HumanloopSettingProblem.Missing, "is not set, and calls that are sent need one.");

    /// <summary>The one rule for the key: calls need one unless a recording replays them, which sends nothing.</summary>
    internal static bool NeedsApiKey(RecordingMode? recordingMode) => recordingMode != RecordingMode.Replay;

    /// <summary>
    /// The checks that concern the way out together: the base URI is an http(s) API root (returned
    /// normalized), plain http goes to another host only when allowed, and a proxy credential has a proxy.
    /// </summary>
    internal static Setting<Uri> CheckConnection(Setting<Uri> baseUri, Setting<Uri?> proxy, Setting<NetworkCredential?> proxyCredential, Setting<bool> allowUnencrypted)
    {
        var root = new Setting<Uri>(NormalizeRoot(CheckHttp(HumanloopSettingName.BaseUri, baseUri.Value, baseUri.Source)), baseUri.Source);
        if (root.Value.Scheme == Uri.UriSchemeHttp && !root.Value.IsLoopback && !allowUnencrypted.Value)
        {
            throw new HumanloopSettingException(
                HumanloopSettingName.BaseUri,
                baseUri.Source,
                baseUri.Value.OriginalString,
                HumanloopSettingProblem.Unencrypted,
                "uses http:// on a host that is not this machine, so the API key would cross the network unencrypted.");
        }

        if (proxy.Value is { } explicitProxy)
        {
            CheckHttp(HumanloopSettingName.Proxy, explicitProxy, proxy.Source);
        }
        else if (proxyCredential.Value is not null)
        {
            throw new HumanloopSettingException(
                HumanloopSettingName.ProxyCredential,
                proxyCredential.Source,
                null,
                HumanloopSettingProblem.NeedsProxy,
                "needs a proxy: the system proxy takes its credentials from the system.");
        }

        return root;
    }

    internal static void CheckRetries(int value, SettingSource source)
    {
        if (value is < 0 or > 10)
        {
            throw new HumanloopSettingException(HumanloopSettingName.MaxRetries, source, value.ToString(CultureInfo.InvariantCulture), HumanloopSettingProblem.OutOfRange, RetriesRange);
        }
    }

    internal static void CheckTimeout(HumanloopSettingName setting, TimeSpan value, SettingSource source)
    {
        if (value <= TimeSpan.Zero || value > LongestTimeout)
        {
            throw new HumanloopSettingException(setting, source, value.ToString("c", CultureInfo.InvariantCulture), HumanloopSettingProblem.OutOfRange, "must be positive and at most 24 days.");
        }
    }

    /// <summary>A URI without a path is taken to mean the API root of that host: <c>/v4</c> is added.</summary>
    internal static Uri NormalizeRoot(Uri baseUri)
    {
        // Every client a cmdlet makes validates the root it was given, which is the root this made last time:
        // that one is answered without parsing a URI again. A root is its own normal form.
        if (s_lastRoot is { } last && (ReferenceEquals(baseUri, last.Given) || ReferenceEquals(baseUri, last.Root)))
        {
            return last.Root;
        }

        var text = baseUri.GetLeftPart(UriPartial.Path);
        if (baseUri.AbsolutePath == "/")
        {
            text = text.TrimEnd('/') + "/v4";
        }

        var root = new Uri(text.EndsWith("/", StringComparison.Ordinal) ? text : text + "/");
        s_lastRoot = new NormalizedRoot(baseUri, root);
        return root;
    }

    private static NormalizedRoot? s_lastRoot;

    private sealed class NormalizedRoot(Uri given, Uri root)
    {
        public Uri Given { get; } = given;

        public Uri Root { get; } = root;
    }

    private static Uri CheckHttp(HumanloopSettingName setting, Uri uri, SettingSource source) =>
        uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new HumanloopSettingException(setting, source, uri.OriginalString, HumanloopSettingProblem.NotHttp, "is not an absolute http:// or https:// URI.");

    private static Setting<HumanloopApiKey?> ResolveApiKey(HumanloopSettingsLayer[] layers, Func<string, string?> environment)
    {
        var given = PickOrDefault<SecureString?>(layers, layer => layer.ApiKey, null);
        if (given.Value is { } secure)
        {
            return ReadKey(SecretText.FromSecureString(secure), given.Source);
        }

        return environment(ApiKeyVariable) is { Length: > 0 } text
            ? ReadKey(text, SettingSource.Environment)
            : new Setting<HumanloopApiKey?>(null, SettingSource.Default);
    }

    // The key's own rules decide whether it is usable; this adds where it came from. Its text is never repeated.
    private static Setting<HumanloopApiKey?> ReadKey(string text, SettingSource source) =>
        HumanloopApiKey.FindProblem(text) is { } problem
            ? throw new HumanloopSettingException(HumanloopSettingName.ApiKey, source, null, HumanloopSettingProblem.Unreadable, problem)
            : new Setting<HumanloopApiKey?>(new HumanloopApiKey(text), source);

    // Boxed values keep one loop for reference and value types alike; these are a handful per call.
    private static Setting<T> Pick<T>(HumanloopSettingsLayer[] layers, Func<HumanloopSettingsLayer, object?> read, Func<Setting<T>> otherwise)
    {
        for (var index = 0; index < layers.Length; index++)
        {
            if (read(layers[index]) is { } value)
            {
                return new Setting<T>((T)value, SourceOf(index));
            }
        }

        return otherwise();
    }

    private static Setting<T> PickOrDefault<T>(HumanloopSettingsLayer[] layers, Func<HumanloopSettingsLayer, object?> read, T fallback) =>
        Pick(layers, read, () => new Setting<T>(fallback, SettingSource.Default));

    private static Func<Setting<T>> EnvironmentOr<T>(Func<string, string?> environment, string variable, Func<string, T> parse, T fallback) =>
        () => environment(variable) is { Length: > 0 } text
            ? new Setting<T>(parse(text), SettingSource.Environment)
            : new Setting<T>(fallback, SettingSource.Default);

    private static SettingSource SourceOf(int layerIndex) => layerIndex == 0 ? SettingSource.Parameter : SettingSource.Connection;

    private static int ParseRetries(string text) =>
        int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new HumanloopSettingException(HumanloopSettingName.MaxRetries, SettingSource.Environment, text, HumanloopSettingProblem.Unreadable, RetriesRange);

    private static Uri ParseBaseUri(string text) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out var parsed)
            ? parsed
            : throw new HumanloopSettingException(HumanloopSettingName.BaseUri, SettingSource.Environment, text, HumanloopSettingProblem.Unreadable, "is not an absolute URI.");
}
