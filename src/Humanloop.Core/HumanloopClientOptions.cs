using System;
using System.Net;
using System.Net.Http;

namespace Humanloop;

/// <summary>How a <see cref="HumanloopClient"/> reaches the API and how patient it is.</summary>
public sealed class HumanloopClientOptions
{
    /// <summary>The hosted v4 API, used when nothing else is configured.</summary>
    public static readonly Uri DefaultBaseUri = new("https://api.humanloop.com/v4");

    /// <summary>The API root, for example <c>http://127.0.0.1:5080/v4</c>. A URI without a path gets <c>/v4</c>.</summary>
    public Uri BaseUri { get; set; } = DefaultBaseUri;

    /// <summary>The API key sent in the <c>X-API-KEY</c> header.</summary>
    public HumanloopApiKey? ApiKey { get; set; }

    /// <summary>
    /// The HTTP transport. Leave unset to use the process-wide pooled handler; set it to record, replay or
    /// fake HTTP exchanges. The client never disposes it.
    /// </summary>
    public HttpMessageHandler? Transport { get; set; }

    /// <summary>Retries after the first attempt for transient failures (0–10, default 2).</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>The time one attempt may take until its response is read (for streams: until headers).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>The longest a stream may go without an event before it fails.</summary>
    public TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromSeconds(100);

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

    internal void Validate()
    {
        if (ApiKey is null)
        {
            throw new InvalidOperationException("No API key is set.");
        }

        if (MaxRetries is < 0 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "MaxRetries must be between 0 and 10.");
        }

        // The upper bound is the longest wait a timer can take (about 24 days).
        var longest = TimeSpan.FromMilliseconds(int.MaxValue);
        if (Timeout <= TimeSpan.Zero || StreamIdleTimeout <= TimeSpan.Zero || StreamTimeout <= TimeSpan.Zero
            || Timeout > longest || StreamIdleTimeout > longest || StreamTimeout > longest)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), "Timeouts must be positive and at most 24 days.");
        }

        if (ProxyCredential is not null && Proxy is null)
        {
            throw new ArgumentException("ProxyCredential needs Proxy: the system proxy takes its credentials from the system.", nameof(ProxyCredential));
        }

        if (!BaseUri.IsAbsoluteUri || (BaseUri.Scheme != Uri.UriSchemeHttp && BaseUri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The base URI '{BaseUri}' is not an absolute http or https URI.", nameof(BaseUri));
        }

        CheckTransportSecurity(BaseUri, AllowUnencryptedAuthentication);
    }

    /// <summary>
    /// Rejects <c>http://</c> to anything but a loopback address unless explicitly allowed, because the
    /// API key would travel in clear text.
    /// </summary>
    /// <exception cref="ArgumentException">The URI is plain http to another host and that was not allowed.</exception>
    public static void CheckTransportSecurity(Uri baseUri, bool allowUnencryptedAuthentication)
    {
        if (baseUri.Scheme == Uri.UriSchemeHttp && !baseUri.IsLoopback && !allowUnencryptedAuthentication)
        {
            throw new ArgumentException(
                $"The base URI {baseUri} uses http:// on a host that is not this machine, so the API key would cross the network unencrypted. " +
                "Use https://, or pass -AllowUnencryptedAuthentication if the network is trusted.",
                nameof(baseUri));
        }
    }
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
