// Compiled with Add-Type inside the benchmark processes (never part of the module). Each helper is
// the baseline side of a comparison, or a timing loop that must not pay PowerShell's per-statement cost.
#nullable enable
using System;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Humanloop;

namespace HumanloopBench
{
    /// <summary>How long a loop took for how many operations.</summary>
    public sealed class Timing
    {
        public Timing(int operations, TimeSpan elapsed)
        {
            Operations = operations;
            Elapsed = elapsed;
        }

        public int Operations { get; }

        public TimeSpan Elapsed { get; }

        public double PerSecond => Operations / Elapsed.TotalSeconds;
    }

    /// <summary>The G1 baseline: the same completions made through the core client in a C# loop, no PowerShell in between.</summary>
    /// <summary>
    /// Concurrent clients posting the same completion to one or more servers (round robin over them): the load of the
    /// storage benchmark, in C# so that the client's own cost stays far below the servers'.
    /// </summary>
    public static class ConcurrentLoad
    {
        public static Timing Run(string[] apiUris, string apiKey, string body, int clients, int requests)
        {
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients };
            using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(120) };
            http.DefaultRequestHeaders.Add("X-API-KEY", apiKey);
            var next = 0;
            var failures = 0;
            string? firstFailure = null;
            var stopwatch = Stopwatch.StartNew();
            var workers = new Task[clients];
            for (var c = 0; c < clients; c++)
            {
                workers[c] = Task.Run(async () =>
                {
                    int n;
                    while ((n = Interlocked.Increment(ref next)) <= requests)
                    {
                        using var content = new StringContent(body, Encoding.UTF8, "application/json");
                        using var response = await http.PostAsync(apiUris[n % apiUris.Length] + "/completion", content).ConfigureAwait(false);
                        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                        if (!response.IsSuccessStatusCode && Interlocked.Increment(ref failures) == 1)
                        {
                            firstFailure = $"HTTP {(int)response.StatusCode}: {text}";
                        }
                    }
                });
            }

            Task.WaitAll(workers);
            stopwatch.Stop();
            if (failures > 0)
            {
                throw new InvalidOperationException($"{failures} of {requests} requests failed; the first: {firstFailure}");
            }

            return new Timing(requests, stopwatch.Elapsed);
        }
    }

    public static class DirectLoop
    {
        public static Timing Complete(HumanloopClient client, CompletionRequestBase request, int count)
        {
            var stopwatch = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                client.CompleteAsync(request, CancellationToken.None).GetAwaiter().GetResult();
            }

            return new Timing(count, stopwatch.Elapsed);
        }
    }

    /// <summary>
    /// Receives the client's debug log, to learn the exact request body it sends; the benchmarks compare it
    /// with the cmdlet's so that every contender provably sends the same bytes.
    /// </summary>
    public sealed class RequestBodyCapture : IHumanloopLogger
    {
        private const string Prefix = "Request body: ";

        public string? LastBody { get; private set; }

        public bool IsEnabled(HumanloopLogLevel level) => level == HumanloopLogLevel.Debug;

        public void Log(HumanloopLogLevel level, string message)
        {
            if (message.StartsWith(Prefix, StringComparison.Ordinal))
            {
                LastBody = message.Substring(Prefix.Length);
            }
        }
    }

    /// <summary>A transport that answers every request with the same recorded event stream, so the parser can be timed without a server.</summary>
    public sealed class ReplayHandler : HttpMessageHandler
    {
        private readonly byte[] _body;

        public ReplayHandler(byte[] body)
        {
            _body = body;
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new ByteArrayContent(_body);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream");
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = content });
        }
    }

    public static class StreamBench
    {
        /// <summary>The G6 baseline over HTTP: the stream's bytes read to the end, nothing parsed.</summary>
        public static byte[] ReadRaw(HttpClient http, Uri uri, string apiKey, string body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, uri);
            request.Headers.TryAddWithoutValidation("X-API-KEY", apiKey);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult();
            response.EnsureSuccessStatusCode();
            using var stream = response.Content.ReadAsStreamAsync().GetAwaiter().GetResult();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }

        /// <summary>Parse, deserialize and assemble: the real client reading a replayed stream, <paramref name="passes"/> times.</summary>
        public static Timing ReadChunks(HumanloopClient client, CompletionRequestBase request, int passes)
        {
            var chunks = 0;
            var stopwatch = Stopwatch.StartNew();
            for (var pass = 0; pass < passes; pass++)
            {
                using var stream = client.CompleteStreamingAsync(request, CancellationToken.None).GetAwaiter().GetResult();
                while (stream.ReadNextAsync(CancellationToken.None).GetAwaiter().GetResult() is not null)
                {
                    chunks++;
                }

                _ = stream.Result;
            }

            return new Timing(chunks, stopwatch.Elapsed);
        }

        /// <summary>The in-process baseline: the same bytes split into lines, data lines counted, no JSON.</summary>
        public static Timing SplitLines(byte[] body, int passes)
        {
            var events = 0;
            var stopwatch = Stopwatch.StartNew();
            for (var pass = 0; pass < passes; pass++)
            {
                events += CountDataLines(body);
            }

            return new Timing(events, stopwatch.Elapsed);
        }

        public static int CountDataLines(byte[] body)
        {
            using var reader = new StreamReader(new MemoryStream(body), Encoding.UTF8);
            var count = 0;
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    count++;
                }
            }

            return count;
        }
    }

    /// <summary>
    /// The forwarding benchmark's load: <c>clients</c> concurrent loops, each posting the same JSON body
    /// <c>requestsPerClient</c> times, one after the other, over one shared pooled HttpClient. Returns every
    /// request's latency in milliseconds (headers sent to body read); a request that does not answer 200 throws.
    /// </summary>
    public static class ForwardingLoad
    {
        private static readonly HttpClient Http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = TimeSpan.FromSeconds(60),
        };

        public static double[] Run(string url, string body, string? apiKey, int clients, int requestsPerClient)
        {
            var payload = Encoding.UTF8.GetBytes(body);
            var latencies = new double[clients * requestsPerClient];
            var loops = new Task[clients];
            for (var client = 0; client < clients; client++)
            {
                var offset = client * requestsPerClient;
                loops[client] = Task.Run(async () =>
                {
                    for (var i = 0; i < requestsPerClient; i++)
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(payload) };
                        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                        if (apiKey is not null)
                        {
                            request.Headers.Add("X-API-KEY", apiKey);
                        }

                        var started = Stopwatch.GetTimestamp();
                        using var response = await Http.SendAsync(request).ConfigureAwait(false);
                        var answer = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                        latencies[offset + i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                        if ((int)response.StatusCode != 200)
                        {
                            throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(answer)}");
                        }
                    }
                });
            }

            Task.WaitAll(loops);
            return latencies;
        }
    }
}
