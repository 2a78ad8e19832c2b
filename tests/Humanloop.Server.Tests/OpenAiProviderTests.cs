using System.Net;
using System.Text.Json.Nodes;
using Humanloop.Server.Hosting;
using Humanloop.Server.Tests.Infrastructure;

namespace Humanloop.Server.Tests;

public sealed class OpenAiProviderFixture : IAsyncLifetime
{
    public const string ServerKey = "sk-server-configured";

    public OpenAiStub Stub { get; private set; } = null!;

    public RunningServer Server { get; private set; } = null!;

    public ApiClient Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Stub = await OpenAiStub.StartAsync();
        Server = await TestServers.StartAsync(TestServers.InMemory() with
        {
            OpenAiBaseUrl = Stub.BaseUrl + "/v1",
            OpenAiApiKey = ServerKey,
            AzureOpenAiApiKey = "azure-server-key",
        });
        Api = new ApiClient(Server, TestServers.ApiKey);
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await Server.DisposeAsync();
        await Stub.DisposeAsync();
    }
}

/// <summary>The openai provider against an OpenAI-compatible stub. Tests share the stub's request log, so they run one at a time.</summary>
public sealed class OpenAiProviderTests(OpenAiProviderFixture fixture) : IClassFixture<OpenAiProviderFixture>
{
    private readonly ApiClient _api = fixture.Api;

    private static JsonObject Request(string model, string provider = "openai", JsonObject? keys = null, bool stream = false, int samples = 1) => new()
    {
        ["project"] = "openai-forwarding",
        ["model_config"] = new JsonObject
        {
            ["provider"] = provider,
            ["model"] = model,
            ["prompt_template"] = "Say hello to {{name}}",
            ["temperature"] = 0.3,
            ["stop"] = "###",
            ["other"] = new JsonObject { ["logit_bias"] = new JsonObject { ["50256"] = -100 }, ["mock_token_delay_ms"] = 5 },
        },
        ["inputs"] = new JsonObject { ["name"] = "Ada" },
        ["provider_api_keys"] = keys,
        ["stream"] = stream,
        ["num_samples"] = samples,
        ["user"] = "end-user-1",
    };

    private StubRequest LastStubRequest() => fixture.Stub.Requests[^1];

    [Fact]
    public async Task Non_streaming_forwards_the_rendered_prompt_and_maps_the_answer_back()
    {
        var response = (await _api.PostAsync("completion", Request("gpt-4o-mini", keys: new JsonObject { ["openai"] = "sk-from-request" })))
            .ShouldBe(HttpStatusCode.OK).Object;

        var sent = LastStubRequest();
        Assert.Equal("/v1/chat/completions", sent.Path);
        Assert.Equal("Bearer sk-from-request", sent.Authorization);
        Assert.Equal("gpt-4o-mini", (string)sent.Body["model"]!);
        Assert.Equal("user", (string)sent.Body["messages"]![0]!["role"]!);
        Assert.Equal("Say hello to Ada", (string)sent.Body["messages"]![0]!["content"]!);
        Assert.Equal(0.3, (double)sent.Body["temperature"]!);
        Assert.Equal(1, (int)sent.Body["n"]!);
        Assert.False((bool)sent.Body["stream"]!);
        Assert.Equal("###", (string)sent.Body["stop"]!);
        Assert.Equal("end-user-1", (string)sent.Body["user"]!);
        Assert.False(sent.Body.ContainsKey("max_tokens"), "max_tokens -1 must not be forwarded");
        Assert.Equal(-100, (int)sent.Body["logit_bias"]!["50256"]!);
        Assert.False(sent.Body.ContainsKey("mock_token_delay_ms"));

        var item = response["data"]![0]!;
        Assert.Equal(OpenAiStub.Answer(0), (string)item["output"]!);
        Assert.Equal("stop", (string)item["finish_reason"]!);
        Assert.Equal(11, (int)response["usage"]!["prompt_tokens"]!);
        Assert.Equal(4, (int)response["usage"]!["generation_tokens"]!);
        Assert.Equal("chat.completion", (string)response["provider_responses"]![0]!["object"]!);

        // The stored log keeps the provider request but never a key.
        var log = (await _api.GetAsync($"logs/{item["id"]}")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal("Say hello to Ada", (string)log.Object["provider_request"]!["messages"]![0]!["content"]!);
        Assert.DoesNotContain("sk-from-request", log.Text);
        Assert.DoesNotContain(OpenAiProviderFixture.ServerKey, log.Text);
    }

    [Fact]
    public async Task The_configured_key_is_used_when_the_request_has_none()
    {
        (await _api.PostAsync("completion", Request("gpt-4o-mini"))).ShouldBe(HttpStatusCode.OK);
        Assert.Equal($"Bearer {OpenAiProviderFixture.ServerKey}", LastStubRequest().Authorization);
    }

    [Fact]
    public async Task Tool_calls_finish_reason_is_reported_as_tool_call()
    {
        var response = (await _api.PostAsync("completion", Request("tools"))).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal("tool_call", (string)response["data"]![0]!["finish_reason"]!);
    }

    [Fact]
    public async Task Streaming_translates_upstream_deltas_per_choice_with_usage()
    {
        var (httpResponse, body) = await _api.PostRawAsync("completion", Request("gpt-4o-mini", stream: true, samples: 2));
        Assert.Equal(HttpStatusCode.OK, httpResponse.StatusCode);

        var sent = LastStubRequest();
        Assert.True((bool)sent.Body["stream"]!);
        Assert.Equal(2, (int)sent.Body["n"]!);
        Assert.True((bool)sent.Body["stream_options"]!["include_usage"]!);

        var events = SseBody.Events(body);
        foreach (var group in events.GroupBy(e => (int)e["data"]![0]!["index"]!))
        {
            var chunks = group.ToList();
            Assert.Equal(OpenAiStub.Answer(group.Key), string.Concat(chunks.Select(c => (string)c["data"]![0]!["output"]!)));
            Assert.All(chunks.SkipLast(1), c => Assert.Null(c["data"]![0]!["finish_reason"]));
            Assert.Equal("stop", (string)chunks[^1]["data"]![0]!["finish_reason"]!);
            Assert.Equal(11, (int)chunks[^1]["usage"]!["prompt_tokens"]!);

            var log = (await _api.GetAsync($"logs/{chunks[0]["data"]![0]!["id"]}")).ShouldBe(HttpStatusCode.OK).Object;
            Assert.Equal(OpenAiStub.Answer(group.Key), (string)log["raw_output"]!);
            Assert.Equal(11, (int)log["prompt_tokens"]!);
            Assert.Equal(4, (int)log["output_tokens"]!);
        }
    }

    [Fact]
    public async Task Streaming_without_upstream_usage_counts_chunks()
    {
        var (_, body) = await _api.PostRawAsync("completion", Request("no-usage", stream: true));
        var last = SseBody.Events(body)[^1];
        Assert.Equal("stop", (string)last["data"]![0]!["finish_reason"]!);
        Assert.Equal(4, (int)last["usage"]!["generation_tokens"]!);
        Assert.Equal(4, (int)last["usage"]!["prompt_tokens"]!);
    }

    [Fact]
    public async Task Streaming_reads_through_comments_other_fields_and_line_ends_and_stops_at_done()
    {
        var (httpResponse, body) = await _api.PostRawAsync("completion", Request("sse-variants", stream: true));
        Assert.Equal(HttpStatusCode.OK, httpResponse.StatusCode);
        var items = SseBody.Events(body).Select(e => e["data"]![0]!).ToList();
        Assert.Equal(OpenAiStub.Answer(0), string.Concat(items.Select(i => (string)i["output"]!)));
        Assert.Equal("stop", (string)items[^1]["finish_reason"]!);
        Assert.Equal(4, (int)SseBody.Events(body)[^1]["usage"]!["generation_tokens"]!);
    }

    [Fact]
    public async Task An_upstream_error_event_mid_stream_ends_the_stream_with_an_error_event()
    {
        var (httpResponse, body) = await _api.PostRawAsync("completion", Request("error-mid-stream", stream: true));
        Assert.Equal(HttpStatusCode.OK, httpResponse.StatusCode);
        var events = SseBody.Events(body);
        var items = events.Where(e => e["data"] is not null).Select(e => e["data"]![0]!).ToList();
        Assert.Equal("Hello", string.Concat(items.Select(i => (string)i["output"]!)));
        Assert.All(items, i => Assert.Null((string?)i["finish_reason"]));
        var detail = events[^1]["detail"]!;
        Assert.Equal("OpenAI", (string)detail["origin"]!);
        Assert.Equal(502, (int)detail["code"]!);
        Assert.False(string.IsNullOrEmpty((string?)detail["message"]));
    }

    [Theory]
    [InlineData("fail-429", HttpStatusCode.TooManyRequests, 429, "requests")]
    [InlineData("fail-500", HttpStatusCode.BadGateway, 500, "server_error")]
    [InlineData("fail-401", HttpStatusCode.BadRequest, 401, "invalid_request_error")]
    public async Task Upstream_errors_become_the_documented_detail_object(string model, HttpStatusCode expected, int upstreamCode, string upstreamType)
    {
        foreach (var stream in new[] { false, true })
        {
            var response = (await _api.PostAsync("completion", Request(model, stream: stream))).ShouldBe(expected);
            var detail = response.Object["detail"]!;
            Assert.Equal(upstreamType, (string)detail["type"]!);
            Assert.Equal(upstreamCode, (int)detail["code"]!);
            Assert.Equal("OpenAI", (string)detail["origin"]!);
            Assert.False(string.IsNullOrEmpty((string?)detail["message"]));
            if (upstreamCode == 429)
            {
                Assert.Equal("7", response.Headers.GetValues("Retry-After").Single());
            }
        }
    }

    [Fact]
    public async Task Azure_uses_the_deployment_url_and_api_key_header()
    {
        var keys = new JsonObject { ["openai_azure_endpoint"] = fixture.Stub.BaseUrl, ["openai_azure"] = "azure-request-key" };
        var response = (await _api.PostAsync("completion", Request("my-deployment", provider: "openai_azure", keys: keys))).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(OpenAiStub.Answer(0), (string)response["data"]![0]!["output"]!);
        var sent = LastStubRequest();
        Assert.Equal("/openai/deployments/my-deployment/chat/completions", sent.Path);
        Assert.Equal("?api-version=2024-06-01", sent.Query);
        Assert.Equal("azure-request-key", sent.AzureKey);
        Assert.Null(sent.Authorization);

        var noEndpoint = (await _api.PostAsync("completion", Request("my-deployment", provider: "openai_azure"))).ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("[\"body\",\"provider_api_keys\",\"openai_azure_endpoint\"]", noEndpoint.Object["detail"]![0]!["loc"]!.ToJsonString());
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_a_502()
    {
        await using var server = await TestServers.StartAsync(TestServers.InMemory() with { OpenAiBaseUrl = "http://127.0.0.1:1/v1" });
        using var api = new ApiClient(server, TestServers.ApiKey);
        var response = (await api.PostAsync("completion", Request("gpt-4o-mini"))).ShouldBe(HttpStatusCode.BadGateway);
        Assert.Equal("provider_connection_error", (string)response.Object["detail"]!["type"]!);
        Assert.Equal("OpenAI", (string)response.Object["detail"]!["origin"]!);
    }
}
