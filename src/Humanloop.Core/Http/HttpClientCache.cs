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
/// One HttpClient per process for each way out (the system proxy settings, or one explicit proxy with
/// its credentials), so connections are pooled across every cmdlet call and sockets stay bounded in
/// long-running runbooks. A caller-supplied transport gets its own client, kept as long as the transport.
/// </summary>
internal static class HttpClientCache
{
    private static readonly ConcurrentDictionary<string, Lazy<SharedWayOut>> Shared = new(StringComparer.Ordinal);
    private static readonly ConditionalWeakTable<HttpMessageHandler, HttpClient> Custom = new();

    public static HttpClient For(HumanloopClientOptions options)
    {
        if (options.Transport is { } transport)
        {
            return Custom.GetValue(transport, handler => Create(handler, disposeHandler: false));
        }

        return SharedFor(options.Proxy, options.ProxyCredential).Client;
    }

    /// <summary>
    /// The pooled handler behind the shared client for this way out, for a transport that passes requests
    /// on to the network (a recording). It belongs to the cache: callers must not dispose it.
    /// </summary>
    public static HttpMessageHandler SharedHandler(Uri? proxy, NetworkCredential? credential) => SharedFor(proxy, credential).Handler;

    private static SharedWayOut SharedFor(Uri? proxy, NetworkCredential? credential)
    {
        var key = proxy is null ? "system" : ProxyKey(proxy, credential);
        return Shared.GetOrAdd(key, _ => new Lazy<SharedWayOut>(
            () =>
            {
                var handler = CreateHandler(proxy, credential);
                return new SharedWayOut(handler, Create(handler, disposeHandler: true));
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

    private sealed class SharedWayOut(HttpMessageHandler handler, HttpClient client)
    {
        public HttpMessageHandler Handler { get; } = handler;

        public HttpClient Client { get; } = client;
    }
}
