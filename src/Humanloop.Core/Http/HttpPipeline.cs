using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Humanloop.Http;

/// <summary>A successful, fully read response.</summary>
internal sealed class BufferedResponse(byte[] body, string? contentType, int attempts)
{
    public byte[] Body { get; } = body;

    public string? ContentType { get; } = contentType;

    public int Attempts { get; } = attempts;
}

/// <summary>A successful response whose body the caller reads as it arrives, and must dispose.</summary>
internal sealed class StreamingResponse(HttpResponseMessage message, Stream body, int attempts) : IDisposable
{
    public HttpResponseMessage Message { get; } = message;

    public Stream Body { get; } = body;

    public int Attempts { get; } = attempts;

    public void Dispose()
    {
        Body.Dispose();
        Message.Dispose();
    }
}

/// <summary>
/// Sends requests: builds them (base URI, key header, user agent), enforces the per-attempt timeout,
/// turns failures into <see cref="HumanloopException"/>s and asks its <see cref="RetryPolicy"/> after each
/// failed attempt whether to try again. The one place where HTTP happens, so streaming and non-streaming
/// calls cannot drift apart.
/// </summary>
internal sealed class HttpPipeline
{
    public const int MaxResponseBytes = 64 * 1024 * 1024;
    private const int MaxErrorBodyBytes = 1024 * 1024;

    /// <summary>Bodies larger than this are sent only after the server's 100 Continue, and a connection lost while sending one is not retried.</summary>
    internal const int LargeBodyBytes = 1024 * 1024;

    private static readonly string UserAgentBase = BuildUserAgent();

    private readonly TimeSpan _timeout;
    private readonly HumanloopApiKey? _apiKey;
    private readonly HttpClient _http;
    private readonly RetryPolicy _retry;
    private readonly AdaptiveThrottle? _throttle;
    private readonly string _userAgent;

    public HttpPipeline(HumanloopClientOptions options, IRetryClock? clock = null, Func<double>? random = null)
    {
        Root = options.Validate();
        // Copied, not kept: options changed after the client was made must not change it (unvalidated).
        _timeout = options.Timeout;
        Logger = options.Logger;
        StreamIdleTimeout = options.StreamIdleTimeout;
        StreamTimeout = options.StreamTimeout;
        _apiKey = options.ApiKey;
        var route = HttpClientCache.For(options);
        _http = route.Client;
        _retry = new RetryPolicy(options.MaxRetries, route.BudgetFor(Root), clock, random, Log);
        _throttle = options.Throttle;
        _userAgent = string.IsNullOrEmpty(options.ApplicationId) ? UserAgentBase : UserAgentBase + " " + options.ApplicationId;
    }

    /// <summary>The API root every path is resolved against; always ends with a slash.</summary>
    public Uri Root { get; }

    public IHumanloopLogger? Logger { get; }

    /// <summary>The key sent with every request; null when a replaying transport needs none.</summary>
    public HumanloopApiKey? ApiKey => _apiKey;

    public TimeSpan StreamIdleTimeout { get; }

    public TimeSpan? StreamTimeout { get; }

    public Task<BufferedResponse> SendAsync(HttpMethod method, string path, byte[]? body, CancellationToken cancellationToken) =>
        ExecuteAsync(method, path, body, streaming: false, ReadBufferedAsync, cancellationToken);

    public Task<StreamingResponse> SendStreamingAsync(HttpMethod method, string path, byte[]? body, CancellationToken cancellationToken) =>
        ExecuteAsync(method, path, body, streaming: true, OpenStreamAsync, cancellationToken);

    private async Task<T> ExecuteAsync<T>(
        HttpMethod method,
        string path,
        byte[]? body,
        bool streaming,
        Func<HttpResponseMessage, int, CancellationToken, Task<T>> onSuccess,
        CancellationToken cancellationToken)
    {
        var uri = new Uri(Root, path);
        LogRequest(method, uri, body);
        for (var attempt = 1; ; attempt++)
        {
            HumanloopException failure;
            var round = _throttle is null ? 0 : await _throttle.WaitToSendAsync(cancellationToken).ConfigureAwait(false);
            var stopwatch = Stopwatch.StartNew();
            using (var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                attemptTimeout.CancelAfter(_timeout);
                HttpResponseMessage? response = null;
                try
                {
                    using var request = BuildRequest(method, uri, body, streaming);
                    response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attemptTimeout.Token).ConfigureAwait(false);
                    Log(HumanloopLogLevel.Verbose, $"{method} {uri.AbsolutePath} answered {(int)response.StatusCode} {response.ReasonPhrase} in {stopwatch.ElapsedMilliseconds} ms (attempt {attempt}).");
                    if (!response.IsSuccessStatusCode)
                    {
                        throw await ReadErrorAsync(response, _apiKey, attemptTimeout.Token).ConfigureAwait(false);
                    }

                    LogThrottle(_throttle?.RecordSuccess(round));
                    var result = await onSuccess(response, attempt, attemptTimeout.Token).ConfigureAwait(false);
                    response = null;
                    _retry.RecordSuccess();
                    return result;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (OperationCanceledException exception)
                {
                    failure = new HumanloopTimeoutException(
                        $"{method} {uri.AbsolutePath} did not complete within {Seconds(_timeout)} (attempt {attempt}).",
                        exception) { Setting = HumanloopSettingName.Timeout, Limit = _timeout };
                }
                catch (HumanloopApiException exception)
                {
                    failure = Explain(exception, method, path, body);
                }
                catch (HumanloopException exception)
                {
                    failure = exception;
                }
                catch (Exception exception) when (exception is HttpRequestException or IOException)
                {
                    failure = ConnectionFailure(exception, uri, body);
                }
                finally
                {
                    response?.Dispose();
                }
            }

            failure.Attempts = attempt;
            if (failure is HumanloopApiException answered)
            {
                LogThrottle(_throttle?.RecordFailure(round, (int)answered.StatusCode, answered.RetryAfter));
            }

            if (!_retry.ShouldRetry(failure, attempt, out var delay))
            {
                throw failure;
            }

            Log(HumanloopLogLevel.Warning, $"{method} {uri.AbsolutePath}: {Summarize(failure)}; retrying in {Seconds(delay)} (retry {attempt} of {_retry.MaxRetries}).");
            await _retry.WaitAsync(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    internal HttpRequestMessage BuildRequest(HttpMethod method, Uri uri, byte[]? body, bool streaming)
    {
        var request = new HttpRequestMessage(method, uri);
        if (_apiKey is not null)
        {
            request.Headers.TryAddWithoutValidation("X-API-KEY", _apiKey.Reveal());
        }

        request.Headers.TryAddWithoutValidation("User-Agent", _userAgent);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (streaming)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        }

        if (body is not null)
        {
            // A large body waits for the server's go-ahead, so a server that refuses its size answers 413
            // before the body is sent, instead of dropping the connection half-way through it.
            if (body.Length > LargeBodyBytes)
            {
                request.Headers.ExpectContinue = true;
            }

            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        return request;
    }

    private static async Task<BufferedResponse> ReadBufferedAsync(HttpResponseMessage response, int attempt, CancellationToken cancellationToken)
    {
        using (response)
        {
            var body = await ReadLimitedAsync(response, MaxResponseBytes, throwWhenLarger: true, cancellationToken).ConfigureAwait(false);
            return new BufferedResponse(body, response.Content.Headers.ContentType?.MediaType, attempt);
        }
    }

    private static async Task<StreamingResponse> OpenStreamAsync(HttpResponseMessage response, int attempt, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        return new StreamingResponse(response, body, attempt);
    }

    // The body is scrubbed before it is parsed: a server that echoes the key back must not put it into
    // an exception message, where it would reach logs and transcripts.
    private static async Task<HumanloopApiException> ReadErrorAsync(HttpResponseMessage response, HumanloopApiKey? apiKey, CancellationToken cancellationToken)
    {
        var body = await ReadLimitedAsync(response, MaxErrorBodyBytes, throwWhenLarger: false, cancellationToken).ConfigureAwait(false);
        return ErrorResponseParser.Parse(response.StatusCode, response.ReasonPhrase, response.Headers, response.Content.Headers.ContentType?.MediaType, Redactor.Scrub(body, apiKey));
    }

    private static async Task<byte[]> ReadLimitedAsync(HttpResponseMessage response, int limit, bool throwWhenLarger, CancellationToken cancellationToken)
    {
        var declared = response.Content.Headers.ContentLength;
        if (throwWhenLarger && declared > limit)
        {
            throw new HumanloopResponseException($"The response declares {declared} bytes, more than the {limit / (1024 * 1024)} MiB a Humanloop response can reasonably be.", null);
        }

        using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        using var buffer = new MemoryStream(declared is > 0 and <= MaxErrorBodyBytes ? (int)declared.Value : 16 * 1024);
        var chunk = new byte[16 * 1024];
        while (true)
        {
            var read = await stream.ReadAsync(chunk, 0, chunk.Length, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.ToArray();
            }

            if (buffer.Length + read > limit)
            {
                if (throwWhenLarger)
                {
                    throw new HumanloopResponseException($"The response is larger than the {limit / (1024 * 1024)} MiB a Humanloop response can reasonably be; reading stopped.", null);
                }

                buffer.Write(chunk, 0, (int)(limit - buffer.Length));
                return buffer.ToArray();
            }

            buffer.Write(chunk, 0, read);
        }
    }

    private void LogRequest(HttpMethod method, Uri uri, byte[]? body)
    {
        Log(HumanloopLogLevel.Verbose, $"{method} {uri}");
        if (body is not null && Logger?.IsEnabled(HumanloopLogLevel.Debug) == true)
        {
            Log(HumanloopLogLevel.Debug, "Request headers: X-API-KEY: " + (_apiKey?.Masked ?? "(none)") + ", User-Agent: " + _userAgent);
            Log(HumanloopLogLevel.Debug, "Request body: " + Redactor.RedactJson(body));
        }
    }

    public void Log(HumanloopLogLevel level, string message)
    {
        var logger = Logger;
        if (logger is not null && logger.IsEnabled(level))
        {
            logger.Log(level, Redactor.Scrub(message, _apiKey));
        }
    }

    private void LogThrottle(ThrottleChange? change)
    {
        if (change is not { } made)
        {
            return;
        }

        if (made.Held is { } held)
        {
            Log(HumanloopLogLevel.Verbose, $"Holding new requests to {Root.Authority} for {Seconds(held)}, as the server asked.");
        }

        if (made.After < made.Before)
        {
            Log(HumanloopLogLevel.Verbose, $"The server is limiting the rate: at most {made.After} request(s) at once from now on (was {made.Before}).");
        }
        else if (made.After > made.Before)
        {
            Log(HumanloopLogLevel.Verbose, $"Requests are going through again: up to {made.After} at once from now on (was {made.Before}).");
        }
    }

    /// <summary>
    /// Words an error status for what it most likely means here: a 404 to a route that names no object means
    /// the base URI is not a v4 API; a 413 says how large the refused body was.
    /// </summary>
    private HumanloopApiException Explain(HumanloopApiException answered, HttpMethod method, string path, byte[]? body)
    {
        var status = (int)answered.StatusCode;
        if (status == 404 && method == HttpMethod.Get && NamesNoObject(path))
        {
            var route = path.Split('?')[0].Trim('/');
            var explained = Reword(answered, $"{Root} does not look like a Humanloop v4 endpoint (the API root, which normally ends in /v4): every v4 API serves GET {route}, but this server has no such route (the server said: {Said(answered)}).");
            explained.NotAV4Endpoint = true;
            return explained;
        }

        if (status == 413)
        {
            var size = body is null ? "the request body" : $"the request body of {Megabytes(body.Length)}";
            return Reword(answered, $"{size} is too large for the server at {Root.GetLeftPart(UriPartial.Authority)} (the server said: {Said(answered)}). Send less in one request.");
        }

        return answered;
    }

    private static string Said(HumanloopApiException answered) =>
        string.IsNullOrEmpty(answered.Detail.Message) ? $"{(int)answered.StatusCode} {answered.ReasonPhrase}".TrimEnd() : answered.Detail.Message.TrimEnd('.');

    private static HumanloopApiException Reword(HumanloopApiException answered, string message) =>
        new(answered.StatusCode, answered.ReasonPhrase, new HumanloopErrorDetail
        {
            Message = message,
            ValidationErrors = answered.Detail.ValidationErrors,
            ProviderError = answered.Detail.ProviderError,
            RawBody = answered.Detail.RawBody,
            ContentType = answered.Detail.ContentType,
        }, answered.RetryAfter);

    // A route of literal segments only (projects, model-configs, …) with no id in its query names no object, so
    // its 404 cannot mean "no such object". Ids always carry an underscore (pr_…, config_…) or upper-case letters;
    // a query parameter named …id (GET logs?project_id=…) names the object it filters by.
    private static bool NamesNoObject(string path)
    {
        var parts = path.Split('?');
        var route = parts[0].Trim('/');
        var filtersByObject = parts.Length > 1 && parts[1].Split('&').Any(pair => pair.Split('=')[0].EndsWith("id", StringComparison.OrdinalIgnoreCase));
        return !filtersByObject && route.Length > 0 && route.Split('/').All(segment => segment.Length > 0 && segment.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'));
    }

    /// <summary>Sorts a failure to get any answer: a TLS failure and a refused body are not retried, and each says what to do.</summary>
    private HumanloopConnectionException ConnectionFailure(Exception exception, Uri uri, byte[]? body)
    {
        var target = uri.GetLeftPart(UriPartial.Path);
        if (IsTlsFailure(exception))
        {
            var advice = uri.Scheme == Uri.UriSchemeHttps
                ? $" If the server speaks plain HTTP (the local server does unless given an https:// address), try {new UriBuilder(Root) { Scheme = Uri.UriSchemeHttp, Port = Root.IsDefaultPort ? -1 : Root.Port }.Uri}."
                : string.Empty;
            return new HumanloopConnectionException(
                $"Could not reach {target}: the TLS handshake failed ({Describe(exception)}).{advice}",
                exception,
                HumanloopConnectionProblem.Tls);
        }

        if (body is { Length: > LargeBodyBytes } && !IsConnectFailure(exception))
        {
            return new HumanloopConnectionException(
                $"The connection to {target} closed while the request body of {Megabytes(body.Length)} was being sent ({Describe(exception)}): it is likely too large for the server. Send less in one request.",
                exception,
                HumanloopConnectionProblem.BodyTooLarge);
        }

        return new HumanloopConnectionException($"Could not reach {target}: {Describe(exception)}", exception);
    }

    private static bool IsTlsFailure(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is System.Security.Authentication.AuthenticationException
                || current is HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError })
            {
                return true;
            }
        }

        return false;
    }

    // Failures before any byte of the request left: the body's size had nothing to do with them.
    private static bool IsConnectFailure(Exception exception) =>
        exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.ProxyTunnelError };

    internal static string Megabytes(long bytes) => (bytes / 1_000_000d).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " MB";

    private static string Summarize(HumanloopException failure) => failure switch
    {
        HumanloopApiException api => $"{(int)api.StatusCode} {api.ReasonPhrase}",
        HumanloopConnectionException { InnerException: { } cause } => "connection failed (" + Describe(cause) + ")",
        HumanloopTimeoutException => "no response in time",
        _ => failure.Message,
    };

    // Socket errors repeat their message at every level of nesting; each distinct text is kept once.
    private static string Describe(Exception exception)
    {
        var message = new StringBuilder(exception.Message.TrimEnd('.'));
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            var text = inner.Message.TrimEnd('.');
            if (message.ToString().IndexOf(text, StringComparison.Ordinal) < 0)
            {
                message.Append(": ").Append(text);
            }
        }

        return message.ToString();
    }

    internal static string Seconds(TimeSpan value) =>
        value.TotalSeconds >= 10 ? $"{value.TotalSeconds:0} s" : $"{value.TotalSeconds:0.0} s";

    private static string BuildUserAgent()
    {
        var version = typeof(HttpPipeline).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = version.IndexOf('+');
        if (plus >= 0)
        {
            version = version.Substring(0, plus);
        }

        return $"HumanloopPS/{version} ({RuntimeInformation.FrameworkDescription.Trim()}; {RuntimeInformation.OSDescription.Trim()})";
    }
}
