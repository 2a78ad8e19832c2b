using System.Net;
using System.Text.Json.Nodes;
using Humanloop.Server.Tests.Infrastructure;

namespace Humanloop.Server.Tests;

/// <summary>The Chats group on the mock provider: shapes, the four endpoints streamed and not, stored chat configs, logs, 422s.</summary>
public sealed class ChatTests(InMemoryServerFixture fixture) : IClassFixture<InMemoryServerFixture>
{
    private readonly ApiClient _api = fixture.Api;

    internal static JsonObject ChatConfig(string systemPrompt = "You are helping {{name}}", JsonArray? tools = null) => new()
    {
        ["model"] = "mock-chat",
        ["provider"] = "mock",
        ["chat_template"] = new JsonArray(new JsonObject { ["role"] = "system", ["content"] = systemPrompt }),
        ["tools"] = tools,
    };

    private static JsonArray UserSays(string text) => new(new JsonObject { ["role"] = "user", ["content"] = text });

    private static JsonObject InlineChat(string project, string userText = "Hello there", bool stream = false) => new()
    {
        ["project"] = project,
        ["model_config"] = ChatConfig(),
        ["inputs"] = new JsonObject { ["name"] = "Ada" },
        ["messages"] = UserSays(userText),
        ["stream"] = stream,
    };

    private async Task<string> RegisterChatConfigAsync(string projectId, string systemPrompt)
    {
        var body = ChatConfig(systemPrompt);
        body["project_id"] = projectId;
        body["endpoint"] = "chat";
        var registered = (await _api.PostAsync("model-configs", body)).ShouldBe(HttpStatusCode.OK).Object;
        return (string)registered["config"]!["id"]!;
    }

    private async Task<IReadOnlyList<JsonObject>> StreamAsync(string path, JsonObject body)
    {
        body["stream"] = true;
        var (response, text) = await _api.PostRawAsync(path, body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var events = SseBody.Events(text);
        Assert.All(events, e => Assert.Single(e["data"]!.AsArray()));
        return events;
    }

    [Fact]
    public async Task Chat_returns_the_documented_shape_with_the_messages_sent_and_the_output_message()
    {
        var request = InlineChat(Names.Unique("chat"));
        request["user"] = "ada@example.com";
        var response = (await _api.PostAsync("chat", request)).ShouldBe(HttpStatusCode.OK).Object;

        Assert.Equal(
            ["project_id", "num_samples", "logprobs", "suffix", "user", "data", "usage", "metadata", "provider_responses", "provider_request", "session_id", "tool_choice"],
            response.Select(p => p.Key));
        Assert.Null(response["tool_choice"]);
        Assert.Equal("ada@example.com", (string)response["user"]!);

        var item = response["data"]!.AsArray().Single()!.AsObject();
        Assert.Equal(
            ["id", "index", "output", "raw_output", "inputs", "finish_reason", "model_config_id", "tool_results", "messages", "output_message"],
            item.Select(p => p.Key));
        Assert.StartsWith("data_", (string)item["id"]!);
        Assert.Equal("Echo: system: You are helping Ada user: Hello there", string.Join(' ', ((string)item["output"]!).Split(' ').Take(9)));
        Assert.Equal(" " + (string)item["output"]!, (string)item["raw_output"]!);
        Assert.Equal("stop", (string)item["finish_reason"]!);
        Assert.Equal("Ada", (string)item["inputs"]!["name"]!);
        Assert.Empty(item["tool_results"]!.AsArray());
        Assert.Equal(
            """[{"role":"system","content":"You are helping Ada"},{"role":"user","content":"Hello there"}]""",
            item["messages"]!.ToJsonString());
        Assert.Equal(new JsonObject { ["role"] = "assistant", ["content"] = (string)item["raw_output"]! }.ToJsonString(), item["output_message"]!.ToJsonString());

        Assert.Equal("mock.chat.completion", (string)response["provider_responses"]![0]!["object"]!);
        Assert.Equal(item["messages"]!.ToJsonString(), response["provider_request"]!["messages"]!.ToJsonString());
        Assert.Equal(8, (int)response["usage"]!["prompt_tokens"]!);

        // The inline config was registered as a chat config.
        var config = (await _api.GetAsync($"model-configs/{item["model_config_id"]}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal("chat", (string)config["endpoint"]!);
        Assert.Equal("You are helping {{name}}", (string)config["chat_template"]![0]!["content"]!);
    }

    [Fact]
    public async Task Streamed_chat_deltas_rebuild_the_logged_answer_and_match_the_plain_answer()
    {
        var project = Names.Unique("chat-stream");
        var events = await StreamAsync("chat", InlineChat(project));
        var items = events.Select(e => e["data"]![0]!.AsObject()).ToList();

        Assert.All(items, i =>
        {
            Assert.Equal(["id", "index", "output", "raw_output", "inputs", "finish_reason", "model_config_id", "tool_results", "output_message"], i.Select(p => p.Key));
            Assert.Equal((string)i["output"]!, (string)i["output_message"]!["content"]!);
            Assert.Equal("assistant", (string)i["output_message"]!["role"]!);
        });
        Assert.Single(items.Select(i => (string)i["id"]!).Distinct());
        Assert.All(items.SkipLast(1), i => Assert.Null(i["finish_reason"]));
        Assert.Equal("stop", (string)items[^1]["finish_reason"]!);
        Assert.All(events.SkipLast(1), e => Assert.Null(e["usage"]));
        Assert.NotNull(events[^1]["usage"]);
        Assert.All(events, e => Assert.True(e.ContainsKey("tool_choice")));

        var streamed = string.Concat(items.Select(i => (string)i["output"]!));
        var log = (await _api.GetAsync($"logs/{items[0]["id"]}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(streamed, (string)log["raw_output"]!);
        Assert.Equal(streamed, (string)log["output_message"]!["content"]!);

        var plain = (await _api.PostAsync("chat", InlineChat(project))).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(streamed, (string)plain["data"]![0]!["raw_output"]!);
    }

    [Fact]
    public async Task Several_streamed_samples_interleave_and_each_finishes()
    {
        var request = InlineChat(Names.Unique("chat-samples"));
        request["num_samples"] = 2;
        var items = (await StreamAsync("chat", request)).Select(e => e["data"]![0]!).ToList();
        Assert.Equal([0, 1], items.Take(2).Select(i => (int)i!["index"]!));
        Assert.Equal(2, items.Count(i => i!["finish_reason"] is not null));
    }

    [Fact]
    public async Task Chat_model_config_uses_a_stored_chat_config_streamed_and_not()
    {
        var project = await _api.CreateProjectAsync(Names.Unique("chat-stored"));
        var projectId = (string)project["id"]!;
        var configId = await RegisterChatConfigAsync(projectId, "Be brief with {{name}}");
        JsonObject Body() => new()
        {
            ["model_config_id"] = configId,
            ["inputs"] = new JsonObject { ["name"] = "Grace" },
            ["messages"] = UserSays("Hi"),
        };

        var response = (await _api.PostAsync("chat-model-config", Body())).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(projectId, (string)response["project_id"]!);
        var item = response["data"]![0]!;
        Assert.Equal(configId, (string)item["model_config_id"]!);
        Assert.Equal("Be brief with Grace", (string)item["messages"]![0]!["content"]!);
        Assert.StartsWith("Echo: system: Be brief with Grace user: Hi", (string)item["output"]!);

        var events = await StreamAsync("chat-model-config", Body());
        Assert.All(events, e => Assert.Equal(configId, (string)e["data"]![0]!["model_config_id"]!));
        Assert.Equal((string)item["raw_output"]!, string.Concat(events.Select(e => (string)e["data"]![0]!["output"]!)));
    }

    [Fact]
    public async Task Chat_deployed_uses_the_chat_config_deployed_to_the_environment()
    {
        var project = await _api.CreateProjectAsync(Names.Unique("chat-deployed"));
        var projectId = (string)project["id"]!;
        var active = await RegisterChatConfigAsync(projectId, "Production voice");
        var staged = await RegisterChatConfigAsync(projectId, "Staging voice");
        (await _api.PatchAsync($"projects/{projectId}/deploy-config", new JsonObject
        {
            ["config_id"] = staged,
            ["environments"] = new JsonArray(new JsonObject { ["name"] = "staging" }),
        })).ShouldBe(HttpStatusCode.OK);

        JsonObject Body(string? environment) => new()
        {
            ["project_id"] = projectId,
            ["environment"] = environment,
            ["messages"] = UserSays("Hi"),
        };

        var production = (await _api.PostAsync("chat-deployed", Body(null))).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(active, (string)production["data"]![0]!["model_config_id"]!);
        Assert.Equal("Production voice", (string)production["data"]![0]!["messages"]![0]!["content"]!);

        var staging = (await _api.PostAsync("chat-deployed", Body("staging"))).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(staged, (string)staging["data"]![0]!["model_config_id"]!);
        var log = (await _api.GetAsync($"logs/{staging["data"]![0]!["id"]}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal("staging", (string)log["environment"]!);

        var events = await StreamAsync("chat-deployed", Body("staging"));
        Assert.All(events, e => Assert.Equal(staged, (string)e["data"]![0]!["model_config_id"]!));
        Assert.Equal("stop", (string)events[^1]["data"]![0]!["finish_reason"]!);
    }

    [Fact]
    public async Task Chat_experiment_samples_its_chat_configs_and_records_trials()
    {
        var project = await _api.CreateProjectAsync(Names.Unique("chat-experiment"));
        var projectId = (string)project["id"]!;
        var a = await RegisterChatConfigAsync(projectId, "Answer politely");
        var b = await RegisterChatConfigAsync(projectId, "Answer tersely");
        var experiment = (await _api.PostAsync($"projects/{projectId}/experiments", new JsonObject
        {
            ["name"] = "tone",
            ["config_ids"] = new JsonArray(a, b),
        })).ShouldBe(HttpStatusCode.OK).Object;
        var experimentId = (string)experiment["id"]!;

        var body = new JsonObject { ["experiment_id"] = experimentId, ["messages"] = UserSays("Hi"), ["num_samples"] = 6 };
        var response = (await _api.PostAsync("chat-experiment", body)).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(projectId, (string)response["project_id"]!);
        var items = response["data"]!.AsArray();
        Assert.Equal(6, items.Count);
        Assert.All(items, i => Assert.Contains((string)i!["model_config_id"]!, new[] { a, b }));
        foreach (var item in items)
        {
            var log = (await _api.GetAsync($"logs/{item!["id"]}")).ShouldBe(HttpStatusCode.OK).Object;
            Assert.Equal(experimentId, (string)log["experiment_id"]!);
            Assert.StartsWith("trial_", (string)log["trial_id"]!);
            var expectedSystem = (string)item["model_config_id"]! == a ? "Answer politely" : "Answer tersely";
            Assert.Equal(expectedSystem, (string)log["messages"]![0]!["content"]!);
        }

        var streamBody = new JsonObject { ["experiment_id"] = experimentId, ["messages"] = UserSays("Hi"), ["num_samples"] = 3 };
        var events = await StreamAsync("chat-experiment", streamBody);
        Assert.Equal(3, events.Count(e => e["data"]![0]!["finish_reason"] is not null));
        Assert.All(events, e => Assert.Contains((string)e["data"]![0]!["model_config_id"]!, new[] { a, b }));

        var stats = (await _api.GetAsync($"experiments/{experimentId}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(9, stats["configs"]!.AsArray().Sum(c => (int)c!["trials_count"]!));
    }

    [Fact]
    public async Task Logs_keep_the_messages_the_output_message_and_the_tool_choice_while_completion_logs_do_not()
    {
        var request = InlineChat(Names.Unique("chat-log"));
        request["tool_choice"] = "none";
        var response = (await _api.PostAsync("chat", request)).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal("none", (string)response["tool_choice"]!);
        var item = response["data"]![0]!;
        var log = (await _api.GetAsync($"logs/{item["id"]}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(item["messages"]!.ToJsonString(), log["messages"]!.ToJsonString());
        Assert.Equal(item["output_message"]!.ToJsonString(), log["output_message"]!.ToJsonString());
        Assert.Equal("none", (string)log["tool_choice"]!);
        Assert.Equal((string)item["output"]!, (string)log["output"]!);

        var completion = (await _api.PostAsync("completion", new JsonObject
        {
            ["project"] = Names.Unique("completion-log"),
            ["model_config"] = new JsonObject { ["model"] = "m", ["prompt_template"] = "hello" },
        })).ShouldBe(HttpStatusCode.OK).Object;
        var completionLog = (await _api.GetAsync($"logs/{completion["data"]![0]!["id"]}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Null(completionLog["messages"]);
        Assert.Null(completionLog["output_message"]);
        Assert.Null(completionLog["tool_choice"]);
    }

    [Fact]
    public async Task Content_parts_are_accepted_and_their_text_is_what_the_mock_reads()
    {
        var request = InlineChat(Names.Unique("chat-parts"));
        request["messages"] = new JsonArray(new JsonObject
        {
            ["role"] = "user",
            ["content"] = new JsonArray(
                new JsonObject { ["type"] = "text", ["text"] = "Look at" },
                new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = "https://example.com/a.png", ["detail"] = "low" } },
                new JsonObject { ["type"] = "text", ["text"] = "this" }),
        });
        var response = (await _api.PostAsync("chat", request)).ShouldBe(HttpStatusCode.OK).Object;
        Assert.StartsWith("Echo: system: You are helping Ada user: Look at this", (string)response["data"]![0]!["output"]!);
        Assert.Equal("image_url", (string)response["data"]![0]!["messages"]![1]!["content"]![1]!["type"]!);
    }

    [Fact]
    public async Task The_deprecated_tool_call_field_is_accepted_and_ignored()
    {
        foreach (JsonNode toolCall in new JsonNode[] { JsonValue.Create("auto")!, new JsonObject { ["name"] = "get_weather" } })
        {
            var request = InlineChat(Names.Unique("chat-deprecated"));
            request["tool_call"] = toolCall;
            var response = (await _api.PostAsync("chat", request)).ShouldBe(HttpStatusCode.OK).Object;
            Assert.Equal("stop", (string)response["data"]![0]!["finish_reason"]!);
        }
    }

    [Fact]
    public async Task A_chat_template_input_that_is_missing_is_a_422_naming_it_and_creates_nothing()
    {
        var projectName = Names.Unique("chat-missing");
        var request = InlineChat(projectName);
        request["inputs"] = new JsonObject();
        var response = (await _api.PostAsync("chat", request)).ShouldBe(HttpStatusCode.UnprocessableEntity);
        var error = response.Object["detail"]!.AsArray().Single()!;
        Assert.Equal("""["body","inputs","name"]""", error["loc"]!.ToJsonString());
        Assert.Contains("chat template", (string)error["msg"]!);
        Assert.Equal(0, (int)(await _api.GetAsync($"projects?filter={projectName}")).Object["total"]!);
    }

    [Theory]
    [InlineData("chat", """{"project":"p","model_config":{"model":"m"}}""", """["body","messages"]""", "value_error.missing")]
    [InlineData("chat", """{"project":"p","messages":[]}""", """["body","model_config"]""", "value_error.missing")]
    [InlineData("chat", """{"project":"p","model_config":{"model":"m"},"messages":{"role":"user"}}""", """["body","messages"]""", "type_error.list")]
    [InlineData("chat", """{"project":"p","model_config":{"model":"m"},"messages":["hi"]}""", """["body","messages",0]""", "type_error.dict")]
    [InlineData("chat", """{"project":"p","model_config":{"model":"m"},"messages":[{"content":"hi"}]}""", """["body","messages",0,"role"]""", "value_error.missing")]
    [InlineData("chat", """{"project":"p","model_config":{"model":"m"},"messages":[{"role":"robot","content":"hi"}]}""", """["body","messages",0,"role"]""", "type_error.enum")]
    [InlineData("chat", """{"project":"p","model_config":{"model":"m"},"messages":[{"role":"user","content":5}]}""", """["body","messages",0,"content"]""", "type_error")]
    [InlineData("chat", """{"project":"p","model_config":{"model":"m"},"messages":[{"role":"user","content":[{"type":"video"}]}]}""", """["body","messages",0,"content",0,"type"]""", "type_error.enum")]
    [InlineData("chat", """{"project":"p","model_config":{"model":"m"},"messages":[{"role":"assistant","tool_calls":[{"function":{"name":"f"}}]}]}""", """["body","messages",0,"tool_calls",0,"id"]""", "value_error.missing")]
    [InlineData("chat", """{"project":"p","model_config":{"model":"m"},"messages":[],"tool_choice":"always"}""", """["body","tool_choice"]""", "type_error.enum")]
    [InlineData("chat", """{"project":"p","model_config":{"model":"m"},"messages":[],"tool_choice":{"type":"function","function":{}}}""", """["body","tool_choice","function","name"]""", "value_error.missing")]
    [InlineData("chat", """{"project":"p","model_config":{"model":"m"},"messages":[],"tool_choice":3}""", """["body","tool_choice"]""", "type_error")]
    [InlineData("chat", """{"project":"p","model_config":{"model":"m"},"messages":[],"tool_call":3}""", """["body","tool_call"]""", "type_error")]
    [InlineData("chat", """{"project":"p","model_config":{"model":"m"},"messages":[],"response_format":{}}""", """["body","response_format","type"]""", "value_error.missing")]
    [InlineData("chat", """{"project":"p","model_config":{"model":"m","tools":[{"description":"no name"}]},"messages":[]}""", """["body","model_config","tools",0,"name"]""", "value_error.missing")]
    [InlineData("chat", """{"project":"p","model_config":{"model":"m","tools":[{"id":"oc_1","source":"organization"}]},"messages":[]}""", """["body","model_config","tools",0,"name"]""", "value_error.missing")]
    [InlineData("chat", """{"project":"p","model_config":{"model":"m","chat_template":[{"role":"narrator"}]},"messages":[]}""", """["body","model_config","chat_template",0,"role"]""", "type_error.enum")]
    [InlineData("chat", """{"model_config":{"model":"m"},"messages":[]}""", """["body","project"]""", "value_error.missing")]
    [InlineData("chat-model-config", """{"messages":[]}""", """["body","model_config_id"]""", "value_error.missing")]
    [InlineData("chat-experiment", """{"messages":[]}""", """["body","experiment_id"]""", "value_error.missing")]
    [InlineData("chat-deployed", """{"project":"p"}""", """["body","messages"]""", "value_error.missing")]
    [InlineData("chat-deployed", """{"project":"p","messages":[],"num_samples":0}""", """["body","num_samples"]""", "value_error.number.not_ge")]
    public async Task Invalid_chat_bodies_are_FastAPI_422s(string path, string body, string expectedLoc, string expectedType)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await _api.Http.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, text);
        var detail = JsonNode.Parse(text)!["detail"]!.AsArray();
        Assert.True(detail.Any(e => e!["loc"]!.ToJsonString() == expectedLoc && (string)e["type"]! == expectedType), text);
        Assert.All(detail, e => Assert.NotNull(e!["msg"]));
    }

    [Fact]
    public async Task Registering_a_config_checks_its_chat_template_and_tools()
    {
        var project = await _api.CreateProjectAsync(Names.Unique("chat-register"));
        var response = (await _api.PostAsync("model-configs", new JsonObject
        {
            ["project_id"] = project["id"]!.DeepClone(),
            ["model"] = "m",
            ["chat_template"] = new JsonArray(new JsonObject { ["content"] = "no role" }),
            ["tools"] = new JsonArray(new JsonObject { ["name"] = 7 }),
        })).ShouldBe(HttpStatusCode.UnprocessableEntity);
        var locations = response.Object["detail"]!.AsArray().Select(e => e!["loc"]!.ToJsonString()).ToList();
        Assert.Contains("""["body","chat_template",0,"role"]""", locations);
        Assert.Contains("""["body","tools",0,"name"]""", locations);
    }
}
