using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Humanloop.Server.Tests.Infrastructure;

namespace Humanloop.Server.Tests;

/// <summary>POST /model-configs/serialize, /deserialize and /{id}/export: configs as .prompt files.</summary>
public sealed class PromptFileEndpointTests(InMemoryServerFixture fixture) : IClassFixture<InMemoryServerFixture>
{
    private readonly ApiClient _api = fixture.Api;

    private static JsonObject ChatConfig() => new()
    {
        ["name"] = "weather-bot",
        ["description"] = "Answers: weather questions",
        ["provider"] = "openai",
        ["model"] = "gpt-4o",
        ["temperature"] = 0.4,
        ["max_tokens"] = 300,
        ["stop"] = new JsonArray("\n\n"),
        ["seed"] = 7,
        ["other"] = new JsonObject { ["user_tier"] = "gold" },
        ["response_format"] = new JsonObject { ["type"] = "json_object" },
        ["chat_template"] = new JsonArray(
            new JsonObject { ["role"] = "system", ["content"] = "You report the weather.\n---\nNever guess." },
            new JsonObject { ["role"] = "user", ["content"] = "{{question}}" }),
        ["tools"] = new JsonArray(new JsonObject
        {
            ["name"] = "get_weather",
            ["description"] = "Weather for a city",
            ["parameters"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["city"] = new JsonObject { ["type"] = "string" } }, ["required"] = new JsonArray("city") },
        }),
    };

    private async Task<string> SerializeAsync(JsonObject config) => (string)(await _api.PostAsync("model-configs/serialize", config)).ShouldBe(HttpStatusCode.OK).Body!;

    private async Task<JsonObject> DeserializeAsync(string text) =>
        (await _api.PostAsync("model-configs/deserialize", new JsonObject { ["config"] = text })).ShouldBe(HttpStatusCode.OK).Object;

    [Fact]
    public async Task Serialize_then_deserialize_gives_the_config_back()
    {
        var text = await SerializeAsync(ChatConfig());
        Assert.StartsWith("---\nmodel: gpt-4o\nprovider: openai\nendpoint: chat\n", text);
        Assert.Contains("\n<system>\nYou report the weather.\n---\nNever guess.\n</system>\n", text);

        var config = await DeserializeAsync(text);
        Assert.Equal("model", (string)config["type"]!);
        Assert.StartsWith("config_", (string)config["id"]!);
        foreach (var (key, value) in ChatConfig())
        {
            Assert.True(JsonNode.DeepEquals(value, config[key]), $"{key}: sent {value?.ToJsonString()}, got back {config[key]?.ToJsonString()}");
        }

        Assert.Equal("chat", (string)config["endpoint"]!);
        Assert.Equal(1.0, (double)config["top_p"]!);

        // Nothing is registered: the id is derived from the content, the same each time, and GET does not know it.
        Assert.Equal((string)config["id"]!, (string)(await DeserializeAsync(text))["id"]!);
        (await _api.GetAsync($"model-configs/{config["id"]}")).ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Export_reads_back_to_what_get_shows_of_the_stored_config()
    {
        var projectId = (string)(await _api.CreateProjectAsync(Names.Unique("prompt-export")))["id"]!;
        var register = ChatConfig();
        register["project_id"] = projectId;
        register.Remove("name");
        var configId = (string)(await _api.PostAsync("model-configs", register)).ShouldBe(HttpStatusCode.OK).Object["config"]!["id"]!;
        var stored = (await _api.GetAsync($"model-configs/{configId}")).ShouldBe(HttpStatusCode.OK).Object;

        var text = (string)(await _api.PostAsync($"model-configs/{configId}/export", null)).ShouldBe(HttpStatusCode.OK).Body!;
        // The generated name is written, so the file reads back to the same response, id included (the stored config has this content).
        Assert.Contains($"\nname: {(string)stored["name"]!}\n", text);
        var read = await DeserializeAsync(text);
        Assert.True(JsonNode.DeepEquals(stored, read), $"GET:         {stored.ToJsonString()}\ndeserialize: {read.ToJsonString()}");

        (await _api.PostAsync("model-configs/config_missing/export", null)).ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_client_that_accepts_only_text_prompt_gets_the_file_itself()
    {
        var projectId = (string)(await _api.CreateProjectAsync(Names.Unique("prompt-text")))["id"]!;
        var configId = (string)(await _api.RegisterConfigAsync(projectId, "Write about {{topic}}"))["config"]!["id"]!;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"model-configs/{configId}/export");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/prompt"));
        using var response = await _api.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/prompt", response.Content.Headers.ContentType!.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("---\nmodel: mock-model\n", text);
        Assert.EndsWith("---\n\nWrite about {{topic}}\n", text);
    }

    [Theory]
    [InlineData("""{"model": "m"}""", "chat")]
    [InlineData("""{"model": "m", "prompt_template": "Hi"}""", "complete")]
    [InlineData("""{"model": "m", "prompt_template": "Hi", "tools": []}""", "chat")]
    [InlineData("""{"model": "m", "chat_template": [], "endpoint": "edit"}""", "edit")]
    public async Task Serialize_takes_the_body_as_a_chat_config_unless_it_is_only_a_completion_one(string body, string endpoint)
    {
        var text = await SerializeAsync(JsonNode.Parse(body)!.AsObject());
        Assert.Contains($"\nendpoint: {endpoint}\n", text);
    }

    [Fact]
    public async Task Bad_configs_and_bad_files_are_422s_that_say_where()
    {
        var badConfig = (await _api.PostAsync("model-configs/serialize", new JsonObject { ["model"] = "m", ["temperature"] = "hot" }))
            .ShouldBe(HttpStatusCode.UnprocessableEntity).Object["detail"]![0]!;
        Assert.Equal("[\"body\",\"temperature\"]", badConfig["loc"]!.ToJsonString());
        (await _api.PostAsync("model-configs/serialize", new JsonObject { ["temperature"] = 1 })).ShouldBe(HttpStatusCode.UnprocessableEntity);

        var badFile = (await _api.PostAsync("model-configs/deserialize", new JsonObject { ["config"] = "---\nmodel: m\nendpoint: chat\n---\n\n<user>\nhi\n" }))
            .ShouldBe(HttpStatusCode.UnprocessableEntity).Object["detail"]![0]!;
        Assert.Equal("[\"body\",\"config\"]", badFile["loc"]!.ToJsonString());
        Assert.Equal("line 6: the <user> block opened here has no </user> line", (string)badFile["msg"]!);

        var badField = (await _api.PostAsync("model-configs/deserialize", new JsonObject { ["config"] = "---\ntemperature: hot\n---\n" }))
            .ShouldBe(HttpStatusCode.UnprocessableEntity).Object["detail"]!.AsArray();
        Assert.Equal(
            ["[\"body\",\"config\",\"model\"]", "[\"body\",\"config\",\"temperature\"]"],
            badField.Select(e => e!["loc"]!.ToJsonString()).Order(StringComparer.Ordinal));
        (await _api.PostAsync("model-configs/deserialize", new JsonObject())).ShouldBe(HttpStatusCode.UnprocessableEntity);
    }
}
