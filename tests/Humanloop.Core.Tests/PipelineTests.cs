using System.Diagnostics;
using System.Net;
using Humanloop.Http;
using Humanloop.Tests.Support;
using Xunit;
using static Humanloop.Tests.Support.TestClients;

namespace Humanloop.Tests;

public class PipelineTests
{
    [Fact]
    public async Task Requests_carry_the_key_header_json_and_the_resolved_path()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.OK, Success);
        var client = Create(handler);

        await client.CompleteAsync(new CompletionExperimentRequest { ExperimentId = "exp_1" });

        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("http://127.0.0.1:5080/v4/completion-experiment", request.Uri.ToString());
        Assert.Equal(Key, request.Headers["X-API-KEY"]);
        Assert.Equal("application/json", request.Headers["Accept"]);
        Assert.StartsWith("HumanloopPS/", request.Headers["User-Agent"]);
        Assert.DoesNotContain("Authorization", request.Headers.Keys);
    }

    [Theory]
    [InlineData("http://localhost:5080", "http://localhost:5080/v4/")]
    [InlineData("http://localhost:5080/", "http://localhost:5080/v4/")]
    [InlineData("http://localhost:5080/v4", "http://localhost:5080/v4/")]
    [InlineData("https://proxy.example/humanloop/v4/", "https://proxy.example/humanloop/v4/")]
    [InlineData("https://api.humanloop.com/v4?x=1", "https://api.humanloop.com/v4/")]
    public void Base_uris_are_normalized_to_the_api_root(string given, string root)
    {
        Assert.Equal(root, HumanloopSettings.NormalizeRoot(new Uri(given)).ToString());
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(529)]
    public async Task Transient_statuses_are_retried_and_the_attempts_counted(int status)
    {
        var handler = new ScriptedHandler().ThenRespond((HttpStatusCode)status, "{}").ThenRespond(HttpStatusCode.OK, Success);
        var clock = new RecordingClock();

        var response = await Create(handler, clock: clock).CompleteAsync(new CompletionDeployedRequest());

        Assert.Equal("ok", response.Output);
        Assert.Equal(2, response.Attempts);
        Assert.Equal(2, handler.Requests.Count);
        Assert.Single(clock.Delays);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(422)]
    public async Task Client_errors_are_not_retried(int status)
    {
        var handler = new ScriptedHandler().ThenRespond((HttpStatusCode)status, """{"detail":"no"}""");

        var error = await Assert.ThrowsAsync<HumanloopApiException>(() => Create(handler).CompleteAsync(new CompletionDeployedRequest()));

        Assert.Equal(1, error.Attempts);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_burst_that_outlasts_the_retries_fails_with_the_last_status_and_every_attempt_counted()
    {
        var handler = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.ServiceUnavailable, "{}")
            .ThenRespond((HttpStatusCode)529, "{}")
            .ThenRespond(HttpStatusCode.ServiceUnavailable, """{"detail":"still overloaded"}""");
        var clock = new RecordingClock();

        var error = await Assert.ThrowsAsync<HumanloopApiException>(() => Create(handler, clock: clock).CompleteAsync(new CompletionDeployedRequest()));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(3, error.Attempts);
        Assert.Contains("still overloaded", error.Message);
        Assert.Equal(2, clock.Delays.Count);
    }

    [Fact]
    public async Task Backoff_doubles_from_0_8_seconds_with_jitter_and_caps_at_10()
    {
        var handler = new ScriptedHandler();
        for (var i = 0; i < 7; i++)
        {
            handler.ThenRespond(HttpStatusCode.BadGateway, "{}");
        }

        handler.ThenRespond(HttpStatusCode.OK, Success);
        var clock = new RecordingClock();

        await Create(handler, maxRetries: 7, clock: clock, random: () => 1.0).CompleteAsync(new CompletionDeployedRequest());

        // random 1.0 is the top of the ±20 % band: 0.8 s × 2^n × 1.2, capped at 10 s.
        Assert.Equal(new[] { 0.96, 1.92, 3.84, 7.68, 10, 10, 10 }, clock.Delays.Select(d => Math.Round(d.TotalSeconds, 2)));
    }

    [Fact]
    public async Task A_longer_server_hint_wins_over_the_computed_backoff()
    {
        var handler = new ScriptedHandler()
            .ThenRespond((HttpStatusCode)429, "{}", headers: h => h.TryAddWithoutValidation("retry-after-ms", "4500"))
            .ThenRespond((HttpStatusCode)429, "{}", headers: h => h.TryAddWithoutValidation("Retry-After", "0"))
            .ThenRespond(HttpStatusCode.OK, Success);
        var clock = new RecordingClock();

        await Create(handler, clock: clock, random: () => 0.5).CompleteAsync(new CompletionDeployedRequest());

        Assert.Equal(new[] { 4.5, 1.6 }, clock.Delays.Select(d => Math.Round(d.TotalSeconds, 2)));
    }

    [Fact]
    public async Task A_hint_above_a_minute_is_not_slept_but_returned()
    {
        var handler = new ScriptedHandler().ThenRespond((HttpStatusCode)429, """{"detail":"quota"}""", headers: h => h.TryAddWithoutValidation("Retry-After", "3600"));
        var clock = new RecordingClock();

        var error = await Assert.ThrowsAsync<HumanloopApiException>(() => Create(handler, clock: clock).CompleteAsync(new CompletionDeployedRequest()));

        Assert.Equal(TimeSpan.FromHours(1), error.RetryAfter);
        Assert.Equal(1, error.Attempts);
        Assert.Empty(clock.Delays);
    }

    [Fact]
    public async Task Connection_failures_before_a_response_are_retried()
    {
        var handler = new ScriptedHandler()
            .ThenThrow(new HttpRequestException("Connection refused"))
            .ThenRespond(HttpStatusCode.OK, Success);

        var response = await Create(handler).CompleteAsync(new CompletionDeployedRequest());

        Assert.Equal(2, response.Attempts);
    }

    [Fact]
    public async Task Connection_failures_that_persist_become_a_connection_error()
    {
        var handler = new ScriptedHandler().ThenThrow(new HttpRequestException("Connection refused"));

        var error = await Assert.ThrowsAsync<HumanloopConnectionException>(() => Create(handler, maxRetries: 0).CompleteAsync(new CompletionDeployedRequest()));

        Assert.Contains("Connection refused", error.Message);
        Assert.Contains("http://127.0.0.1:5080/v4/completion-deployed", error.Message);
    }

    [Fact]
    public async Task An_attempt_that_takes_too_long_times_out_and_is_retried()
    {
        var handler = new ScriptedHandler().ThenHang().ThenRespond(HttpStatusCode.OK, Success);

        var response = await Create(handler, configure: o => o.Timeout = TimeSpan.FromMilliseconds(200)).CompleteAsync(new CompletionDeployedRequest());

        Assert.Equal(2, response.Attempts);
    }

    [Fact]
    public async Task Timeouts_on_every_attempt_end_in_a_timeout_error()
    {
        var handler = new ScriptedHandler().ThenHang().ThenHang();

        var error = await Assert.ThrowsAsync<HumanloopTimeoutException>(
            () => Create(handler, maxRetries: 1, configure: o => o.Timeout = TimeSpan.FromMilliseconds(100)).CompleteAsync(new CompletionDeployedRequest()));

        Assert.Equal(2, error.Attempts);
        Assert.Contains("did not complete within 0.1 s", error.Message);
    }

    [Fact]
    public async Task Cancelling_a_hung_request_returns_promptly_and_is_not_retried()
    {
        var handler = new ScriptedHandler().ThenHang();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));
        var stopwatch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Create(handler).CompleteAsync(new CompletionDeployedRequest(), cancellation.Token));

        Assert.Single(handler.Requests);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task Cancelling_during_a_backoff_wait_stops_the_wait()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.ServiceUnavailable, "{}", headers: h => h.TryAddWithoutValidation("Retry-After", "30"));
        var options = Options(handler);
        var client = new HumanloopClient(options);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var stopwatch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.CompleteAsync(new CompletionDeployedRequest(), cancellation.Token));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task A_stream_is_retried_only_before_it_opens()
    {
        var handler = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.ServiceUnavailable, "{}")
            .ThenStream(new ScriptedBody().Text(Event(Chunk(0, "a"))).Reset());
        var client = Create(handler);

        using var stream = await client.CompleteStreamingAsync(new CompletionDeployedRequest());
        Assert.Equal(2, stream.Attempts);
        await stream.ReadNextAsync();
        await Assert.ThrowsAsync<HumanloopStreamException>(() => stream.ReadNextAsync());

        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task A_declared_body_far_larger_than_any_response_is_refused()
    {
        var handler = new ScriptedHandler().Then((_, _) =>
        {
            var content = new ByteArrayContent([]);
            content.Headers.ContentLength = HttpPipeline.MaxResponseBytes + 1L;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        });

        var error = await Assert.ThrowsAsync<HumanloopResponseException>(() => Create(handler).CompleteAsync(new CompletionDeployedRequest()));

        Assert.Contains("64 MiB", error.Message);
    }

    [Fact]
    public async Task Options_changed_after_the_client_was_made_do_not_change_it()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.OK, Success);
        var options = Options(handler);
        var client = new HumanloopClient(options);

        options.Timeout = TimeSpan.FromTicks(1);
        var response = await client.CompleteAsync(new CompletionDeployedRequest());

        Assert.Equal(1, response.Attempts);
    }

    [Fact]
    public void A_proxy_credential_without_a_proxy_is_rejected()
    {
        var options = Options(new ScriptedHandler());
        options.ProxyCredential = new NetworkCredential("user", "pass");

        var error = Assert.Throws<HumanloopSettingException>(() => new HumanloopClient(options));

        Assert.Equal("ProxyCredential", error.ParamName);
        Assert.Equal(HumanloopSettingProblem.NeedsProxy, error.Problem);
    }

    [Fact]
    public async Task A_null_item_in_a_list_response_is_an_error_naming_it()
    {
        var client = Create(new ScriptedHandler().ThenRespond(HttpStatusCode.OK, """{"records":[{"id":"pr_1","name":"a"},null],"page":0,"size":10,"total":2}"""));

        var error = await Assert.ThrowsAsync<HumanloopResponseException>(() => client.ListProjectsAsync(0, 10));

        Assert.Contains("records[1] is null", error.Message);
    }

    [Fact]
    public void Options_out_of_range_are_rejected_with_their_name()
    {
        var options = Options(new ScriptedHandler());
        options.MaxRetries = 11;

        var error = Assert.Throws<HumanloopSettingException>(() => new HumanloopClient(options));

        Assert.Equal("MaxRetries", error.ParamName);
        Assert.Equal(HumanloopSettingProblem.OutOfRange, error.Problem);
    }
}

public class SecretTests
{
    [Fact]
    public void The_key_never_shows_in_its_text_forms()
    {
        var key = new HumanloopApiKey(Key);

        Assert.Equal("****cdef", key.ToString());
        Assert.Equal("****cdef", key.Masked);
        Assert.Equal("****", new HumanloopApiKey("short").Masked);
    }

    [Fact]
    public void The_fingerprint_tells_keys_apart_without_showing_them()
    {
        var key = new HumanloopApiKey(Key);
        var sameEnding = new HumanloopApiKey("hl_another_key_99999999cdef");

        Assert.Equal(new HumanloopApiKey(Key).Fingerprint, key.Fingerprint);
        Assert.Equal(key.Masked, sameEnding.Masked);
        Assert.NotEqual(key.Fingerprint, sameEnding.Fingerprint);
        Assert.Equal(16, key.Fingerprint.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("abc\ndef")]
    [InlineData("ключ")]
    public void Keys_a_header_cannot_carry_are_rejected(string value)
    {
        Assert.Throws<ArgumentException>(() => new HumanloopApiKey(value));
    }

    [Fact]
    public void Provider_keys_are_masked_in_logged_bodies()
    {
        var body = System.Text.Encoding.UTF8.GetBytes("""{"provider_api_keys":{"openai":"sk-secret","openai_azure_endpoint":"x"},"inputs":{"a":"sk-visible"}}""");

        var redacted = Redactor.RedactJson(body);

        Assert.Equal("""{"provider_api_keys":{"openai":"****","openai_azure_endpoint":"****"},"inputs":{"a":"sk-visible"}}""", redacted);
    }

    [Fact]
    public async Task A_key_echoed_by_the_server_is_masked_in_the_exception()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.Unauthorized, $$"""{"detail":"unknown key {{Key}}"}""");

        var error = await Assert.ThrowsAsync<HumanloopApiException>(() => Create(handler).CompleteAsync(new CompletionDeployedRequest()));

        Assert.DoesNotContain(Key, error.ToString());
        Assert.DoesNotContain(Key, error.Detail.RawBody);
        Assert.Contains("unknown key ****cdef", error.Message);
    }

    [Fact]
    public async Task A_key_echoed_inside_a_malformed_chunk_is_masked()
    {
        var handler = new ScriptedHandler().ThenStream(ScriptedBody.Of($"data: {{oops {Key}\n\n"));
        using var stream = await Create(handler).CompleteStreamingAsync(new CompletionDeployedRequest());

        var error = await Assert.ThrowsAsync<HumanloopStreamException>(() => stream.ReadNextAsync());

        Assert.DoesNotContain(Key, error.RawText);
        Assert.DoesNotContain(Key, error.ToString());
    }

    [Fact]
    public async Task Diagnostics_show_the_masked_key_and_never_the_key_or_provider_keys()
    {
        var logger = new CollectingLogger();
        var handler = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.ServiceUnavailable, $$"""{"detail":"bad key {{Key}}"}""")
            .ThenRespond(HttpStatusCode.OK, """{"data":[],"provider_responses":[]}""");
        var client = Create(handler, configure: o => o.Logger = logger);

        await client.CompleteAsync(new CompletionDeployedRequest { ProviderApiKeys = new() { ["openai"] = "sk-provider-secret" } });

        Assert.NotEmpty(logger.Messages);
        Assert.Contains(logger.Messages, m => m.Contains("****cdef"));
        Assert.Contains(logger.Messages, m => m.StartsWith("Warning:") && m.Contains("503") && m.Contains("retrying in"));
        Assert.DoesNotContain(logger.Messages, m => m.Contains(Key) || m.Contains("sk-provider-secret"));
    }

    private sealed class CollectingLogger : IHumanloopLogger
    {
        public List<string> Messages { get; } = [];

        public bool IsEnabled(HumanloopLogLevel level) => true;

        public void Log(HumanloopLogLevel level, string message)
        {
            lock (Messages)
            {
                Messages.Add($"{level}: {message}");
            }
        }
    }
}

public class ModelConfigReaderTests
{
    [Fact]
    public void Snake_pascal_and_camel_case_keys_are_all_read()
    {
        var config = Json.ModelConfigReader.Read(new System.Collections.Hashtable
        {
            ["model"] = "gpt-4o",
            ["PromptTemplate"] = "Say {{x}}",
            ["maxTokens"] = 20,
            ["top_p"] = 0.5,
            ["stop"] = "END",
            ["other"] = new System.Collections.Hashtable { ["logit_bias"] = new System.Collections.Hashtable { ["50256"] = -100 } },
        });

        Assert.Equal(("gpt-4o", "Say {{x}}", 20, 0.5), (config.Model, config.PromptTemplate, config.MaxTokens, config.TopP));
        Assert.Equal(new[] { "END" }, config.Stop);
        Assert.Equal(-100L, ((System.Collections.IDictionary)config.Other!["logit_bias"]!)["50256"]);
    }

    [Fact]
    public void Response_format_keys_may_be_spelled_in_pascal_case_too()
    {
        var config = Json.ModelConfigReader.Read(new System.Collections.Hashtable
        {
            ["model"] = "m",
            ["ResponseFormat"] = new System.Collections.Hashtable { ["Type"] = "json_object" },
        });

        Assert.Equal("json_object", config.ResponseFormat!.Type);
    }

    [Fact]
    public void An_unknown_key_is_named()
    {
        var error = Assert.Throws<HumanloopInputException>(() => Json.ModelConfigReader.Read(new System.Collections.Hashtable { ["model"] = "m", ["temprature"] = 1 }));

        Assert.Contains("temprature", error.Message);
        Assert.Contains("Known keys", error.Message);
        Assert.Contains("prompt_template", error.Message);
    }

    [Fact]
    public void A_value_of_the_wrong_type_names_the_field()
    {
        var error = Assert.Throws<HumanloopInputException>(() => Json.ModelConfigReader.Read(new System.Collections.Hashtable { ["model"] = "m", ["max_tokens"] = "lots" }));

        Assert.Contains("max_tokens", error.Message);
    }
}
