using System.Net;
using System.Text.Json.Nodes;
using Humanloop.Server.Tests.Infrastructure;

namespace Humanloop.Server.Tests;

/// <summary>Chats through the openai provider, against the stub. Tests share the stub's request log, so they run one at a time.</summary>
public sealed class OpenAiChatTests(OpenAiProviderFixture fixture) : IClassFixture<OpenAiProviderFixture>
{
    private readonly ApiClient _api = fixture.Api;

    private static JsonObject LookupTool()
    {
        var tool = MockToolTests.WeatherTool();
        tool["source"] = "inline";
        return tool;
    }

    private static JsonObject Request(string model, JsonArray? tools = null, bool stream = false) => new()
    {
        ["project"] = "openai-chat",
        ["model_config"] = new JsonObject
        {
            ["provider"] = "openai",
            ["model"] = model,
            ["chat_template"] = new JsonArray(new JsonObject { ["role"] = "system", ["content"] = "You help {{name}}" }),
            ["tools"] = tools,
            ["response_format"] = new JsonObject { ["type"] = "json_object" },
        },
        ["inputs"] = new JsonObject { ["name"] = "Ada" },
        ["messages"] = new JsonArray(
            new JsonObject { ["role"] = "user", ["content"] = "Weather in Paris?", ["name"] = "ada" },
            new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = null,
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["id"] = "call_prev",
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = "get_weather", ["arguments"] = "{\"city\":\"Paris\"}" },
                }),
            },
            new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_prev", ["content"] = "sunny" }),
        ["stream"] = stream,
    };

    private StubRequest LastStubRequest() => fixture.Stub.Requests[^1];

    /// <summary>Compares JSON by value: the stub and the server escape characters differently.</summary>
    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"Expected {expected}\nActual   {actual?.ToJsonString()}");

    [Fact]
    public async Task Messages_tools_tool_choice_and_response_format_are_forwarded()
    {
        var request = Request("gpt-4o-mini", new JsonArray(LookupTool()));
        request["tool_choice"] = new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = "get_weather" } };
        request["response_format"] = new JsonObject { ["type"] = "text" };
        request["tool_call"] = "auto";
        var response = (await _api.PostAsync("chat", request)).ShouldBe(HttpStatusCode.OK).Object;

        var sent = LastStubRequest().Body;
        AssertJson(
            """[{"role":"system","content":"You help Ada"},{"role":"user","content":"Weather in Paris?","name":"ada"},""" +
            """{"role":"assistant","content":null,"tool_calls":[{"id":"call_prev","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},""" +
            """{"role":"tool","content":"sunny","tool_call_id":"call_prev"}]""",
            sent["messages"]);
        AssertJson(
            new JsonArray(new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject
                {
                    ["name"] = "get_weather",
                    ["description"] = "Current weather for a city",
                    ["parameters"] = MockToolTests.WeatherTool()["parameters"]!.DeepClone(),
                },
            }).ToJsonString(),
            sent["tools"]);
        Assert.Equal("""{"type":"function","function":{"name":"get_weather"}}""", sent["tool_choice"]!.ToJsonString());
        // The request's response_format wins over the config's.
        Assert.Equal("""{"type":"text"}""", sent["response_format"]!.ToJsonString());
        Assert.False(sent.ContainsKey("tool_call"));

        var item = response["data"]![0]!;
        Assert.Equal(OpenAiStub.Answer(0), (string)item["output"]!);
        Assert.Equal(OpenAiStub.Answer(0), (string)item["output_message"]!["content"]!);
        Assert.Equal("""{"type":"function","function":{"name":"get_weather"}}""", response["tool_choice"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(sent["messages"], item["messages"]));
    }

    [Fact]
    public async Task Without_tools_neither_tools_nor_tool_choice_are_sent()
    {
        var request = Request("gpt-4o-mini");
        request["tool_choice"] = "auto";
        (await _api.PostAsync("chat", request)).ShouldBe(HttpStatusCode.OK);
        var sent = LastStubRequest().Body;
        Assert.False(sent.ContainsKey("tools"));
        Assert.False(sent.ContainsKey("tool_choice"));
        Assert.Equal("""{"type":"json_object"}""", sent["response_format"]!.ToJsonString());
    }

    [Fact]
    public async Task Upstream_tool_calls_become_the_answer_with_finish_reason_tool_call()
    {
        var response = (await _api.PostAsync("chat", Request("tool-calls", new JsonArray(LookupTool())))).ShouldBe(HttpStatusCode.OK).Object;
        var item = response["data"]![0]!;
        Assert.Equal("tool_call", (string)item["finish_reason"]!);
        Assert.Equal("", (string)item["output"]!);
        Assert.Null(item["output_message"]!["content"]);
        var calls = item["tool_calls"]!.AsArray();
        Assert.Equal(OpenAiStub.StubToolCalls.Select(c => c.Id), calls.Select(c => (string)c!["id"]!));
        Assert.Equal(OpenAiStub.StubToolCalls.Select(c => c.Arguments), calls.Select(c => (string)c!["function"]!["arguments"]!));
        Assert.All(calls, c => Assert.Equal("get_weather", (string)c!["function"]!["name"]!));
        Assert.Equal(calls.ToJsonString(), item["output_message"]!["tool_calls"]!.ToJsonString());
    }

    [Fact]
    public async Task Streamed_tool_call_deltas_repeat_id_and_name_and_their_fragments_rebuild_the_arguments()
    {
        var (httpResponse, body) = await _api.PostRawAsync("chat", Request("tool-calls", new JsonArray(LookupTool()), stream: true));
        Assert.Equal(HttpStatusCode.OK, httpResponse.StatusCode);
        var items = SseBody.Events(body).Select(e => e["data"]![0]!.AsObject()).ToList();

        var deltas = items.Where(i => i.ContainsKey("tool_calls")).SelectMany(i => i["tool_calls"]!.AsArray()).Select(d => d!.AsObject()).ToList();
        Assert.All(deltas, d =>
        {
            Assert.Equal("function", (string)d["type"]!);
            Assert.Equal("get_weather", (string)d["function"]!["name"]!);
            Assert.Contains((string)d["id"]!, OpenAiStub.StubToolCalls.Select(c => c.Id));
        });
        foreach (var (id, arguments) in OpenAiStub.StubToolCalls)
        {
            var fragments = deltas.Where(d => (string)d["id"]! == id).Select(d => (string)d["function"]!["arguments"]!).ToList();
            Assert.True(fragments.Count > 2);
            Assert.Equal(arguments, string.Concat(fragments));
        }

        Assert.All(items.SkipLast(1), i => Assert.Null(i["finish_reason"]));
        Assert.Equal("tool_call", (string)items[^1]["finish_reason"]!);

        var log = (await _api.GetAsync($"logs/{items[0]["id"]}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Null(log["output_message"]!["content"]);
        Assert.Equal(OpenAiStub.StubToolCalls.Select(c => c.Arguments), log["output_message"]!["tool_calls"]!.AsArray().Select(c => (string)c!["function"]!["arguments"]!));
        Assert.Equal(11, (int)log["prompt_tokens"]!);
    }

    [Fact]
    public async Task Streamed_text_chats_relay_content_deltas()
    {
        var (_, body) = await _api.PostRawAsync("chat", Request("gpt-4o-mini", stream: true));
        var items = SseBody.Events(body).Select(e => e["data"]![0]!.AsObject()).ToList();
        Assert.Equal(OpenAiStub.Answer(0), string.Concat(items.Select(i => (string)i["output_message"]!["content"]!)));
        Assert.All(items, i => Assert.False(i.ContainsKey("tool_calls")));
        Assert.Equal("stop", (string)items[^1]["finish_reason"]!);
    }
}
