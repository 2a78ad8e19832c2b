using System.Collections;
using System.Text;
using System.Text.Json;
using Humanloop.Tests.Support;
using Xunit;
using static Humanloop.Tests.Support.TestClients;

namespace Humanloop.Tests;

/// <summary>The generation pipeline with its second kind: chat messages, tool-call fragments, several samples.</summary>
public class ChatStreamTests
{
    private static string ChatChunk(int index, string text, string? finishReason = null, string? toolCalls = null, string id = "data_1", string extra = "")
    {
        var finish = finishReason is null ? "null" : JsonSerializer.Serialize(finishReason);
        var calls = toolCalls is null ? string.Empty : $",\"tool_calls\":[{toolCalls}]";
        var content = JsonSerializer.Serialize(text);
        var message = "{\"role\":\"assistant\",\"content\":" + content + calls + "}";
        return "{\"project_id\":\"pr_1\",\"session_id\":\"sesh_1\",\"data\":[{\"id\":\"" + id + "\",\"index\":" + index + ",\"output\":" + content
            + ",\"raw_output\":" + content + ",\"finish_reason\":" + finish + ",\"model_config_id\":\"config_1\",\"output_message\":" + message + calls
            + "}],\"provider_responses\":[]" + extra + "}";
    }

    private static string Call(string id, string name, string arguments) =>
        "{\"id\":\"" + id + "\",\"type\":\"function\",\"function\":{\"name\":\"" + name + "\",\"arguments\":" + JsonSerializer.Serialize(arguments) + "}}";

    private static async Task<(List<ChatChunk> Chunks, ChatStream Stream)> ReadAll(ScriptedBody body, int? numSamples = null)
    {
        var client = Create(new ScriptedHandler().ThenStream(body));
        var stream = await client.ChatStreamingAsync(new ChatDeployedRequest { ProjectId = "pr_1", NumSamples = numSamples, Messages = [ChatMessage.User("hi")] });
        var chunks = new List<ChatChunk>();
        while (await stream.ReadNextAsync() is { } chunk)
        {
            chunks.Add(chunk);
        }

        return (chunks, stream);
    }

    private const string Usage = ""","usage":{"prompt_tokens":4,"generation_tokens":2,"total_tokens":6}""";

    [Fact]
    public async Task Text_deltas_assemble_into_the_assistant_message()
    {
        var (chunks, stream) = await ReadAll(ScriptedBody.Of(
            Event(ChatChunk(0, "Bon")),
            Event(ChatChunk(0, "jour ", "stop", extra: Usage))));

        Assert.Equal(new[] { "Bon", "jour " }, chunks.Select(chunk => chunk.ToString()));
        var result = stream.Result;
        Assert.Equal("Bonjour", result.Output);
        Assert.Equal("assistant", result.Message!.Role);
        Assert.Equal("Bonjour", result.Message.Content);
        Assert.Null(result.Message.ToolCalls);
        Assert.Equal(("data_1", "stop", "sesh_1"), (result.Data[0].Id, result.Data[0].FinishReason, result.SessionId));
        Assert.Equal(6, result.Usage!.TotalTokens);
    }

    [Fact]
    public async Task Tool_call_fragments_are_joined_per_call_id()
    {
        var (chunks, stream) = await ReadAll(ScriptedBody.Of(
            Event(ChatChunk(0, "", toolCalls: Call("call_a", "get_weather", "{\"ci"))),
            Event(ChatChunk(0, "", toolCalls: Call("call_b", "get_time", "{}"))),
            Event(ChatChunk(0, "", toolCalls: Call("call_a", "get_weather", "ty\":\"Paris\"}"))),
            Event(ChatChunk(0, "", "tool_call", extra: Usage))));

        Assert.Equal("{\"ci", chunks[0].ToolCalls![0].Arguments);
        var calls = stream.Result.Message!.ToolCalls!;
        Assert.Equal(2, calls.Count);
        Assert.Equal(("call_a", "get_weather", "{\"city\":\"Paris\"}"), (calls[0].Id, calls[0].Name, calls[0].Arguments));
        Assert.Equal(("call_b", "get_time", "{}"), (calls[1].Id, calls[1].Name, calls[1].Arguments));
        Assert.Null(stream.Result.Message.Content);
        Assert.Equal("tool_call", stream.Result.Data[0].FinishReason);
        Assert.Same(calls, stream.Result.Data[0].ToolCalls);
    }

    [Fact]
    public async Task Fragments_without_an_id_continue_the_latest_call()
    {
        var withoutId = """{"type":"function","function":{"arguments":"1}"}}""";
        var (_, stream) = await ReadAll(ScriptedBody.Of(
            Event(ChatChunk(0, "", toolCalls: Call("call_a", "add", "{\"x\":"))),
            Event(ChatChunk(0, "", "tool_call", toolCalls: withoutId))));

        var call = Assert.Single(stream.Result.Message!.ToolCalls!);
        Assert.Equal(("call_a", "add", "{\"x\":1}"), (call.Id, call.Name, call.Arguments));
    }

    [Fact]
    public async Task Interleaved_samples_assemble_by_index_with_their_own_tool_calls()
    {
        var (chunks, stream) = await ReadAll(ScriptedBody.Of(
            Event(ChatChunk(1, "", toolCalls: Call("call_1", "lookup", "{\"q\":"), id: "data_b")),
            Event(ChatChunk(0, "Yes", id: "data_a")),
            Event(ChatChunk(1, "", toolCalls: Call("call_1", "lookup", "\"x\"}"), id: "data_b")),
            Event(ChatChunk(0, ", sure", "stop", id: "data_a", extra: Usage)),
            Event(ChatChunk(1, "", "tool_call", id: "data_b", extra: Usage))),
            numSamples: 2);

        Assert.Equal(5, chunks.Count);
        var result = stream.Result;
        Assert.Null(result.Output);
        Assert.Equal(("data_a", "Yes, sure"), (result.Data[0].Id, result.Data[0].Message.Content as string));
        Assert.Equal(("data_b", "{\"q\":\"x\"}"), (result.Data[1].Id, result.Data[1].Message.ToolCalls![0].Arguments));
        Assert.Equal(12, result.Usage!.TotalTokens);
    }

    [Fact]
    public async Task A_stream_split_at_every_byte_assembles_the_same()
    {
        var text = Event(ChatChunk(0, "Grüße ")) + Event(ChatChunk(0, "", toolCalls: Call("call_a", "f", "{\"a\":\"é\"}"))) + Event(ChatChunk(0, "à tous", "tool_call", extra: Usage));
        var bytes = Encoding.UTF8.GetBytes(text);
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var body = new ScriptedBody().Bytes(bytes[..cut]).Bytes(bytes[cut..]);
            var (_, stream) = await ReadAll(body);
            var message = stream.Result.Message!;
            Assert.Equal("Grüße à tous", message.Content);
            Assert.Equal("{\"a\":\"é\"}", message.ToolCalls![0].Arguments);
        }
    }

    [Fact]
    public async Task A_chat_stream_that_stops_before_a_sample_finishes_is_an_error()
    {
        var client = Create(new ScriptedHandler().ThenStream(ScriptedBody.Of(Event(ChatChunk(0, "partial")), Event(ChatChunk(1, "done", "stop")))));
        using var stream = await client.ChatStreamingAsync(new ChatDeployedRequest { ProjectId = "pr_1", NumSamples = 2 });

        var error = await Assert.ThrowsAsync<HumanloopStreamException>(async () =>
        {
            while (await stream.ReadNextAsync() is not null)
            {
            }
        });

        Assert.Contains("before sample(s) 0 finished", error.Message);
        Assert.Equal(2, error.ChunksDelivered);
    }

    [Fact]
    public async Task A_provider_error_the_server_sends_mid_stream_is_reported_with_its_words()
    {
        var detail = """data: {"detail":{"type":"server_error","message":"The model crashed","code":502,"origin":"OpenAI"}}""" + "\n\n";
        var client = Create(new ScriptedHandler().ThenStream(ScriptedBody.Of(Event(ChatChunk(0, "Hel")), detail)));
        using var stream = await client.ChatStreamingAsync(new ChatDeployedRequest { ProjectId = "pr_1" });

        var error = await Assert.ThrowsAsync<HumanloopStreamException>(async () =>
        {
            while (await stream.ReadNextAsync() is not null)
            {
            }
        });

        Assert.Equal(1, error.ChunksDelivered);
        Assert.Contains("The model crashed", error.Message);
        Assert.Equal("OpenAI", error.ServerError!.ProviderError!.Origin);
    }

    [Fact]
    public async Task A_malformed_chat_chunk_names_the_kind_and_carries_the_text()
    {
        var client = Create(new ScriptedHandler().ThenStream(ScriptedBody.Of(Event(ChatChunk(0, "a")), "data: {\"data\": 5}\n\n")));
        using var stream = await client.ChatStreamingAsync(new ChatDeployedRequest { ProjectId = "pr_1" });

        var error = await Assert.ThrowsAsync<HumanloopStreamException>(async () =>
        {
            while (await stream.ReadNextAsync() is not null)
            {
            }
        });

        Assert.Contains("not a valid chat chunk", error.Message);
        Assert.Equal("{\"data\": 5}", error.RawText);
    }

    [Fact]
    public async Task A_whole_chat_response_reads_messages_and_tool_calls()
    {
        var body = """
            {"project_id":"pr_1","data":[{"id":"data_1","index":0,"output":"","raw_output":"","finish_reason":"tool_call","model_config_id":"config_1",
              "messages":[{"role":"user","content":"weather in Paris?"}],
              "output_message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]}}],
             "provider_responses":[],"tool_choice":"auto"}
            """;
        var handler = new ScriptedHandler().ThenRespond(System.Net.HttpStatusCode.OK, body);
        var response = await Create(handler).ChatAsync(new ChatRequest
        {
            Messages = [ChatMessage.User("weather in Paris?")],
            ToolChoice = "auto",
            ModelConfig = new ModelConfigChatRequest
            {
                Model = "gpt-4o",
                Tools = [new ToolDefinition { Name = "get_weather", Parameters = new Hashtable { ["type"] = "object" } }],
            },
        });

        Assert.Equal("get_weather", response.Message!.ToolCalls![0].Name);
        Assert.Equal("auto", response.ToolChoice);
        Assert.Equal("weather in Paris?", response.Data[0].Messages![0].Text);
        Assert.Equal(
            """{"model_config":{"tools":[{"name":"get_weather","parameters":{"type":"object"}}],"model":"gpt-4o"},"messages":[{"role":"user","content":"weather in Paris?"}],"tool_choice":"auto"}""",
            handler.Requests[0].Body);
        Assert.EndsWith("/v4/chat", handler.Requests[0].Uri.AbsolutePath);
    }
}
