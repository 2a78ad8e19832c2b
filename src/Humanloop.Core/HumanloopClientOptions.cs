using System;
using System.Net;
using System.Net.Http;

namespace Humanloop;

/// <summary>How a <see cref="HumanloopClient"/> reaches the API and how patient it is.</summary>
public sealed class HumanloopClientOptions
{
    /// <summary>The hosted v4 API, used when nothing else is configured.</summary>
    public static readonly Uri DefaultBaseUri = HumanloopSettings.DefaultBaseUri;

    /// <summary>The API root, for example <c>http://127.0.0.1:5080/v4</c>. A URI without a path gets <c>/v4</c>.</summary>
    public Uri BaseUri { get; set; } = DefaultBaseUri;

    /// <summary>
    /// The API key sent in the <c>X-API-KEY</c> header. Needed unless <see cref="Transport"/> is a
    /// <see cref="RecordingTransport"/> that replays, which sends nothing; then no header is sent.
    /// </summary>
    public HumanloopApiKey? ApiKey { get; set; }

    /// <summary>
    /// The HTTP transport. Leave unset to use the process-wide pooled handler; set it to record, replay or
    /// fake HTTP exchanges. The client never disposes it.
    /// </summary>
    /// <remarks>
    /// The retry budget (which stops retrying when too many recent attempts failed) belongs to the route a
    /// client sends through, one per API host: every client on the pooled handler for the same proxy
    /// shares it for the life of the process, while a transport set here brings its own, which lives as
    /// long as the transport and is shared only by the clients given that same transport.
    /// </remarks>
    public HttpMessageHandler? Transport { get; set; }

    /// <summary>Retries after the first attempt for transient failures (0–10, default 2).</summary>
    public int MaxRetries { get; set; } = HumanloopSettings.DefaultMaxRetries;

    /// <summary>The time one attempt may take until its response is read (for streams: until headers).</summary>
    public TimeSpan Timeout { get; set; } = HumanloopSettings.DefaultTimeout;

    /// <summary>The longest a stream may go without an event before it fails.</summary>
    public TimeSpan StreamIdleTimeout { get; set; } = HumanloopSettings.DefaultStreamIdleTimeout;

    /// <summary>The longest a whole stream may take, once open; unset means no limit.</summary>
    public TimeSpan? StreamTimeout { get; set; }

    /// <summary>
    /// A proxy for every request, streams included. Unset: the system's proxy settings apply (on Linux
    /// and macOS the HTTPS_PROXY, HTTP_PROXY and NO_PROXY variables).
    /// </summary>
    public Uri? Proxy { get; set; }

    /// <summary>Credentials for <see cref="Proxy"/>, sent when the proxy asks for them.</summary>
    public NetworkCredential? ProxyCredential { get; set; }

    /// <summary>
    /// Allows an <c>http://</c> base URI on a host that is not loopback, where the key would cross the
    /// network unencrypted. Off by default.
    /// </summary>
    public bool AllowUnencryptedAuthentication { get; set; }

    /// <summary>Receives verbose, debug and warning messages; never given the API key.</summary>
    public IHumanloopLogger? Logger { get; set; }

    /// <summary>Appended to the User-Agent header, for example the calling module's name and version.</summary>
    public string? ApplicationId { get; set; }

    /// <summary>
    /// The throttle of a batch that sends through this client: every attempt waits while the server's Retry-After
    /// holds it, and reports its answer, so that 429s lower the batch's limit and successes raise it again. The
    /// batch itself takes a slot per unit of work (<see cref="AdaptiveThrottle.AcquireAsync"/>). Unset: no throttle.
    /// </summary>
    public AdaptiveThrottle? Throttle { get; set; }

    /// <summary>
    /// Checks the options by the rules <see cref="HumanloopSettings"/> resolves with (each written once,
    /// there), the values counting as given directly, and returns the normalized API root.
    /// </summary>
    internal Uri Validate()
    {
        if (ApiKey is null && HumanloopSettings.NeedsApiKey((Transport as RecordingTransport)?.EffectiveMode))
        {
            throw HumanloopSettings.MissingApiKey(SettingSource.Parameter);
        }

        HumanloopSettings.CheckRetries(MaxRetries, SettingSource.Parameter);
        HumanloopSettings.CheckTimeout(HumanloopSettingName.Timeout, Timeout, SettingSource.Parameter);
        HumanloopSettings.CheckTimeout(HumanloopSettingName.StreamIdleTimeout, StreamIdleTimeout, SettingSource.Parameter);
        if (StreamTimeout is { } total)
        {
            HumanloopSettings.CheckTimeout(HumanloopSettingName.StreamTimeout, total, SettingSource.Parameter);
        }

        return HumanloopSettings.CheckConnection(
            Given(BaseUri ?? throw new ArgumentNullException(nameof(BaseUri))),
            Given(Proxy),
            Given(ProxyCredential),
            Given(AllowUnencryptedAuthentication)).Value;
    }

    private static Setting<T> Given<T>(T value) => new(value, SettingSource.Parameter);
}

/// <summary>How much a diagnostic message matters.</summary>
public enum HumanloopLogLevel
{
    /// <summary>Detailed progress (requests sent, statuses received).</summary>
    Debug,

    /// <summary>What the client is doing, one line per request.</summary>
    Verbose,

    /// <summary>Something the user should know, such as a retry.</summary>
    Warning,
}

/// <summary>A sink for the client's diagnostics. Calls may come from any thread.</summary>
public interface IHumanloopLogger
{
    /// <summary>True when messages of <paramref name="level"/> are wanted, so costly ones can be skipped.</summary>
    bool IsEnabled(HumanloopLogLevel level);

    /// <summary>Records one message.</summary>
    void Log(HumanloopLogLevel level, string message);
}
