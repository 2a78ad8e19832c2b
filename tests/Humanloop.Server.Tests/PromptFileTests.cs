using System.Text.Json.Nodes;
using Humanloop.Server.Domain;
using Humanloop.Server.Http;

namespace Humanloop.Server.Tests;

/// <summary>The .prompt format (docs/prompt-format.md): writing a config and reading it back gives every field back.</summary>
public sealed class PromptFileTests
{
    /// <summary>Reads a .prompt text the way POST /model-configs/deserialize does: the format, then the config request checks.</summary>
    private static ModelConfigContent ReadConfig(string text)
    {
        var errors = new ValidationErrors();
        var content = ModelConfigParser.Parse(new FieldReader(PromptFile.Read(text), ["body", "config"], errors));
        Assert.False(errors.Any, errors.ToException().Detail?.ToJsonString());
        return content!;
    }

    private static void AssertRoundTrip(ModelConfigContent config)
    {
        var text = PromptFile.Write(config);
        var back = ReadConfig(text);
        var expected = config.ToJson();
        var actual = back.ToJson();
        Assert.True(JsonNode.DeepEquals(expected, actual), $"Round trip changed the config.\nFile:\n{text}\nExpected: {expected.ToJsonString()}\nActual:   {actual.ToJsonString()}");
        // Writing what was read gives the same file, byte for byte.
        Assert.Equal(text, PromptFile.Write(back));
    }

    private static JsonArray Messages(params JsonObject[] messages) => new(messages);

    private static JsonObject Message(string role, JsonNode? content) => new() { ["role"] = role, ["content"] = content };

    private static readonly JsonObject WeatherTool = new()
    {
        ["name"] = "get_weather",
        ["description"] = "Weather for a city, today or on a day: \"when\" is ISO 8601.",
        ["parameters"] = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["city"] = new JsonObject { ["type"] = "string", ["description"] = "City name, e.g. Zürich" },
                ["days"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = 10 },
                ["unit"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("celsius", "fahrenheit") },
            },
            ["required"] = new JsonArray("city"),
        },
    };

    [Fact]
    public void A_chat_config_reads_as_documented()
    {
        // The example of docs/prompt-format.md, byte for byte.
        var config = new ModelConfigContent
        {
            Name = "support-bot",
            Provider = "openai",
            Model = "gpt-4o",
            Endpoint = ModelEndpoints.Chat,
            Temperature = 0.2,
            MaxTokens = 256,
            Stop = new JsonArray("\n\nUser:"),
            ResponseFormat = new JsonObject { ["type"] = "json_object" },
            ChatTemplate = Messages(Message("system", "You answer questions about {{product}}.\nBe brief."), Message("user", "{{question}}")),
        };

        Assert.Equal("""
            ---
            model: gpt-4o
            provider: openai
            endpoint: chat
            name: support-bot
            temperature: 0.2
            max_tokens: 256
            top_p: 1
            stop: ["\n\nUser:"]
            presence_penalty: 0
            frequency_penalty: 0
            response_format: {"type":"json_object"}
            ---

            <system>
            You answer questions about {{product}}.
            Be brief.
            </system>

            <user>
            {{question}}
            </user>

            """.ReplaceLineEndings("\n"), PromptFile.Write(config));
        AssertRoundTrip(config);
    }

    [Fact]
    public void A_completion_config_with_every_field_survives_a_round_trip()
    {
        AssertRoundTrip(new ModelConfigContent
        {
            Name = "summariser v2",
            Description = "Summarises: briefly # not a comment",
            Provider = "openai_azure",
            Model = "ft:gpt-3.5-turbo:acme:2024",
            MaxTokens = 512,
            Temperature = 0.30000000000000004,
            TopP = 0.95,
            Stop = new JsonArray("\n\n", "END", "---"),
            PresencePenalty = 0.5,
            FrequencyPenalty = -0.25,
            Other = new JsonObject { ["logit_bias"] = new JsonObject { ["50256"] = -100 }, ["rate"] = JsonNode.Parse("1.50"), ["flag"] = true },
            Seed = 42,
            ResponseFormat = new JsonObject { ["type"] = "json_object" },
            Endpoint = ModelEndpoints.Complete,
            PromptTemplate = "Summarise {{text}}.\n---\nmodel: not a header\n---\n\n  Indented line\ttab\n",
        });
    }

    [Fact]
    public void A_chat_config_with_tools_and_every_kind_of_message_survives_a_round_trip()
    {
        AssertRoundTrip(new ModelConfigContent
        {
            Model = "gpt-4o-mini",
            Endpoint = ModelEndpoints.Chat,
            Tools = new JsonArray(WeatherTool.DeepClone(), new JsonObject { ["id"] = "oc_1", ["source"] = "organization", ["name"] = "lookup" }),
            ChatTemplate = Messages(
                Message("system", "Rules:\n</user>\n<assistant>\nare text here"),
                Message("user", "\n\nleading and trailing blank lines\n\n"),
                Message("user", ""),
                new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = null,
                    ["tool_calls"] = new JsonArray(new JsonObject
                    {
                        ["id"] = "call_1", ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = "get_weather", ["arguments"] = "{\"city\":\"Paris\"}" },
                    }),
                },
                new JsonObject { ["role"] = "tool", ["content"] = "sunny", ["tool_call_id"] = "call_1", ["name"] = "get_weather" },
                Message("user", new JsonArray(
                    new JsonObject { ["type"] = "text", ["text"] = "What is in this picture?" },
                    new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = "https://example.com/cat.png", ["detail"] = "low" } })),
                Message("assistant", "Ünïcödé ✓ 😀 \"quotes\" \\backslash\\ and a CRLF\r\nline"),
                Message("user", "{{question}}")),
        });
    }

    [Theory]
    [InlineData(ModelEndpoints.Complete)]
    [InlineData(ModelEndpoints.Chat)]
    [InlineData(ModelEndpoints.Edit)]
    public void Missing_empty_and_both_templates_are_told_apart(string endpoint)
    {
        AssertRoundTrip(new ModelConfigContent { Model = "m", Endpoint = endpoint });
        AssertRoundTrip(new ModelConfigContent { Model = "m", Endpoint = endpoint, PromptTemplate = "" });
        AssertRoundTrip(new ModelConfigContent { Model = "m", Endpoint = endpoint, ChatTemplate = [] });
        AssertRoundTrip(new ModelConfigContent { Model = "m", Endpoint = endpoint, Tools = [] });
        AssertRoundTrip(new ModelConfigContent { Model = "m", Endpoint = endpoint, PromptTemplate = "", ChatTemplate = [] });
        AssertRoundTrip(new ModelConfigContent
        {
            Model = "m",
            Endpoint = endpoint,
            PromptTemplate = "\n",
            ChatTemplate = Messages(Message("user", "hi")),
        });
    }

    [Theory]
    [InlineData("true")]
    [InlineData("No")]
    [InlineData("123")]
    [InlineData("1e5")]
    [InlineData("")]
    [InlineData("  padded  ")]
    [InlineData("ends with a colon:")]
    [InlineData("key: value")]
    [InlineData("# hash")]
    [InlineData("it's")]
    [InlineData("[not a list]")]
    [InlineData("{not an object}")]
    [InlineData("- dash")]
    [InlineData("line\nbreak")]
    [InlineData("---")]
    [InlineData("~")]
    [InlineData("名前")]
    public void Odd_strings_in_the_header_come_back_unchanged(string text)
    {
        AssertRoundTrip(new ModelConfigContent { Model = text, Name = text, Description = text, Stop = JsonValue.Create(text), Other = new JsonObject { [text] = text } });
    }

    [Fact]
    public void Plain_strings_stay_readable()
    {
        var text = PromptFile.Write(new ModelConfigContent { Model = "claude-3-5-sonnet-20240620", Name = "Support bot, v2 (beta)", Stop = JsonValue.Create("END") });
        Assert.Contains("\nmodel: claude-3-5-sonnet-20240620\n", text);
        Assert.Contains("\nname: Support bot, v2 (beta)\n", text);
        Assert.Contains("\nstop: END\n", text);
    }

    [Fact]
    public void A_long_tool_list_is_indented_json_under_its_key()
    {
        var text = PromptFile.Write(new ModelConfigContent { Model = "m", Endpoint = ModelEndpoints.Chat, Tools = [WeatherTool.DeepClone()] });
        Assert.Contains("\ntools: [\n    {\n      \"name\": \"get_weather\",\n", text);
        Assert.Contains("\n  ]\n---\n", text);
    }

    [Fact]
    public void A_hand_written_file_is_read_tolerantly()
    {
        var text = "\uFEFF---\r\n"
            + "# a comment\r\n"
            + "model: gpt-4o   # the model\r\n"
            + "temperature: 0.5\r\n"
            + "name: 'it''s mine'\r\n"
            + "stop:\r\n"
            + "- END\r\n"
            + "- \"\\n\\n\"\r\n"
            + "tools: [\r\n"
            + "  {\"name\": \"lookup\"}\r\n"
            + "]\r\n"
            + "team: unknown keys are ignored\r\n"
            + "---\r\n"
            + "<system>\r\n"
            + "Be kind.\r\n"
            + "</system>\r\n"
            + "<user>\r\n"
            + "{{q}}\r\n"
            + "</user>\r\n";
        var config = ReadConfig(text);
        Assert.Equal("gpt-4o", config.Model);
        Assert.Equal(0.5, config.Temperature);
        Assert.Equal("it's mine", config.Name);
        Assert.Equal(ModelEndpoints.Chat, config.Endpoint);
        Assert.Equal("""["END","\n\n"]""", config.Stop!.ToJsonString());
        Assert.Equal("lookup", (string)config.Tools![0]!["name"]!);
        Assert.Equal("""[{"role":"system","content":"Be kind."},{"role":"user","content":"{{q}}"}]""", config.ChatTemplate!.ToJsonString());
        Assert.Equal("unknown keys are ignored", (string)PromptFile.Read(text)["team"]!);
    }

    [Fact]
    public void Without_an_endpoint_a_plain_body_is_a_completion_template()
    {
        var config = ReadConfig("---\nmodel: m\n---\nWrite about {{topic}}.\n<user>\n");
        Assert.Equal(ModelEndpoints.Complete, config.Endpoint);
        Assert.Equal("Write about {{topic}}.\n<user>", config.PromptTemplate);
        Assert.Null(config.ChatTemplate);
    }

    [Theory]
    [InlineData("model: m\n", 1, "starts with a '---' line")]
    [InlineData("---\nmodel: m\n", 1, "no closing '---'")]
    [InlineData("---\nmodel m\n---\n", 2, "'key: value'")]
    [InlineData("---\nmodel: m\nmodel: n\n---\n", 3, "'model' is given twice")]
    [InlineData("---\nmodel: m\n  indented: x\n---\n", 3, "indented line")]
    [InlineData("---\nmodel: m\nother: {\"a\": \n---\n", 3, "'other' is not valid JSON")]
    [InlineData("---\nmodel: m\nname: \"unclosed\n---\n", 3, "'name' is not valid JSON")]
    [InlineData("---\nmodel: m\nname: 'unclosed\n---\n", 3, "does not close")]
    [InlineData("---\nmodel: m\nendpoint: chat\n---\n\n<user>\nhi\n", 6, "has no </user> line")]
    [InlineData("---\nmodel: m\nendpoint: chat\n---\n\nhello\n", 6, "message blocks")]
    [InlineData("---\nmodel: m\nendpoint: chat\n---\n\n<message>\n[1]\n</message>\n", 6, "a <message> block holds one message as a JSON object")]
    [InlineData("---\nmodel: m\nprompt_template: x\n---\n\nbody\n", 6, "'prompt_template' and the body holds it too")]
    public void A_malformed_file_is_refused_naming_the_line(string text, int line, string reason)
    {
        var error = Assert.Throws<PromptFileException>(() => PromptFile.Read(text));
        Assert.Equal(line, error.Line);
        Assert.Contains(reason, error.Message);
        Assert.StartsWith($"line {line}: ", error.Message);
    }
}
