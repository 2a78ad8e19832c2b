using System.Net;
using System.Text.Json.Nodes;
using Humanloop.Server.Tests.Infrastructure;

namespace Humanloop.Server.Tests;

public sealed class CompletionTests(InMemoryServerFixture fixture) : IClassFixture<InMemoryServerFixture>
{
    private readonly ApiClient _api = fixture.Api;

    private static JsonObject InlineRequest(string project, string template = "write a limerick about {{topic}}", JsonObject? inputs = null) => new()
    {
        ["project"] = project,
        ["model_config"] = new JsonObject { ["model"] = "gpt-4o", ["provider"] = "mock", ["prompt_template"] = template },
        ["inputs"] = inputs ?? new JsonObject { ["topic"] = "AI" },
    };

    [Fact]
    public async Task Completion_returns_the_documented_shape_and_creates_the_named_project()
    {
        var projectName = Names.Unique("limerick");
        var request = InlineRequest(projectName);
        request["user"] = "jordan@example.com";
        request["metadata"] = new JsonObject { ["run"] = 7 };

        var response = (await _api.PostAsync("completion", request)).ShouldBe(HttpStatusCode.OK).Object;

        foreach (var field in new[] { "project_id", "num_samples", "logprobs", "suffix", "user", "data", "usage", "metadata", "provider_responses", "provider_request", "session_id" })
        {
            Assert.True(response.ContainsKey(field), $"missing {field}");
        }

        Assert.Null(response["logprobs"]);
        Assert.Null(response["session_id"]);
        Assert.Equal("jordan@example.com", (string)response["user"]!);
        Assert.Equal(7, (int)response["metadata"]!["run"]!);
        Assert.Equal(1, (int)response["num_samples"]!);

        var item = response["data"]!.AsArray().Single()!.AsObject();
        Assert.StartsWith("data_", (string)item["id"]!);
        Assert.Equal(0, (int)item["index"]!);
        Assert.StartsWith("Echo: write a limerick about AI", (string)item["output"]!);
        Assert.Equal(" " + (string)item["output"]!, (string)item["raw_output"]!);
        Assert.Equal("AI", (string)item["inputs"]!["topic"]!);
        Assert.Equal("stop", (string)item["finish_reason"]!);
        Assert.StartsWith("config_", (string)item["model_config_id"]!);
        Assert.Empty(item["tool_results"]!.AsArray());

        var usage = response["usage"]!;
        Assert.Equal(5, (int)usage["prompt_tokens"]!);
        Assert.Equal((int)usage["prompt_tokens"]! + (int)usage["generation_tokens"]!, (int)usage["total_tokens"]!);
        Assert.Equal("mock.completion", (string)response["provider_responses"]![0]!["object"]!);
        Assert.Equal("write a limerick about AI", (string)response["provider_request"]!["prompt"]!);

        var projects = (await _api.GetAsync($"projects?filter={projectName}")).ShouldBe(HttpStatusCode.OK).Object;
        var project = projects["records"]!.AsArray().Single()!;
        Assert.Equal((string)response["project_id"]!, (string)project["id"]!);
        Assert.Equal(1, (int)project["data_count"]!);
        Assert.Equal((string)item["model_config_id"]!, (string)project["active_config"]!["config"]!["id"]!);
    }

    [Fact]
    public async Task Same_request_gives_the_same_output_and_reuses_the_config()
    {
        var projectName = Names.Unique("deterministic");
        var first = (await _api.PostAsync("completion", InlineRequest(projectName))).ShouldBe(HttpStatusCode.OK).Object;
        var second = (await _api.PostAsync("completion", InlineRequest(projectName))).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal((string)first["data"]![0]!["output"]!, (string)second["data"]![0]!["output"]!);
        Assert.Equal((string)first["data"]![0]!["model_config_id"]!, (string)second["data"]![0]!["model_config_id"]!);
        Assert.NotEqual((string)first["data"]![0]!["id"]!, (string)second["data"]![0]!["id"]!);
    }

    [Fact]
    public async Task Several_samples_get_their_own_logs_and_differ_unless_temperature_is_zero()
    {
        var request = InlineRequest(Names.Unique("samples"));
        request["num_samples"] = 3;
        var varied = (await _api.PostAsync("completion", request)).ShouldBe(HttpStatusCode.OK).Object;
        var outputs = varied["data"]!.AsArray().Select(d => (string)d!["output"]!).ToList();
        Assert.Equal([0, 1, 2], varied["data"]!.AsArray().Select(d => (int)d!["index"]!));
        Assert.Equal(3, outputs.Distinct().Count());
        Assert.Equal(3, varied["data"]!.AsArray().Select(d => (string)d!["id"]!).Distinct().Count());

        request["model_config"]!["temperature"] = 0;
        var greedy = (await _api.PostAsync("completion", request)).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Single(greedy["data"]!.AsArray().Select(d => (string)d!["output"]!).Distinct());
    }

    [Fact]
    public async Task Max_tokens_and_stop_cut_the_output_with_the_matching_finish_reason()
    {
        var request = InlineRequest(Names.Unique("limits"));
        request["model_config"]!["max_tokens"] = 4;
        var limited = (await _api.PostAsync("completion", request)).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal("Echo: write a limerick", (string)limited["data"]![0]!["output"]!);
        Assert.Equal("length", (string)limited["data"]![0]!["finish_reason"]!);
        Assert.Equal(4, (int)limited["usage"]!["generation_tokens"]!);

        request["model_config"]!["max_tokens"] = -1;
        request["model_config"]!["stop"] = new JsonArray("zzz", "about");
        var stopped = (await _api.PostAsync("completion", request)).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal("Echo: write a limerick", (string)stopped["data"]![0]!["output"]!);
        Assert.Equal(" Echo: write a limerick ", (string)stopped["data"]![0]!["raw_output"]!);
        Assert.Equal("stop", (string)stopped["data"]![0]!["finish_reason"]!);
    }

    [Fact]
    public async Task Return_inputs_false_returns_empty_inputs()
    {
        var request = InlineRequest(Names.Unique("noinputs"));
        request["return_inputs"] = false;
        var response = (await _api.PostAsync("completion", request)).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Empty(response["data"]![0]!["inputs"]!.AsObject());
    }

    [Fact]
    public async Task A_missing_template_input_is_a_422_naming_it_and_creates_nothing()
    {
        var projectName = Names.Unique("missing");
        var request = InlineRequest(projectName, "Dear {{ name }}, about {{topic}} and {{name}}", new JsonObject { ["topic"] = "x" });
        var response = (await _api.PostAsync("completion", request)).ShouldBe(HttpStatusCode.UnprocessableEntity);
        var error = response.Object["detail"]!.AsArray().Single()!;
        Assert.Equal("[\"body\",\"inputs\",\"name\"]", error["loc"]!.ToJsonString());
        Assert.Contains("'name'", (string)error["msg"]!);

        var projects = (await _api.GetAsync($"projects?filter={projectName}")).Object;
        Assert.Equal(0, (int)projects["total"]!);
    }

    [Theory]
    [InlineData("completion", "{\"project\":\"p\"}", "[\"body\",\"model_config\"]", "value_error.missing")]
    [InlineData("completion", "{\"project\":\"p\",\"model_config\":{\"prompt_template\":\"x\"}}", "[\"body\",\"model_config\",\"model\"]", "value_error.missing")]
    [InlineData("completion", "{\"project\":\"p\",\"model_config\":{\"model\":\"m\",\"temperature\":\"hot\"}}", "[\"body\",\"model_config\",\"temperature\"]", "type_error.float")]
    [InlineData("completion", "{\"project\":\"p\",\"model_config\":{\"model\":\"m\",\"max_tokens\":1.5}}", "[\"body\",\"model_config\",\"max_tokens\"]", "type_error.integer")]
    [InlineData("completion", "{\"project\":\"p\",\"num_samples\":\"two\",\"model_config\":{\"model\":\"m\"}}", "[\"body\",\"num_samples\"]", "type_error.integer")]
    [InlineData("completion", "{\"model_config\":{\"model\":\"m\"}}", "[\"body\",\"project\"]", "value_error.missing")]
    [InlineData("completion", "{\"project\":\"p\",\"model_config\":{\"model\":\"m\",\"provider\":\"anthropic\"}}", "[\"body\",\"model_config\",\"provider\"]", "value_error.provider")]
    [InlineData("completion", "{\"project\":\"p\",\"model_config\":{\"model\":\"m\",\"provider\":\"acme\"}}", "[\"body\",\"model_config\",\"provider\"]", "type_error.enum")]
    [InlineData("completion-experiment", "{\"project\":\"p\"}", "[\"body\",\"experiment_id\"]", "value_error.missing")]
    [InlineData("completion-model-config", "{}", "[\"body\",\"model_config_id\"]", "value_error.missing")]
    [InlineData("completion", "[1,2]", "[\"body\"]", "type_error.dict")]
    public async Task Invalid_bodies_are_FastAPI_422s(string path, string body, string expectedLoc, string expectedType)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await _api.Http.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var detail = JsonNode.Parse(text)!["detail"]!.AsArray();
        Assert.Contains(detail, e => e!["loc"]!.ToJsonString() == expectedLoc && (string)e["type"]! == expectedType);
        Assert.All(detail, e => Assert.NotNull(e!["msg"]));
    }

    [Fact]
    public async Task Malformed_json_is_a_422_and_unknown_fields_are_ignored()
    {
        using var content = new StringContent("{\"project\": ", System.Text.Encoding.UTF8, "application/json");
        using var malformed = await _api.Http.PostAsync("completion", content);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, malformed.StatusCode);
        Assert.Contains("value_error.jsondecode", await malformed.Content.ReadAsStringAsync());

        var tolerant = InlineRequest(Names.Unique("tolerant"));
        tolerant["brand_new_field"] = new JsonObject { ["x"] = 1 };
        tolerant["model_config"]!["future_option"] = true;
        (await _api.PostAsync("completion", tolerant)).ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Unknown_project_id_config_and_experiment_are_404s()
    {
        var byId = InlineRequest("unused");
        byId.Remove("project");
        byId["project_id"] = "pr_doesnotexist";
        var project = (await _api.PostAsync("completion", byId)).ShouldBe(HttpStatusCode.NotFound);
        Assert.Equal("Project pr_doesnotexist not found", (string)project.Object["detail"]!);

        var config = (await _api.PostAsync("completion-model-config", new JsonObject { ["model_config_id"] = "config_nope" })).ShouldBe(HttpStatusCode.NotFound);
        Assert.Equal("Model config config_nope not found", (string)config.Object["detail"]!);

        var experiment = (await _api.PostAsync("completion-experiment", new JsonObject { ["experiment_id"] = "exp_nope" })).ShouldBe(HttpStatusCode.NotFound);
        Assert.Equal("Experiment exp_nope not found", (string)experiment.Object["detail"]!);
    }

    [Fact]
    public async Task Session_reference_id_creates_and_then_reuses_a_session()
    {
        var request = InlineRequest(Names.Unique("session"));
        request["session_reference_id"] = "my_external_session_id";
        var first = (await _api.PostAsync("completion", request)).ShouldBe(HttpStatusCode.OK).Object;
        var second = (await _api.PostAsync("completion", request)).ShouldBe(HttpStatusCode.OK).Object;
        var sessionId = (string)first["session_id"]!;
        Assert.StartsWith("sesh_", sessionId);
        Assert.Equal(sessionId, (string)second["session_id"]!);

        var log = (await _api.GetAsync($"logs/{first["data"]![0]!["id"]}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(sessionId, (string)log["session_id"]!);
        Assert.Equal("my_external_session_id", (string)log["session_reference_id"]!);
    }

    [Fact]
    public async Task Completion_model_config_uses_the_stored_config_and_its_project()
    {
        var project = await _api.CreateProjectAsync(Names.Unique("stored"));
        var registered = await _api.RegisterConfigAsync((string)project["id"]!, "Summarise {{text}}");
        var configId = (string)registered["config"]!["id"]!;

        var response = (await _api.PostAsync("completion-model-config", new JsonObject
        {
            ["model_config_id"] = configId,
            ["inputs"] = new JsonObject { ["text"] = "the report" },
        })).ShouldBe(HttpStatusCode.OK).Object;

        Assert.Equal((string)project["id"]!, (string)response["project_id"]!);
        Assert.Equal(configId, (string)response["data"]![0]!["model_config_id"]!);
        Assert.StartsWith("Echo: Summarise the report", (string)response["data"]![0]!["output"]!);
    }

    [Fact]
    public async Task Completion_deployed_uses_the_environment_deployment_then_the_active_config()
    {
        var project = await _api.CreateProjectAsync(Names.Unique("deployed"));
        var projectId = (string)project["id"]!;
        var active = (string)(await _api.RegisterConfigAsync(projectId, "first {{x}}"))["config"]!["id"]!;
        var staged = (string)(await _api.RegisterConfigAsync(projectId, "second {{x}}"))["config"]!["id"]!;
        (await _api.PatchAsync($"projects/{projectId}/deploy-config", new JsonObject
        {
            ["config_id"] = staged,
            ["environments"] = new JsonArray(new JsonObject { ["name"] = "staging" }),
        })).ShouldBe(HttpStatusCode.OK);

        async Task<JsonObject> CompleteIn(string? environment)
        {
            var body = new JsonObject { ["project_id"] = projectId, ["inputs"] = new JsonObject { ["x"] = "y" } };
            if (environment is not null)
            {
                body["environment"] = environment;
            }

            return (await _api.PostAsync("completion-deployed", body)).ShouldBe(HttpStatusCode.OK).Object;
        }

        Assert.Equal(active, (string)(await CompleteIn(null))["data"]![0]!["model_config_id"]!);
        Assert.Equal(staged, (string)(await CompleteIn("staging"))["data"]![0]!["model_config_id"]!);
        Assert.Equal(active, (string)(await CompleteIn("development"))["data"]![0]!["model_config_id"]!);

        var unknown = (await _api.PostAsync("completion-deployed", new JsonObject { ["project_id"] = projectId, ["environment"] = "moon" }))
            .ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("[\"body\",\"environment\"]", unknown.Object["detail"]![0]!["loc"]!.ToJsonString());
    }

    [Fact]
    public async Task Completion_deployed_without_any_config_is_404()
    {
        var project = await _api.CreateProjectAsync(Names.Unique("empty"));
        var response = (await _api.PostAsync("completion-deployed", new JsonObject { ["project_id"] = project["id"]!.DeepClone() }))
            .ShouldBe(HttpStatusCode.NotFound);
        Assert.Contains("no config deployed", (string)response.Object["detail"]!);
    }
}
