using System.Net;
using System.Text.Json.Nodes;
using Humanloop.Server.Domain;
using Humanloop.Server.Providers;
using Humanloop.Server.Tests.Infrastructure;

namespace Humanloop.Server.Tests;

/// <summary>The mock's documented tool rule, (a) to (d), through /chat, streamed and not.</summary>
public sealed class MockToolTests(InMemoryServerFixture fixture) : IClassFixture<InMemoryServerFixture>
{
    private readonly ApiClient _api = fixture.Api;

    internal static JsonObject WeatherTool() => new()
    {
        ["name"] = "get_weather",
        ["description"] = "Current weather for a city",
        ["parameters"] = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["city"] = new JsonObject { ["type"] = "string" },
                ["days"] = new JsonObject { ["type"] = "integer" },
                ["unit"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("celsius", "fahrenheit") },
                ["detailed"] = new JsonObject { ["type"] = "boolean" },
            },
            ["required"] = new JsonArray("city", "unit"),
        },
    };

    private static JsonObject TimeTool() => new()
    {
        ["name"] = "get_time",
        ["parameters"] = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject { ["zone"] = new JsonObject { ["type"] = "string" }, ["offset"] = new JsonObject { ["type"] = "number" } },
            ["required"] = new JsonArray("zone", "offset"),
        },
    };

    private static JsonObject User(string text) => new() { ["role"] = "user", ["content"] = text };

    private static JsonObject Chat(JsonArray messages, JsonNode? toolChoice = null, bool tools = true) => new()
    {
        ["project"] = "mock-tools",
        ["model_config"] = new JsonObject
        {
            ["model"] = "mock-chat",
            ["tools"] = tools ? new JsonArray(WeatherTool(), TimeTool()) : null,
        },
        ["messages"] = messages,
        ["tool_choice"] = toolChoice,
    };

    private async Task<JsonObject> ItemAsync(JsonObject request)
    {
        var response = (await _api.PostAsync("chat", request)).ShouldBe(HttpStatusCode.OK).Object;
        return response["data"]![0]!.AsObject();
    }

    private static IReadOnlyList<(string Name, JsonObject Arguments)> Calls(JsonObject item) =>
        (item["tool_calls"]?.AsArray() ?? []).Select(c => ((string)c!["function"]!["name"]!, JsonNode.Parse((string)c["function"]!["arguments"]!)!.AsObject())).ToList();

    private static void AssertToolCallAnswer(JsonObject item)
    {
        Assert.Equal("tool_call", (string)item["finish_reason"]!);
        Assert.Equal("", (string)item["output"]!);
        Assert.Null(item["output_message"]!["content"]);
        Assert.True(item["output_message"]!.AsObject().ContainsKey("content"));
        Assert.Equal(item["tool_calls"]!.ToJsonString(), item["output_message"]!["tool_calls"]!.ToJsonString());
        Assert.All(item["tool_calls"]!.AsArray(), c =>
        {
            Assert.StartsWith("call_", (string)c!["id"]!);
            Assert.Equal("function", (string)c["type"]!);
        });
    }

    [Fact]
    public async Task A_call_token_calls_that_name_with_every_pair_typed_by_the_tools_schema()
    {
        var item = await ItemAsync(Chat([User("call:get_weather city=\"New York\" days=3 detailed=true note=x")]));
        AssertToolCallAnswer(item);
        var (name, arguments) = Calls(item).Single();
        Assert.Equal("get_weather", name);
        Assert.Equal("""{"city":"New York","days":3,"detailed":true,"note":"x"}""", arguments.ToJsonString());
    }

    [Fact]
    public async Task Call_tokens_may_name_tools_not_offered_and_several_are_called_in_order()
    {
        var item = await ItemAsync(Chat([User("call:delete_everything call:get_time zone=UTC offset=abc")]));
        AssertToolCallAnswer(item);
        var calls = Calls(item);
        Assert.Equal(["delete_everything", "get_time"], calls.Select(c => c.Name));
        // Strings unless the tool's schema types the value and it parses: offset is a number but "abc" is not one.
        Assert.Equal("""{"zone":"UTC","offset":"abc"}""", calls[0].Arguments.ToJsonString());
        Assert.Equal("""{"zone":"UTC","offset":"abc"}""", calls[1].Arguments.ToJsonString());
        Assert.Equal(2, item["tool_calls"]!.AsArray().Select(c => (string)c!["id"]!).Distinct().Count());
    }

    [Fact]
    public async Task Call_tokens_work_without_tools_offered()
    {
        var item = await ItemAsync(Chat([User("please call:lookup, q=cats")], tools: false));
        AssertToolCallAnswer(item);
        Assert.Equal(("lookup", """{"q":"cats"}"""), Calls(item).Select(c => (c.Name, c.Arguments.ToJsonString())).Single());
    }

    [Fact]
    public async Task Tool_choice_none_never_calls_a_tool()
    {
        var item = await ItemAsync(Chat([User("call:get_weather city=Paris, and get_weather too")], JsonValue.Create("none")));
        Assert.Equal("stop", (string)item["finish_reason"]!);
        Assert.False(item.ContainsKey("tool_calls"));
        Assert.False(item["output_message"]!.AsObject().ContainsKey("tool_calls"));
        Assert.StartsWith("Echo: user: call:get_weather", (string)item["output"]!);
    }

    [Fact]
    public async Task Mentioning_an_offered_tool_calls_it_with_its_declared_pairs_and_defaults_for_missing_required_ones()
    {
        var item = await ItemAsync(Chat([User("What does GET_WEATHER say for city=Oslo mood=happy?")]));
        AssertToolCallAnswer(item);
        var (name, arguments) = Calls(item).Single();
        Assert.Equal("get_weather", name);
        // mood is not a property of the tool; unit is required and missing, so it gets its enum's first value.
        Assert.Equal("""{"city":"Oslo","unit":"celsius"}""", arguments.ToJsonString());
    }

    [Fact]
    public async Task The_first_mentioned_tool_wins_when_several_are_named()
    {
        var item = await ItemAsync(Chat([User("first get_time, then get_weather")]));
        var (name, arguments) = Calls(item).Single();
        Assert.Equal("get_time", name);
        Assert.Equal("""{"zone":"mock","offset":1}""", arguments.ToJsonString());
    }

    [Fact]
    public async Task Required_calls_the_first_offered_tool_when_none_is_mentioned()
    {
        var item = await ItemAsync(Chat([User("hello city=Lima")], JsonValue.Create("required")));
        AssertToolCallAnswer(item);
        Assert.Equal(("get_weather", """{"city":"Lima","unit":"celsius"}"""), Calls(item).Select(c => (c.Name, c.Arguments.ToJsonString())).Single());
    }

    [Fact]
    public async Task A_forced_function_is_called_even_after_a_tool_result_using_the_last_user_message()
    {
        var messages = new JsonArray(
            User("zone=CET please"),
            new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = null,
                ["tool_calls"] = new JsonArray(new JsonObject { ["id"] = "call_1", ["type"] = "function", ["function"] = new JsonObject { ["name"] = "get_weather", ["arguments"] = "{}" } }),
            },
            new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_1", ["content"] = "rain" });
        var forced = new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = "get_time" } };
        var item = await ItemAsync(Chat(messages, forced));
        AssertToolCallAnswer(item);
        Assert.Equal(("get_time", """{"zone":"CET","offset":1}"""), Calls(item).Select(c => (c.Name, c.Arguments.ToJsonString())).Single());
    }

    [Fact]
    public async Task Tool_results_are_quoted_when_no_call_is_due()
    {
        var messages = new JsonArray(
            User("weather in Paris and the time? get_weather"),
            new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = null,
                ["tool_calls"] = new JsonArray(
                    new JsonObject { ["id"] = "call_w", ["type"] = "function", ["function"] = new JsonObject { ["name"] = "get_weather", ["arguments"] = "{}" } },
                    new JsonObject { ["id"] = "call_t", ["type"] = "function", ["function"] = new JsonObject { ["name"] = "get_time", ["arguments"] = "{}" } }),
            },
            new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_w", ["content"] = "sunny" },
            new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_t", ["name"] = "clock", ["content"] = "12:00" });
        var item = await ItemAsync(Chat(messages));
        Assert.Equal("stop", (string)item["finish_reason"]!);
        Assert.Equal("The tool get_weather returned: sunny; The tool clock returned: 12:00", (string)item["output"]!);
        Assert.False(item.ContainsKey("tool_calls"));
    }

    [Fact]
    public async Task Without_tools_or_tokens_the_answer_is_the_echo_text()
    {
        var item = await ItemAsync(Chat([User("get_weather please")], tools: false));
        Assert.Equal("stop", (string)item["finish_reason"]!);
        Assert.StartsWith("Echo: user: get_weather please", (string)item["output"]!);
    }

    [Fact]
    public async Task Tool_call_ids_are_deterministic()
    {
        var first = await ItemAsync(Chat([User("call:get_weather city=Rome")]));
        var second = await ItemAsync(Chat([User("call:get_weather city=Rome")]));
        var other = await ItemAsync(Chat([User("call:get_weather city=Oslo")]));
        Assert.Equal((string)first["tool_calls"]![0]!["id"]!, (string)second["tool_calls"]![0]!["id"]!);
        Assert.NotEqual((string)first["tool_calls"]![0]!["id"]!, (string)other["tool_calls"]![0]!["id"]!);
    }

    [Fact]
    public async Task Streamed_tool_calls_arrive_in_fragments_that_rebuild_the_plain_answer()
    {
        var request = Chat([User("call:get_weather city=\"São Paulo\" days=5 call:get_time zone=BRT")]);
        var plain = await ItemAsync(request);

        request["stream"] = true;
        var (response, text) = await _api.PostRawAsync("chat", request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = SseBody.Events(text);
        var items = events.Select(e => e["data"]![0]!.AsObject()).ToList();

        Assert.All(items, i =>
        {
            Assert.Equal("", (string)i["output"]!);
            var delta = i["tool_calls"]!.AsArray().Single()!;
            Assert.StartsWith("call_", (string)delta["id"]!);
            Assert.Equal("function", (string)delta["type"]!);
            Assert.False(string.IsNullOrEmpty((string?)delta["function"]!["name"]));
            Assert.Equal(i["tool_calls"]!.ToJsonString(), i["output_message"]!["tool_calls"]!.ToJsonString());
        });
        Assert.All(items.SkipLast(1), i => Assert.Null(i["finish_reason"]));
        Assert.Equal("tool_call", (string)items[^1]["finish_reason"]!);
        Assert.NotNull(events[^1]["usage"]);
        Assert.Equal(items.Count, (int)events[^1]["usage"]!["generation_tokens"]!);

        var deltas = items.Select(i => i["tool_calls"]![0]!).ToList();
        var rebuilt = deltas.GroupBy(d => (string)d["id"]!).Select(g => new
        {
            Id = g.Key,
            Names = g.Select(d => (string)d["function"]!["name"]!).Distinct().ToList(),
            Fragments = g.Count(),
            Arguments = string.Concat(g.Select(d => (string)d["function"]!["arguments"]!)),
        }).ToList();
        Assert.Equal(2, rebuilt.Count);
        Assert.All(rebuilt, call =>
        {
            Assert.Single(call.Names);
            Assert.True(call.Fragments > 1, "arguments should come in several fragments");
            Assert.IsType<JsonObject>(JsonNode.Parse(call.Arguments));
        });
        var expected = plain["tool_calls"]!.AsArray().Select(c => ((string)c!["id"]!, (string)c["function"]!["arguments"]!));
        Assert.Equal(expected, rebuilt.Select(c => (c.Id, c.Arguments)));

        var log = (await _api.GetAsync($"logs/{items[0]["id"]}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(plain["output_message"]!.ToJsonString(), log["output_message"]!.ToJsonString());
        Assert.Equal("tool_call", (string)log["finish_reason"]!);
    }
}

/// <summary>The pieces of the rule that are easier to pin without HTTP.</summary>
public sealed class MockToolRuleUnitTests
{
    private static Conversation Conversation(IReadOnlyList<ChatMessage> messages, ToolChoice? choice = null, params ToolDefinition[] tools) =>
        new(messages, tools, choice, null);

    private static ToolDefinition Tool(string name, string parameters) => new(name, null, JsonNode.Parse(parameters)!.AsObject(), null);

    [Fact]
    public void Defaults_follow_the_schema_types()
    {
        var tool = Tool("t", """
            {"type":"object","properties":{"s":{"type":"string"},"i":{"type":"integer"},"n":{"type":["number","null"]},"b":{"type":"boolean"},
             "a":{"type":"array"},"o":{"type":"object"},"e":{"enum":[3,4]},"u":{}},"required":["s","i","n","b","a","o","e","u"]}
            """);
        var call = MockToolRule.ToolCalls(Conversation([ChatMessage.FromUser("use t")], null, tool)).Single();
        Assert.Equal("""{"s":"mock","i":1,"n":1,"b":true,"a":[],"o":{},"e":3,"u":"mock"}""", call.Function.Arguments);
    }

    [Fact]
    public void A_mention_after_a_tool_result_does_not_call_again_unless_forced()
    {
        ChatMessage[] messages = [ChatMessage.FromUser("use t"), new() { Role = ChatMessage.Tool, ToolCallId = "x", Content = "done" }];
        var tool = Tool("t", """{"type":"object"}""");
        Assert.Empty(MockToolRule.ToolCalls(Conversation(messages, null, tool)));
        Assert.Equal("The tool x returned: done", MockToolRule.ToolResultQuote(messages));
        Assert.Single(MockToolRule.ToolCalls(Conversation(messages, new ToolChoice(ToolChoice.Required, null), tool)));
    }

    [Fact]
    public void A_forced_function_that_is_not_offered_gets_every_pair_as_text()
    {
        var call = MockToolRule.ToolCalls(Conversation([ChatMessage.FromUser("n=1 m=two")], new ToolChoice(ToolChoice.Function, "elsewhere"), Tool("t", "{}"))).Single();
        Assert.Equal("elsewhere", call.Function.Name);
        Assert.Equal("""{"n":"1","m":"two"}""", call.Function.Arguments);
    }

    [Fact]
    public void Transcript_is_one_line_per_message()
    {
        ChatMessage[] messages = [new() { Role = ChatMessage.System, Content = "Be kind" }, ChatMessage.FromUser("hi"), new() { Role = ChatMessage.Assistant }];
        Assert.Equal("system: Be kind\nuser: hi\nassistant: ", MockToolRule.Transcript(messages));
    }

    [Fact]
    public void Argument_fragments_never_split_a_surrogate_pair()
    {
        var sample = MockSample.Calling([ToolCall.Of("call_1", "t", "{\"e\":\"😀😀😀\"}")]);
        var fragments = sample.Pieces().Select(p => p.Fragment!.Function.Arguments).ToList();
        Assert.True(fragments.Count > 1);
        Assert.Equal("{\"e\":\"😀😀😀\"}", string.Concat(fragments));
        Assert.All(fragments, f => Assert.False(char.IsHighSurrogate(f[^1])));
    }
}
