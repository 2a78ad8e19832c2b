using System;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading;

namespace Humanloop.Http;

/// <summary>
/// One <see cref="HttpRoute"/> per process for each way out (the system proxy settings, or one explicit
/// proxy with its credentials), so connections are pooled across every cmdlet call and sockets stay
/// bounded in long-running runbooks. A caller-supplied transport gets its own route, kept as long as the
/// transport.
/// </summary>
internal static class HttpClientCache
{
    private static readonly ConcurrentDictionary<string, Lazy<HttpRoute>> Shared = new(StringComparer.Ordinal);
    private static readonly ConditionalWeakTable<HttpMessageHandler, HttpRoute> Custom = new();

    public static HttpRoute For(HumanloopClientOptions options)
    {
        if (options.Transport is { } transport)
        {
            return Custom.GetValue(transport, handler => new HttpRoute(handler, Create(handler, disposeHandler: false)));
        }

        return SharedFor(options.Proxy, options.ProxyCredential);
    }

    /// <summary>
    /// The pooled handler behind the shared client for this way out, for a transport that passes requests
    /// on to the network (a recording). It belongs to the cache: callers must not dispose it.
    /// </summary>
    public static HttpMessageHandler SharedHandler(Uri? proxy, NetworkCredential? credential) => SharedFor(proxy, credential).Handler;

    private static HttpRoute SharedFor(Uri? proxy, NetworkCredential? credential)
    {
        var key = proxy is null ? "system" : ProxyKey(proxy, credential);
        return Shared.GetOrAdd(key, _ => new Lazy<HttpRoute>(
            () =>
            {
                var handler = CreateHandler(proxy, credential);
                return new HttpRoute(handler, Create(handler, disposeHandler: true));
            },
            LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    private static HttpClient Create(HttpMessageHandler handler, bool disposeHandler) =>
        new(handler, disposeHandler) { Timeout = Timeout.InfiniteTimeSpan };

    // The password takes part in the key only as a hash, so the cache never holds another copy of it.
    private static string ProxyKey(Uri proxy, NetworkCredential? credential)
    {
        if (credential is null)
        {
            return proxy.AbsoluteUri;
        }

        using var sha = SHA256.Create();
        var secret = sha.ComputeHash(Encoding.UTF8.GetBytes(credential.Domain + "\\" + credential.UserName + ":" + credential.Password));
        return proxy.AbsoluteUri + "|" + Convert.ToBase64String(secret);
    }

    private static HttpMessageHandler CreateHandler(Uri? proxy, NetworkCredential? credential)
    {
        var explicitProxy = proxy is null ? null : new WebProxy(proxy) { Credentials = credential };
        // Pooled connections are recycled so DNS changes reach long-running runbooks.
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        };
        if (explicitProxy is not null)
        {
            handler.Proxy = explicitProxy;
            handler.UseProxy = true;
        }

        return handler;
    }
}

/// <summary>
/// One way out to the network: a handler, the client over it, and the retry budgets of the API hosts
/// reached through it. The budgets are created with the route and live exactly as long: for the process
/// on a shared route (so parallel runspaces and every client of a runbook draw on one budget per host,
/// which is what stops a retry storm), and as long as its transport on a caller's own route (so a test's
/// or a recording's transport starts with a full budget and spends nobody else's). Two routes never share
/// a budget, even to the same host.
/// </summary>
internal sealed class HttpRoute(HttpMessageHandler handler, HttpClient client)
{
    private readonly ConcurrentDictionary<string, RetryBudget> _budgets = new(StringComparer.OrdinalIgnoreCase);

    public HttpMessageHandler Handler { get; } = handler;

    public HttpClient Client { get; } = client;

    /// <summary>The budget for the host (and port) of <paramref name="root"/> on this route.</summary>
    public RetryBudget BudgetFor(Uri root) => _budgets.GetOrAdd(root.Authority, host => new RetryBudget(host));
}
