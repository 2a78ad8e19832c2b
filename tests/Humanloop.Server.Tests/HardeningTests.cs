using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Humanloop.Server.Tests.Infrastructure;

namespace Humanloop.Server.Tests;

/// <summary>
/// Limits and hardening (issue 15): bounded requests, malformed input answered with a 4xx naming the field, ids and
/// paths that cannot reach another route, and nothing long echoed back.
/// </summary>
public sealed class HardeningTests(InMemoryServerFixture fixture) : IClassFixture<InMemoryServerFixture>
{
    private readonly ApiClient _api = fixture.Api;

    private async Task<ApiResponse> SendRawAsync(HttpMethod method, string path, byte[] body, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        using var response = await _api.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? parsed = null;
        try
        {
            parsed = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return new ApiResponse(response.StatusCode, parsed, response.Headers, text);
    }

    private Task<ApiResponse> SendRawAsync(HttpMethod method, string path, string json) => SendRawAsync(method, path, Encoding.UTF8.GetBytes(json));

    private async Task<int> ProjectsNamed(string name) =>
        (int)(await _api.GetAsync($"projects?filter={Uri.EscapeDataString(name)}")).ShouldBe(HttpStatusCode.OK).Object["total"]!;

    private static JsonObject InlineCompletion(string project, int samples = 1) => new()
    {
        ["project"] = project,
        ["inputs"] = new JsonObject { ["x"] = "hi" },
        ["num_samples"] = samples,
        ["model_config"] = new JsonObject { ["provider"] = "mock", ["model"] = "m", ["prompt_template"] = "Say {{x}}" },
    };

    private static string Locations(ApiResponse response) =>
        string.Join(" | ", response.Object["detail"]!.AsArray().Select(e => string.Join(".", e!["loc"]!.AsArray().Select(p => p!.ToString()))));

    // 1. Bounds on samples and pages, and one provider response per log.

    [Fact]
    public async Task Num_samples_above_the_limit_is_refused_naming_the_limit_and_creates_nothing()
    {
        var name = Names.Unique("many-samples");
        var response = (await _api.PostAsync("completion", InlineCompletion(name, 10_000))).ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("body.num_samples", Locations(response));
        Assert.Contains("100", response.Text);
        Assert.Equal(0, await ProjectsNamed(name));
    }

    [Theory]
    [InlineData("projects?size=100000")]
    [InlineData("logs?size=100000")]
    [InlineData("sessions?size=100000")]
    public async Task A_page_size_above_the_limit_is_refused_naming_the_limit(string path)
    {
        var response = (await _api.GetAsync(path)).ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("query.size", Locations(response));
        Assert.Contains("less than or equal to 1000", response.Text);
    }

    [Fact]
    public async Task Each_sample_log_keeps_only_its_own_provider_response()
    {
        var completion = (await _api.PostAsync("completion", InlineCompletion(Names.Unique("own-response"), 3))).ShouldBe(HttpStatusCode.OK).Object;
        var data = completion["data"]!.AsArray();
        Assert.Equal(3, data.Count);
        foreach (var item in data)
        {
            var log = (await _api.GetAsync($"logs/{(string)item!["id"]!}")).ShouldBe(HttpStatusCode.OK).Object;
            var choices = log["provider_response"]!["choices"]!.AsArray();
            Assert.Single(choices);
            Assert.Equal((int)item["index"]!, (int)choices[0]!["index"]!);
        }
    }

    // 2. Malformed input is a 4xx naming the field.

    [Fact]
    public async Task A_lone_surrogate_is_refused_naming_the_field()
    {
        var response = await SendRawAsync(HttpMethod.Post, "projects", "{\"name\":\"\\udc00\"}");
        response.ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("body.name", Locations(response));
    }

    [Theory]
    [InlineData("POST", "projects")]
    [InlineData("POST", "completion")]
    [InlineData("POST", "model-configs")]
    [InlineData("POST", "logs")]
    [InlineData("POST", "feedback")]
    [InlineData("POST", "evaluators")]
    public async Task Duplicate_keys_are_refused_on_every_route(string method, string path)
    {
        var response = await SendRawAsync(new HttpMethod(method), path, "{\"name\":\"a\",\"name\":\"b\"}");
        response.ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("body.name", Locations(response));
        Assert.Contains("duplicate", response.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Duplicate_keys_deep_in_a_body_are_refused_too()
    {
        var response = await SendRawAsync(HttpMethod.Post, "completion",
            "{\"project\":\"p\",\"model_config\":{\"model\":\"m\",\"model\":\"n\"},\"inputs\":{}}");
        response.ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("body.model_config.model", Locations(response));
    }

    [Fact]
    public async Task A_float_that_overflows_is_refused_and_creates_nothing()
    {
        var name = Names.Unique("overflow");
        var response = await SendRawAsync(HttpMethod.Post, "completion",
            $"{{\"project\":\"{name}\",\"inputs\":{{\"x\":\"hi\"}},\"model_config\":{{\"provider\":\"mock\",\"model\":\"m\",\"prompt_template\":\"Say {{{{x}}}}\",\"temperature\":1e400}}}}");
        response.ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("body.model_config.temperature", Locations(response));
        Assert.Equal(0, await ProjectsNamed(name));
    }

    [Fact]
    public async Task A_date_at_the_end_of_time_is_a_range_to_the_end_of_time()
    {
        var project = await _api.CreateProjectAsync(Names.Unique("dates"));
        var projectId = (string)project["id"]!;
        await _api.RegisterConfigAsync(projectId, "Say {{x}}");
        (await _api.PostAsync("completion-deployed", new JsonObject { ["project_id"] = projectId, ["inputs"] = new JsonObject { ["x"] = "hi" } }))
            .ShouldBe(HttpStatusCode.OK);

        var logs = (await _api.GetAsync($"logs?project_id={projectId}&end_date=9999-12-31")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(1, (int)logs["total"]!);
    }

    [Fact]
    public async Task A_date_time_past_the_end_of_time_is_refused_naming_the_parameter()
    {
        var project = await _api.CreateProjectAsync(Names.Unique("dates"));
        var response = (await _api.GetAsync($"logs?project_id={(string)project["id"]!}&end_date=9999-12-31T23:59:59-05:00")).ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("query.end_date", Locations(response));
    }

    // 3. A rejected request changes nothing.

    [Fact]
    public async Task A_config_for_an_unknown_experiment_creates_no_project()
    {
        var name = Names.Unique("no-experiment");
        (await _api.PostAsync("model-configs", new JsonObject
        {
            ["project"] = name,
            ["experiment"] = "never-made",
            ["provider"] = "mock",
            ["model"] = "m",
            ["prompt_template"] = "hi",
        })).ShouldBe(HttpStatusCode.NotFound);
        Assert.Equal(0, await ProjectsNamed(name));
    }

    [Fact]
    public async Task A_completion_with_an_unknown_session_creates_no_project()
    {
        var name = Names.Unique("no-session");
        var body = InlineCompletion(name);
        body["session_id"] = "sesh_unknown";
        (await _api.PostAsync("completion", body)).ShouldBe(HttpStatusCode.NotFound);
        Assert.Equal(0, await ProjectsNamed(name));
    }

    [Fact]
    public async Task An_azure_config_without_an_endpoint_creates_no_project()
    {
        var name = Names.Unique("no-endpoint");
        var body = InlineCompletion(name);
        body["model_config"]!["provider"] = "openai_azure";
        body["provider_api_keys"] = new JsonObject { ["openai_azure"] = "azure-key" };
        (await _api.PostAsync("completion", body)).ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(0, await ProjectsNamed(name));
    }

    // 4. A dot segment cannot reach another route.

    [Theory]
    [InlineData("DELETE", "deployed-config/%2e%2e")]
    [InlineData("DELETE", "deployed-config/%2E%2E")]
    [InlineData("DELETE", "deployed-config/.%2e")]
    [InlineData("DELETE", "deployed-config/a%2fb")]
    [InlineData("PATCH", "%2e%2e")]
    public async Task An_encoded_dot_segment_or_slash_is_refused_and_the_project_survives(string method, string tail)
    {
        var project = await _api.CreateProjectAsync(Names.Unique("dots"));
        var id = (string)project["id"]!;
        var uri = new Uri($"{fixture.Server.ApiUrl}/projects/{id}/{tail}", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        Assert.Contains(tail, uri.AbsoluteUri, StringComparison.Ordinal);
        using var request = new HttpRequestMessage(new HttpMethod(method), uri)
        {
            Content = new StringContent("{\"name\":\"renamed\"}", Encoding.UTF8, "application/json"),
        };
        using var response = await _api.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("path", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        var after = (await _api.GetAsync($"projects/{id}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal((string)project["name"]!, (string)after["name"]!);
    }

    // 6. Length limits, and short echoes.

    [Theory]
    [InlineData("projects", "name", 255)]
    [InlineData("evaluators", "name", 255)]
    public async Task A_name_over_its_limit_is_refused_naming_the_field_and_limit(string path, string field, int limit)
    {
        var response = (await _api.PostAsync(path, new JsonObject { [field] = new string('n', limit + 1), ["description"] = "d", ["arguments_type"] = "target_free", ["return_type"] = "boolean", ["type"] = "python", ["code"] = "def f(x): return True" }))
            .ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Contains($"body.{field}", Locations(response));
        Assert.Contains(limit.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Text);
    }

    [Fact]
    public async Task A_template_over_its_limit_is_refused()
    {
        var name = Names.Unique("huge-template");
        var body = InlineCompletion(name);
        body["model_config"]!["prompt_template"] = new string('t', 1_100_000) + "{{x}}";
        var response = (await _api.PostAsync("completion", body)).ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("body.model_config.prompt_template", Locations(response));
        Assert.True(response.Text.Length < 2_000, $"The error echoed {response.Text.Length} characters");
        Assert.Equal(0, await ProjectsNamed(name));
    }

    [Fact]
    public async Task A_feedback_type_over_its_limit_is_refused()
    {
        var project = await _api.CreateProjectAsync(Names.Unique("feedback-type"));
        var response = (await _api.PostAsync($"projects/{(string)project["id"]!}/feedback-types", new JsonObject
        {
            ["type"] = new string('f', 10_000),
            ["class"] = "text",
        })).ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("body.type", Locations(response));
    }

    [Fact]
    public async Task A_long_id_is_not_echoed_back()
    {
        var id = "mc_" + new string('x', 100_000);
        var response = await _api.GetAsync($"model-configs/{id}");
        Assert.True((int)response.Status is >= 400 and < 500, $"Expected a 4xx, got {(int)response.Status}");
        Assert.True(response.Text.Length < 1_000, $"The error echoed {response.Text.Length} characters");
    }

    [Fact]
    public async Task A_not_found_message_echoes_only_a_short_prefix_of_a_long_value()
    {
        var experiment = new string('e', 5_000);
        var response = (await _api.PostAsync("model-configs", new JsonObject
        {
            ["project"] = Names.Unique("echo"),
            ["experiment"] = experiment,
            ["provider"] = "mock",
            ["model"] = "m",
            ["prompt_template"] = "hi",
        }));
        Assert.True((int)response.Status is >= 400 and < 500, $"Expected a 4xx, got {(int)response.Status}");
        Assert.DoesNotContain(new string('e', 200), response.Text, StringComparison.Ordinal);
    }

    // 7. Invalid UTF-8 is refused, not stored as U+FFFD.

    [Fact]
    public async Task Invalid_utf8_in_a_body_is_refused_and_nothing_is_stored()
    {
        var name = Names.Unique("utf8");
        var bytes = Encoding.UTF8.GetBytes($"{{\"name\":\"{name}-\u00e9\"}}");
        // Replace the two bytes of é with a lone continuation byte and an invalid lead byte.
        var at = Array.IndexOf(bytes, (byte)0xC3);
        bytes[at] = 0xFF;
        bytes[at + 1] = 0x80;
        var response = await SendRawAsync(HttpMethod.Post, "projects", bytes);
        Assert.True(response.Status is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, $"Expected 400 or 422, got {(int)response.Status}: {response.Text}");
        Assert.Contains("UTF-8", response.Text, StringComparison.Ordinal);
        Assert.Equal(0, await ProjectsNamed(name));
    }
}

/// <summary>8. An upstream error that quotes the key it was sent never carries the server's key to the client.</summary>
public sealed class ProviderKeyScrubbingTests(OpenAiProviderFixture fixture) : IClassFixture<OpenAiProviderFixture>
{
    private static JsonObject Request(string model, bool stream = false) => new()
    {
        ["project"] = "scrubbing",
        ["model_config"] = new JsonObject { ["provider"] = "openai", ["model"] = model, ["prompt_template"] = "Say hi" },
        ["inputs"] = new JsonObject(),
        ["stream"] = stream,
    };

    [Theory]
    [InlineData("echo-key-401", false)]
    [InlineData("echo-key-text", false)]
    [InlineData("echo-key-401", true)]
    public async Task An_upstream_error_quoting_the_server_key_is_scrubbed(string model, bool stream)
    {
        var (response, text) = await fixture.Api.PostRawAsync("completion", Request(model, stream));
        using (response)
        {
            Assert.False(response.IsSuccessStatusCode, text);
            Assert.DoesNotContain(OpenAiProviderFixture.ServerKey, text, StringComparison.Ordinal);
            Assert.Contains("[redacted]", text, StringComparison.Ordinal);
        }
    }
}

/// <summary>5. The fault API, when enabled, takes the server's key, JSON only, valid rules, and bounded state.</summary>
public sealed class FaultApiHardeningTests(FaultServerFixture fixture) : IClassFixture<FaultServerFixture>
{
    private string FaultsUrl => fixture.Server.BaseUrl + "/_faults";

    private async Task<int> RuleCount() =>
        JsonNode.Parse(await fixture.Control.GetStringAsync(FaultsUrl))!["rules"]!.AsArray().Count;

    [Fact]
    public async Task The_fault_api_needs_the_server_key()
    {
        using var anonymous = new HttpClient();
        using var get = await anonymous.GetAsync(FaultsUrl);
        Assert.Equal(HttpStatusCode.Unauthorized, get.StatusCode);
        using var post = await anonymous.PostAsync(FaultsUrl, new StringContent("{\"fault\":\"status\",\"status\":500,\"path\":\"/v4/never\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        using var delete = await anonymous.DeleteAsync(FaultsUrl);
        Assert.Equal(HttpStatusCode.Unauthorized, delete.StatusCode);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task A_rule_that_is_not_json_is_refused_with_415(string contentType)
    {
        var before = await RuleCount();
        using var content = new StringContent("{\"fault\":\"status\",\"status\":500,\"path\":\"/v4/never\"}", Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        using var response = await fixture.Control.PostAsync(FaultsUrl, content);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(before, await RuleCount());
    }

    [Theory]
    [InlineData("{\"fault\":\"status\",\"status\":503,\"path\":\"/v4/never\",\"retry_after\":\"1\\r\\nSet-Cookie: a=b\"}", "retry_after")]
    [InlineData("{\"fault\":\"status\",\"status\":503,\"path\":\"/v4/never\",\"content_type\":\"text/plain\\nX-Injected: 1\"}", "content_type")]
    [InlineData("{\"fault\":\"status\",\"status\":503,\"path\":\"/v4/never\",\"retry_after_ms\":-5}", "retry_after_ms")]
    [InlineData("{\"fault\":\"delay\",\"path\":\"/v4/never\",\"delay_ms\":1e400}", "delay_ms")]
    [InlineData("{\"fault\":\"status\",\"status\":503,\"path\":\"/v4/never\",\"method\":\"GET\\r\\n\"}", "method")]
    public async Task A_bad_rule_is_refused_naming_the_field(string rule, string field)
    {
        var before = await RuleCount();
        using var response = await fixture.Control.PostAsync(FaultsUrl, new StringContent(rule, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains($"[\"body\",\"{field}\"]", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await RuleCount());
    }
}

/// <summary>5. Per-path request counters are bounded (a server of its own, as it sends over a thousand requests).</summary>
public sealed class FaultCounterBoundTests : IAsyncLifetime
{
    private Humanloop.Server.Hosting.RunningServer _server = null!;
    private readonly HttpClient _http = new() { DefaultRequestHeaders = { { "X-API-KEY", TestServers.ApiKey } } };

    public async Task InitializeAsync() => _server = await TestServers.StartAsync(TestServers.InMemory(faults: true));

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Counting_requests_to_ever_new_paths_keeps_a_bounded_number_of_counters()
    {
        for (var i = 0; i < Humanloop.Server.Faults.FaultInjector.MaxCountedPaths + 50; i++)
        {
            using var response = await _http.GetAsync($"{_server.ApiUrl}/projects/pr_{i}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        var requests = JsonNode.Parse(await _http.GetStringAsync(_server.BaseUrl + "/_faults"))!["requests"]!.AsObject();
        Assert.True(requests.Count <= Humanloop.Server.Faults.FaultInjector.MaxCountedPaths + 1, $"{requests.Count} counters");
        Assert.Equal(50, (int)requests[Humanloop.Server.Faults.FaultInjector.OtherPaths]!);
    }
}

/// <summary>6. Whatever an error quotes, its body stays short.</summary>
public sealed class ErrorEchoTests(InMemoryServerFixture fixture) : IClassFixture<InMemoryServerFixture>
{
    [Fact]
    public async Task A_prompt_file_error_on_a_huge_line_is_answered_briefly()
    {
        var key = new string('k', 200_000);
        var text = $"---\nmodel: m\n{key}: 1\n{key}: 2\n---\nhi";
        var response = await fixture.Api.PostAsync("model-configs/deserialize", new JsonObject { ["config"] = text });
        Assert.True((int)response.Status is >= 400 and < 500, $"Expected a 4xx, got {(int)response.Status}");
        Assert.True(response.Text.Length < 3_000, $"The error echoed {response.Text.Length} characters");
    }
}

/// <summary>6. Limits leave room for what real requests carry.</summary>
public sealed class LimitHeadroomTests(InMemoryServerFixture fixture) : IClassFixture<InMemoryServerFixture>
{
    [Fact]
    public async Task A_long_tool_description_and_a_long_template_within_the_text_limit_are_accepted()
    {
        var response = await fixture.Api.PostAsync("chat", new JsonObject
        {
            ["project"] = Names.Unique("headroom"),
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = new string('m', 50_000) }),
            ["model_config"] = new JsonObject
            {
                ["provider"] = "mock",
                ["model"] = "m",
                ["chat_template"] = new JsonArray(new JsonObject { ["role"] = "system", ["content"] = new string('s', 100_000) }),
                ["tools"] = new JsonArray(new JsonObject
                {
                    ["name"] = "lookup",
                    ["description"] = new string('d', 3_000),
                    ["parameters"] = new JsonObject { ["type"] = "object" },
                }),
            },
        });
        response.ShouldBe(HttpStatusCode.OK);
    }
}
