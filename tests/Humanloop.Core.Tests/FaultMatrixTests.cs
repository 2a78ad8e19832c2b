using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Humanloop.Http;
using Humanloop.Server.Hosting;
using Humanloop.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Humanloop.Tests;

/// <summary>One real local server with fault injection on, shared by the fault matrix.</summary>
public sealed class FaultServerFixture : IAsyncLifetime
{
    public const string Key = "hl_fault_matrix_key_0123456789";

    private RunningServer? _server;

    public Uri ApiRoot => new(_server!.ApiUrl);

    /// <summary>Talks to /_faults, which takes the server's key like /v4.</summary>
    public HttpClient Control { get; } = new() { DefaultRequestHeaders = { { "X-API-KEY", Key } } };

    public async Task InitializeAsync()
    {
        _server = await ServerHost.StartAsync(
            new ServerOptions { Urls = ["http://127.0.0.1:0"], InMemory = true, ApiKeys = [Key], EnableFaults = true, Output = TextWriter.Null },
            CancellationToken.None);
        Control.BaseAddress = new Uri(_server.BaseUrl.TrimEnd('/') + "/");
    }

    public async Task DisposeAsync()
    {
        Control.Dispose();
        await _server!.DisposeAsync();
    }
}

/// <summary>
/// The retry, timeout and stream-failure policy against the real server's fault injection: every
/// fault the issue lists, with attempts counted on both sides and backoff checked on a recording clock.
/// </summary>
public class FaultMatrixTests : IClassFixture<FaultServerFixture>, IAsyncLifetime
{
    private const string CompletionPath = "/v4/completion";
    private readonly FaultServerFixture _server;
    private readonly ITestOutputHelper _output;
    private readonly RecordingClock _clock = new();

    public FaultMatrixTests(FaultServerFixture server, ITestOutputHelper output)
    {
        _server = server;
        _output = output;
    }

    public async Task InitializeAsync() => (await _server.Control.DeleteAsync("_faults")).EnsureSuccessStatusCode();

    public Task DisposeAsync() => Task.CompletedTask;

    private HumanloopClient Client(int maxRetries = 2, Action<HumanloopClientOptions>? configure = null, IRetryClock? clock = null)
    {
        var options = new HumanloopClientOptions { BaseUri = _server.ApiRoot, ApiKey = new HumanloopApiKey(FaultServerFixture.Key), MaxRetries = maxRetries };
        configure?.Invoke(options);
        return new HumanloopClient(new HttpPipeline(options, clock ?? _clock, () => 0.5));
    }

    private static CompletionRequest Request(int? samples = null) => new()
    {
        Project = "fault-matrix",
        NumSamples = samples,
        Inputs = new System.Collections.Hashtable { ["thing"] = "tides" },
        ModelConfig = new ModelConfigCompletionRequest { Provider = "mock", Model = "mock-1", PromptTemplate = "Describe {{thing}}." },
    };

    private async Task Fault(object rule) => (await _server.Control.PostAsJsonAsync("_faults", rule)).EnsureSuccessStatusCode();

    private async Task<int> RequestsSeen(string path = CompletionPath)
    {
        var state = await _server.Control.GetFromJsonAsync<JsonObject>("_faults");
        return state!["requests"]?[path]?.GetValue<int>() ?? 0;
    }

    private static async Task<List<CompletionChunk>> ReadAll(CompletionStream stream)
    {
        var chunks = new List<CompletionChunk>();
        while (await stream.ReadNextAsync() is { } chunk)
        {
            chunks.Add(chunk);
        }

        return chunks;
    }

    [Theory]
    [InlineData("retry_after", "2", 2.0)]
    [InlineData("retry_after_ms", "1500", 1.5)]
    public async Task A_429_with_a_wait_hint_is_retried_after_that_wait(string hint, string value, double seconds)
    {
        await Fault(new Dictionary<string, object> { ["path"] = CompletionPath, ["fault"] = "status", ["status"] = 429, [hint] = hint == "retry_after_ms" ? int.Parse(value) : value });

        var response = await Client().CompleteAsync(Request());

        Assert.Equal(2, response.Attempts);
        Assert.Equal(2, await RequestsSeen());
        Assert.Equal(seconds, Assert.Single(_clock.Delays).TotalSeconds, precision: 3);
    }

    [Fact]
    public async Task A_429_with_an_http_date_hint_waits_until_then()
    {
        await Fault(new { path = CompletionPath, fault = "status", status = 429, retry_after = DateTimeOffset.UtcNow.AddSeconds(6).ToString("R") });

        var response = await Client().CompleteAsync(Request());

        Assert.Equal(2, response.Attempts);
        Assert.InRange(Assert.Single(_clock.Delays).TotalSeconds, 4.0, 6.0);
    }

    [Fact]
    public async Task A_429_asking_for_an_hour_fails_at_once_carrying_the_hint()
    {
        await Fault(new { path = CompletionPath, fault = "status", status = 429, retry_after = "3600" });

        var error = await Assert.ThrowsAsync<HumanloopApiException>(() => Client().CompleteAsync(Request()));

        Assert.Equal(TimeSpan.FromHours(1), error.RetryAfter);
        Assert.Equal(1, error.Attempts);
        Assert.Equal(1, await RequestsSeen());
        Assert.Empty(_clock.Delays);
    }

    [Fact]
    public async Task A_5xx_burst_that_ends_in_time_recovers_with_exponential_backoff()
    {
        await Fault(new { path = CompletionPath, fault = "status", status = 503, count = 1 });
        await Fault(new { path = CompletionPath, fault = "status", status = 529, count = 1 });

        var response = await Client().CompleteAsync(Request());

        Assert.Equal(3, response.Attempts);
        Assert.Equal(3, await RequestsSeen());
        Assert.Equal(new[] { 0.8, 1.6 }, _clock.Delays.Select(d => Math.Round(d.TotalSeconds, 3)));
        Assert.Contains("tides", response.Output);
    }

    [Fact]
    public async Task A_5xx_burst_longer_than_the_retries_fails_with_every_attempt_counted()
    {
        await Fault(new { path = CompletionPath, fault = "status", status = 529, count = 3 });

        var error = await Assert.ThrowsAsync<HumanloopApiException>(() => Client().CompleteAsync(Request()));

        Assert.Equal(529, (int)error.StatusCode);
        Assert.Equal(3, error.Attempts);
        Assert.Equal(3, await RequestsSeen());
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(422)]
    public async Task Non_retryable_statuses_take_one_attempt(int status)
    {
        await Fault(new { path = CompletionPath, fault = "status", status, count = 5 });

        var error = await Assert.ThrowsAsync<HumanloopApiException>(() => Client().CompleteAsync(Request()));

        Assert.Equal(status, (int)error.StatusCode);
        Assert.Equal(1, error.Attempts);
        Assert.Equal(1, await RequestsSeen());
    }

    [Theory]
    [InlineData("reset_before_headers")]
    [InlineData("reset_mid_body")]
    public async Task A_reset_connection_is_retried(string fault)
    {
        await Fault(new { path = CompletionPath, fault });

        var response = await Client().CompleteAsync(Request());

        Assert.Equal(2, response.Attempts);
        Assert.Equal(2, await RequestsSeen());
    }

    [Fact]
    public async Task A_stall_before_headers_times_out_each_attempt()
    {
        await Fault(new { path = CompletionPath, fault = "stall_before_headers", count = 2 });

        var error = await Assert.ThrowsAsync<HumanloopTimeoutException>(
            () => Client(maxRetries: 1, options => options.Timeout = TimeSpan.FromMilliseconds(300)).CompleteAsync(Request()));

        Assert.Equal(2, error.Attempts);
        Assert.Equal(2, await RequestsSeen());
    }

    [Fact]
    public async Task A_stream_that_stalls_mid_way_ends_with_an_idle_timeout_after_its_chunks()
    {
        await Fault(new { path = CompletionPath, fault = "stall_mid_stream", after_events = 3 });
        using var stream = await Client(configure: options => options.StreamIdleTimeout = TimeSpan.FromMilliseconds(400)).CompleteStreamingAsync(Request());
        var delivered = 0;

        var error = await Assert.ThrowsAsync<HumanloopTimeoutException>(async () =>
        {
            while (await stream.ReadNextAsync() is not null)
            {
                delivered++;
            }
        });

        Assert.Equal(3, delivered);
        Assert.Contains("after 3 chunk(s)", error.Message);
    }

    [Fact]
    public async Task A_stream_with_a_total_limit_stops_when_it_is_reached()
    {
        await Fault(new { path = CompletionPath, fault = "stall_mid_stream", after_events = 1 });
        using var stream = await Client(configure: options => options.StreamTimeout = TimeSpan.FromMilliseconds(500)).CompleteStreamingAsync(Request());

        var error = await Assert.ThrowsAsync<HumanloopTimeoutException>(() => ReadAll(stream));

        Assert.Contains("did not finish within 0.5 s", error.Message);
    }

    [Theory]
    [InlineData(false, "before sample(s) 0 finished")]
    [InlineData(true, "connection was lost")]
    public async Task A_stream_cut_mid_way_is_an_error_not_an_end(bool abort, string expected)
    {
        await Fault(new { path = CompletionPath, fault = "cut_mid_stream", after_events = 2, abort });
        using var stream = await Client().CompleteStreamingAsync(Request());

        var error = await Assert.ThrowsAsync<HumanloopStreamException>(() => ReadAll(stream));

        Assert.Contains(expected, error.Message);
        Assert.Equal(2, error.ChunksDelivered);
        Assert.Equal(1, await RequestsSeen());
    }

    [Fact]
    public async Task A_malformed_chunk_is_an_error_with_its_raw_text()
    {
        await Fault(new { path = CompletionPath, fault = "malformed_chunk", after_events = 1 });
        using var stream = await Client().CompleteStreamingAsync(Request());

        var error = await Assert.ThrowsAsync<HumanloopStreamException>(() => ReadAll(stream));

        Assert.Equal(1, error.ChunksDelivered);
        Assert.False(string.IsNullOrEmpty(error.RawText));
    }

    [Fact]
    public async Task A_stream_is_retried_before_it_opens_and_then_read_whole()
    {
        await Fault(new { path = CompletionPath, fault = "status", status = 502 });
        using var stream = await Client().CompleteStreamingAsync(Request(samples: 2));

        var chunks = await ReadAll(stream);

        Assert.Equal(2, stream.Attempts);
        Assert.Equal(2, stream.Result.Data.Count);
        Assert.All(stream.Result.Data, sample => Assert.Equal(string.Concat(chunks.Where(c => c.Index == sample.Index).Select(c => c.Output)), sample.RawOutput));
    }

    [Fact]
    public async Task Cancelling_during_a_stall_before_headers_returns_promptly()
    {
        await Fault(new { path = CompletionPath, fault = "stall_before_headers" });

        await AssertStopsPromptlyOnCancel(Client(), "a stall");
    }

    [Fact]
    public async Task Cancelling_during_a_backoff_wait_returns_promptly()
    {
        await Fault(new { path = CompletionPath, fault = "status", status = 503, retry_after = "30" });

        await AssertStopsPromptlyOnCancel(Client(clock: SystemRetryClock.Instance), "a 30 s backoff");
        Assert.Equal(1, await RequestsSeen());
    }

    // Cancels once the server has seen the request and the call is waiting, and times only the stop.
    private async Task AssertStopsPromptlyOnCancel(HumanloopClient client, string during)
    {
        using var cancellation = new CancellationTokenSource();
        var call = client.CompleteAsync(Request(), cancellation.Token);
        while (await RequestsSeen() < 1)
        {
            await Task.Delay(10);
        }

        await Task.Delay(100);
        var watch = Stopwatch.StartNew();
        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        _output.WriteLine($"stop after cancel during {during}: {watch.Elapsed.TotalMilliseconds:0} ms");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
    }
}
