using System.Diagnostics;
using System.Net;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Humanloop.Server.Hosting;
using Humanloop.Server.Tests.Infrastructure;

namespace Humanloop.Server.Tests;

public sealed class FaultServerFixture : IAsyncLifetime
{
    public RunningServer Server { get; private set; } = null!;

    public ApiClient Api { get; private set; } = null!;

    /// <summary>Talks to /_faults, which takes the server's key like /v4.</summary>
    public HttpClient Control { get; } = new() { DefaultRequestHeaders = { { "X-API-KEY", TestServers.ApiKey } } };

    public async Task InitializeAsync()
    {
        Server = await TestServers.StartAsync(TestServers.InMemory(faults: true));
        Api = new ApiClient(Server, TestServers.ApiKey);
    }

    public async Task DisposeAsync()
    {
        Control.Dispose();
        Api.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>Each fault mode, as a client's retry and stream handling will meet it. Tests in this class share rules, so they run one at a time.</summary>
public sealed class FaultInjectionTests : IClassFixture<FaultServerFixture>, IAsyncLifetime
{
    private readonly FaultServerFixture _fixture;
    private readonly ApiClient _api;

    public FaultInjectionTests(FaultServerFixture fixture)
    {
        _fixture = fixture;
        _api = fixture.Api;
    }

    public async Task InitializeAsync() => (await _fixture.Control.DeleteAsync(_fixture.Server.BaseUrl + "/_faults")).EnsureSuccessStatusCode();

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<JsonObject> AddRuleAsync(JsonObject rule)
    {
        using var response = await _fixture.Control.PostAsync(_fixture.Server.BaseUrl + "/_faults",
            new StringContent(rule.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private async Task<JsonObject> FaultStateAsync() =>
        JsonNode.Parse(await _fixture.Control.GetStringAsync(_fixture.Server.BaseUrl + "/_faults"))!.AsObject();

    private static JsonObject StreamingCompletion(int samples = 1) => new()
    {
        ["project"] = "faults",
        ["model_config"] = new JsonObject { ["model"] = "m", ["prompt_template"] = "stream {{x}}" },
        ["inputs"] = new JsonObject { ["x"] = "please" },
        ["num_samples"] = samples,
        ["stream"] = true,
    };

    private async Task<HttpResponseMessage> PostStreamingAsync(JsonObject body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "completion") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        return await _api.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    [Fact]
    public async Task Status_rules_answer_with_retry_hints_then_run_out_and_the_counters_show_every_attempt()
    {
        var rule = await AddRuleAsync(new JsonObject
        {
            ["path"] = "/v4/projects",
            ["method"] = "GET",
            ["count"] = 2,
            ["fault"] = "status",
            ["status"] = 429,
            ["retry_after"] = "2",
            ["retry_after_ms"] = 1500,
        });
        Assert.StartsWith("fault_", (string)rule["id"]!);

        for (var attempt = 0; attempt < 2; attempt++)
        {
            var limited = (await _api.GetAsync("projects")).ShouldBe(HttpStatusCode.TooManyRequests);
            Assert.Equal("2", limited.Headers.GetValues("Retry-After").Single());
            Assert.Equal("1500", limited.Headers.GetValues("retry-after-ms").Single());
            Assert.Equal(429, (int)limited.Object["detail"]!["code"]!);
        }

        (await _api.GetAsync("projects")).ShouldBe(HttpStatusCode.OK);
        (await _api.PostAsync("projects", new JsonObject { ["name"] = Names.Unique("unaffected") })).ShouldBe(HttpStatusCode.Created);

        var state = await FaultStateAsync();
        var listed = state["rules"]!.AsArray().Single()!;
        Assert.Equal(0, (int)listed["remaining"]!);
        Assert.Equal(2, (int)listed["hits"]!);
        Assert.Equal(4, (int)state["requests"]!["/v4/projects"]!);

        (await _fixture.Control.DeleteAsync(_fixture.Server.BaseUrl + "/_faults")).EnsureSuccessStatusCode();
        var cleared = await FaultStateAsync();
        Assert.Empty(cleared["rules"]!.AsArray());
        Assert.Empty(cleared["requests"]!.AsObject());
    }

    [Fact]
    public async Task A_burst_of_5xx_on_a_prefix_with_a_proxy_html_page()
    {
        await AddRuleAsync(new JsonObject { ["path"] = "/v4/*", ["count"] = 3, ["fault"] = "status", ["status"] = 502, ["content_type"] = "text/html", ["body"] = "<html>Bad gateway</html>" });
        for (var i = 0; i < 3; i++)
        {
            using var response = await _api.Http.GetAsync("projects?page=" + i);
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
            Assert.Equal("<html>Bad gateway</html>", await response.Content.ReadAsStringAsync());
        }

        (await _api.GetAsync("projects")).ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Rules_are_taken_in_order_one_per_request()
    {
        await AddRuleAsync(new JsonObject { ["fault"] = "status", ["status"] = 503 });
        await AddRuleAsync(new JsonObject { ["fault"] = "status", ["status"] = 500 });
        (await _api.GetAsync("projects")).ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await _api.GetAsync("projects")).ShouldBe(HttpStatusCode.InternalServerError);
        (await _api.GetAsync("projects")).ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Stall_before_headers_delays_then_answers_normally()
    {
        await AddRuleAsync(new JsonObject { ["path"] = "/v4/projects", ["fault"] = "stall_before_headers", ["delay_ms"] = 400 });
        var stopwatch = Stopwatch.StartNew();
        (await _api.GetAsync("projects")).ShouldBe(HttpStatusCode.OK);
        Assert.True(stopwatch.ElapsedMilliseconds >= 380, $"answered after {stopwatch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Stall_before_headers_without_a_delay_lasts_until_the_client_gives_up()
    {
        await AddRuleAsync(new JsonObject { ["path"] = "/v4/projects", ["fault"] = "stall_before_headers" });
        using var impatient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(300) };
        impatient.DefaultRequestHeaders.Add("X-API-KEY", TestServers.ApiKey);
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => impatient.GetAsync(_fixture.Server.ApiUrl + "/projects"));
        (await _api.GetAsync("projects")).ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Reset_before_headers_drops_the_connection()
    {
        await AddRuleAsync(new JsonObject { ["path"] = "/v4/projects", ["fault"] = "reset_before_headers" });
        await Assert.ThrowsAsync<HttpRequestException>(() => _api.Http.GetAsync("projects"));
        Assert.Equal(1, (int)(await FaultStateAsync())["rules"]![0]!["hits"]!);
    }

    [Fact]
    public async Task Reset_mid_body_sends_half_a_json_body_then_aborts()
    {
        await AddRuleAsync(new JsonObject { ["path"] = "/v4/projects", ["method"] = "GET", ["fault"] = "reset_mid_body" });
        using var response = await _api.Http.GetAsync("projects", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var failure = await Record.ExceptionAsync(() => response.Content.ReadAsStringAsync());
        Assert.True(failure is HttpRequestException or IOException, $"expected a transport error, got {failure?.GetType().Name ?? "none"}");
    }

    [Fact]
    public async Task Stream_only_faults_skip_non_streaming_requests()
    {
        await AddRuleAsync(new JsonObject { ["path"] = "/v4/completion", ["fault"] = "cut_mid_stream" });
        var plain = StreamingCompletion();
        plain["stream"] = false;
        (await _api.PostAsync("completion", plain)).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(1, (int)(await FaultStateAsync())["rules"]![0]!["remaining"]!);
    }

    [Fact]
    public async Task Stall_mid_stream_pauses_after_the_given_events_then_finishes()
    {
        await AddRuleAsync(new JsonObject { ["path"] = "/v4/completion", ["fault"] = "stall_mid_stream", ["after_events"] = 2, ["delay_ms"] = 500 });
        using var response = await PostStreamingAsync(StreamingCompletion());
        var arrivals = new List<(long Ms, string Data)>();
        var stopwatch = Stopwatch.StartNew();
        await foreach (var item in SseParser.Create(await response.Content.ReadAsStreamAsync()).EnumerateAsync())
        {
            arrivals.Add((stopwatch.ElapsedMilliseconds, item.Data));
        }

        Assert.True(arrivals.Count > 3);
        Assert.True(arrivals[2].Ms - arrivals[1].Ms >= 450, $"gap was {arrivals[2].Ms - arrivals[1].Ms} ms");
        Assert.Equal("stop", (string)JsonNode.Parse(arrivals[^1].Data)!["data"]![0]!["finish_reason"]!);
    }

    [Fact]
    public async Task Cut_mid_stream_ends_cleanly_before_any_sample_finished()
    {
        await AddRuleAsync(new JsonObject { ["path"] = "/v4/completion", ["fault"] = "cut_mid_stream", ["after_events"] = 3 });
        using var response = await PostStreamingAsync(StreamingCompletion(samples: 2));
        var body = await response.Content.ReadAsStringAsync();
        var events = SseBody.Events(body);
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Null(e["data"]![0]!["finish_reason"]));
    }

    [Fact]
    public async Task Cut_mid_stream_with_abort_breaks_the_connection()
    {
        await AddRuleAsync(new JsonObject { ["path"] = "/v4/completion", ["fault"] = "cut_mid_stream", ["after_events"] = 1, ["abort"] = true });
        using var response = await PostStreamingAsync(StreamingCompletion());
        var failure = await Record.ExceptionAsync(() => response.Content.ReadAsStringAsync());
        Assert.True(failure is HttpRequestException or IOException, $"expected a transport error, got {failure?.GetType().Name ?? "none"}");
    }

    [Fact]
    public async Task Malformed_chunk_is_one_invalid_event_in_an_otherwise_normal_stream()
    {
        await AddRuleAsync(new JsonObject { ["path"] = "/v4/completion", ["fault"] = "malformed_chunk", ["after_events"] = 2 });
        using var response = await PostStreamingAsync(StreamingCompletion());
        var payloads = SseBody.EventPayloads(await response.Content.ReadAsStringAsync());
        Assert.ThrowsAny<JsonException>(() => JsonNode.Parse(payloads[2]));
        var valid = payloads.Where((_, i) => i != 2).Select(p => JsonNode.Parse(p)!).ToList();
        Assert.Equal("stop", (string)valid[^1]["data"]![0]!["finish_reason"]!);
    }

    [Fact]
    public async Task Invalid_rules_are_rejected()
    {
        using var response = await _fixture.Control.PostAsync(_fixture.Server.BaseUrl + "/_faults",
            new StringContent("{\"fault\":\"explode\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        using var noStatus = await _fixture.Control.PostAsync(_fixture.Server.BaseUrl + "/_faults",
            new StringContent("{\"fault\":\"status\"}", Encoding.UTF8, "application/json"));
        Assert.Contains("[\"body\",\"status\"]", await noStatus.Content.ReadAsStringAsync());
        using var noDelay = await _fixture.Control.PostAsync(_fixture.Server.BaseUrl + "/_faults",
            new StringContent("{\"fault\":\"delay\"}", Encoding.UTF8, "application/json"));
        Assert.Contains("[\"body\",\"delay_ms\"]", await noDelay.Content.ReadAsStringAsync());
        using var negative = await _fixture.Control.PostAsync(_fixture.Server.BaseUrl + "/_faults",
            new StringContent("{\"fault\":\"delay\",\"delay_ms\":-1}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, negative.StatusCode);
    }

    [Fact]
    public async Task A_delay_waits_then_the_request_goes_on_down_the_rules_added_after_it()
    {
        // The 500 was added before the delay, so a request the delay took never meets it; and a request
        // waits once, so the second delay only takes requests the first one did not.
        await AddRuleAsync(new JsonObject { ["path"] = "/v4/projects", ["fault"] = "status", ["status"] = 500 });
        await AddRuleAsync(new JsonObject { ["path"] = "/v4/projects", ["fault"] = "delay", ["delay_ms"] = 300, ["count"] = 2 });
        await AddRuleAsync(new JsonObject { ["path"] = "/v4/projects", ["fault"] = "delay", ["delay_ms"] = 1 });
        await AddRuleAsync(new JsonObject { ["path"] = "/v4/projects", ["fault"] = "status", ["status"] = 503 });

        (await _api.GetAsync("projects")).ShouldBe(HttpStatusCode.InternalServerError);
        var stopwatch = Stopwatch.StartNew();
        (await _api.GetAsync("projects")).ShouldBe(HttpStatusCode.ServiceUnavailable);
        Assert.True(stopwatch.ElapsedMilliseconds >= 280, $"answered after {stopwatch.ElapsedMilliseconds} ms");
        (await _api.GetAsync("projects")).ShouldBe(HttpStatusCode.OK);
        (await _api.GetAsync("projects")).ShouldBe(HttpStatusCode.OK);

        var hits = (await FaultStateAsync())["rules"]!.AsArray().Select(rule => (int)rule!["hits"]!).ToList();
        Assert.Equal([1, 2, 1, 1], hits);
    }

    [Fact]
    public async Task Each_rule_tells_how_many_requests_were_in_flight_when_it_was_taken()
    {
        await AddRuleAsync(new JsonObject { ["path"] = "/v4/projects", ["fault"] = "delay", ["delay_ms"] = 1000, ["count"] = 3 });
        await AddRuleAsync(new JsonObject { ["path"] = "/v4/evaluators", ["fault"] = "delay", ["delay_ms"] = 1 });

        var three = Enumerable.Range(0, 3).Select(_ => _api.GetAsync("projects")).ToList();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((int)(await FaultStateAsync())["in_flight"]! < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "three delayed requests should be in flight");
            await Task.Delay(10);
        }

        foreach (var answer in await Task.WhenAll(three))
        {
            answer.ShouldBe(HttpStatusCode.OK);
        }

        (await _api.GetAsync("evaluators")).ShouldBe(HttpStatusCode.OK);
        var state = await FaultStateAsync();
        Assert.Equal([3, 1], state["rules"]!.AsArray().Select(rule => (int)rule!["max_in_flight"]!));
        Assert.Equal(0, (int)state["in_flight"]!);
    }

    [Fact]
    public async Task A_barrier_holds_a_request_until_enough_others_have_arrived()
    {
        await AddRuleAsync(new JsonObject { ["path"] = "/v4/projects", ["fault"] = "status", ["status"] = 429, ["await_requests"] = 3 });
        await AddRuleAsync(new JsonObject { ["path"] = "/v4/projects", ["fault"] = "delay", ["delay_ms"] = 0, ["await_requests"] = 3 });

        var first = _api.GetAsync("projects");
        var second = _api.GetAsync("projects");
        await Task.Delay(300);
        Assert.False(first.IsCompleted || second.IsCompleted, "both wait for a third request");
        Assert.Equal(2, (int)(await FaultStateAsync())["in_flight"]!);

        (await _api.GetAsync("projects")).ShouldBe(HttpStatusCode.OK);
        var answers = new[] { (await first).Status, (await second).Status };
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.TooManyRequests], answers.Order());
    }

    [Fact]
    public async Task A_clear_releases_the_requests_at_a_barrier()
    {
        await AddRuleAsync(new JsonObject { ["path"] = "/v4/projects", ["fault"] = "status", ["status"] = 503, ["await_requests"] = 100 });
        var waiting = _api.GetAsync("projects");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((int)(await FaultStateAsync())["in_flight"]! < 1)
        {
            Assert.True(DateTime.UtcNow < deadline, "the request should be waiting");
            await Task.Delay(10);
        }

        (await _fixture.Control.DeleteAsync(_fixture.Server.BaseUrl + "/_faults")).EnsureSuccessStatusCode();

        (await waiting).ShouldBe(HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task A_request_stops_being_in_flight_when_its_client_gives_up()
    {
        await AddRuleAsync(new JsonObject { ["path"] = "/v4/projects", ["fault"] = "stall_before_headers" });
        using var impatient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(300) };
        impatient.DefaultRequestHeaders.Add("X-API-KEY", TestServers.ApiKey);
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => impatient.GetAsync(_fixture.Server.ApiUrl + "/projects"));

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((int)(await FaultStateAsync())["in_flight"]! > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the abandoned request should leave");
            await Task.Delay(10);
        }
    }
}
