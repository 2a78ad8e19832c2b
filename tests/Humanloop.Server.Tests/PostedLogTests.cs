using System.Net;
using System.Text.Json.Nodes;
using Humanloop.Server.Tests.Infrastructure;

namespace Humanloop.Server.Tests;

/// <summary>Logs written by clients for calls made elsewhere: POST /logs, PATCH /logs/{id}, PATCH /logs?reference_id=, DELETE /logs.</summary>
public sealed class PostedLogTests(InMemoryServerFixture fixture) : IClassFixture<InMemoryServerFixture>
{
    private readonly ApiClient _api = fixture.Api;

    private static JsonObject InlineConfig(string template = "Summarise {{text}}") => new()
    {
        ["model"] = "gpt-4o", ["provider"] = "openai", ["prompt_template"] = template, ["temperature"] = 0.3,
    };

    private async Task<JsonObject> PostOneAsync(JsonObject body) => (await _api.PostAsync("logs", body)).ShouldBe(HttpStatusCode.OK).Object;

    private async Task<JsonObject> GetLogAsync(JsonNode? id) => (await _api.GetAsync($"logs/{id}")).ShouldBe(HttpStatusCode.OK).Object;

    [Fact]
    public async Task One_log_keeps_every_field_and_registers_its_config_in_a_new_project()
    {
        var projectName = Names.Unique("posted");
        var created = await PostOneAsync(new JsonObject
        {
            ["project"] = projectName,
            ["config"] = InlineConfig(),
            ["inputs"] = new JsonObject { ["text"] = "a long story" },
            ["output"] = "A short story.",
            ["source"] = "batch-job",
            ["metadata"] = new JsonObject { ["run"] = 7 },
            ["reference_id"] = Names.Unique("ref"),
            ["judgment"] = 0.75,
            ["environment"] = "staging",
            ["duration"] = 1.25,
            ["prompt_tokens"] = 12,
            ["output_tokens"] = 4,
            ["prompt_cost"] = 0.001,
            ["output_cost"] = 0.002,
            ["created_at"] = "2024-05-01T10:00:00Z",
            ["provider_request"] = new JsonObject { ["model"] = "gpt-4o" },
            ["provider_response"] = new JsonObject { ["id"] = "chatcmpl-1" },
            ["source_datapoint_id"] = "evtc_elsewhere",
            ["feedback"] = new JsonArray(new JsonObject { ["type"] = "rating", ["value"] = "good" }, new JsonObject { ["type"] = "comment", ["value"] = "nice" }),
        });

        Assert.Equal(["id", "project_id", "session_id"], created.Select(p => p.Key));
        Assert.StartsWith("data_", (string)created["id"]!);
        Assert.Null(created["session_id"]);
        var project = (await _api.GetAsync($"projects/{created["project_id"]}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(projectName, (string)project["name"]!);

        var log = await GetLogAsync(created["id"]);
        Assert.Equal("a long story", (string)log["inputs"]!["text"]!);
        Assert.Equal("A short story.", (string)log["output"]!);
        Assert.Null(log["raw_output"]);
        Assert.Equal("batch-job", (string)log["source"]!);
        Assert.Equal(7, (int)log["metadata"]!["run"]!);
        Assert.Equal(0.75, (double)log["judgment"]!);
        Assert.Equal("staging", (string)log["environment"]!);
        Assert.Equal(1.25, (double)log["duration"]!);
        Assert.Equal(16, (int)log["tokens"]!);
        Assert.Equal(0.001, (double)log["prompt_cost"]!);
        Assert.Equal(0.002, (double)log["output_cost"]!);
        Assert.Equal(new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc), DateTime.Parse((string)log["created_at"]!).ToUniversalTime());
        Assert.Equal("chatcmpl-1", (string)log["provider_response"]!["id"]!);
        Assert.Equal("evtc_elsewhere", (string)log["source_datapoint_id"]!);
        Assert.Equal(["rating", "comment"], log["feedback"]!.AsArray().Select(f => (string)f!["type"]!));

        // The config is the project's, registered as a completion config (the spec's default endpoint), and its first.
        Assert.Equal("model", (string)log["config"]!["type"]!);
        Assert.Equal("openai", (string)log["config"]!["provider"]!);
        Assert.Equal("complete", (string)log["config"]!["endpoint"]!);
        Assert.Equal((string)log["config_id"]!, (string)project["active_config"]!["config"]!["id"]!);
        Assert.Equal(1, (int)project["data_count"]!);
    }

    [Fact]
    public async Task A_list_answers_a_list_and_later_logs_find_earlier_ones_by_reference()
    {
        var projectId = (string)(await _api.CreateProjectAsync(Names.Unique("posted-batch")))["id"]!;
        var parentRef = Names.Unique("parent");
        var conversation = Names.Unique("conversation");
        var created = (await _api.PostAsync("logs", new JsonArray(
            new JsonObject
            {
                ["project_id"] = projectId, ["config"] = InlineConfig(), ["reference_id"] = parentRef,
                ["session_reference_id"] = conversation, ["output"] = "parent",
            },
            new JsonObject { ["project_id"] = projectId, ["config"] = InlineConfig(), ["parent_reference_id"] = parentRef, ["output"] = "child" },
            new JsonObject { ["project_id"] = projectId, ["config"] = InlineConfig(), ["parent_reference_id"] = "nothing-has-this", ["output"] = "orphan" })))
            .ShouldBe(HttpStatusCode.OK).Array;

        Assert.Equal(3, created.Count);
        var sessionId = (string)created[0]!["session_id"]!;
        Assert.StartsWith("sesh_", sessionId);
        // A child without a session of its own joins its parent's.
        Assert.Equal(sessionId, (string)created[1]!["session_id"]!);
        Assert.Null(created[2]!["session_id"]);

        var child = await GetLogAsync(created[1]!["id"]);
        Assert.Equal((string)created[0]!["id"]!, (string)child["parent_id"]!);
        Assert.Equal(parentRef, (string)child["parent_reference_id"]!);
        Assert.Equal(conversation, (string)child["session_reference_id"]!);
        // A parent reference that names nothing is kept as sent, with no parent.
        var orphan = await GetLogAsync(created[2]!["id"]);
        Assert.Null(orphan["parent_id"]);
        Assert.Equal("nothing-has-this", (string)orphan["parent_reference_id"]!);

        // Identical inline configs are one config.
        var configIds = new HashSet<string>();
        foreach (var item in created)
        {
            configIds.Add((string)(await GetLogAsync(item!["id"]))["config_id"]!);
        }

        Assert.Single(configIds);
    }

    [Fact]
    public async Task A_chat_log_registers_a_chat_config_the_same_as_the_chat_endpoint_does()
    {
        var projectId = (string)(await _api.CreateProjectAsync(Names.Unique("posted-chat")))["id"]!;
        var config = new JsonObject { ["model"] = "m", ["chat_template"] = new JsonArray(new JsonObject { ["role"] = "system", ["content"] = "Be kind." }) };
        var chat = (await _api.PostAsync("chat", new JsonObject
        {
            ["project_id"] = projectId, ["model_config"] = config.DeepClone(),
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }),
        })).ShouldBe(HttpStatusCode.OK).Object;

        var created = await PostOneAsync(new JsonObject
        {
            ["project_id"] = projectId, ["config"] = config.DeepClone(),
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hello" }),
            ["output_message"] = new JsonObject { ["role"] = "assistant", ["content"] = "Hello!" },
            ["output"] = "Hello!",
        });
        var log = await GetLogAsync(created["id"]);
        Assert.Equal((string)chat["data"]![0]!["model_config_id"]!, (string)log["config_id"]!);
        Assert.Equal("Hello!", (string)log["output_message"]!["content"]!);
        Assert.Equal("hello", (string)log["messages"]![0]!["content"]!);
    }

    [Fact]
    public async Task A_stored_config_or_a_sampled_trial_names_the_config_and_the_project()
    {
        var projectId = (string)(await _api.CreateProjectAsync(Names.Unique("posted-trial")))["id"]!;
        var configId = (string)(await _api.RegisterConfigAsync(projectId, "Answer {{q}}"))["config"]!["id"]!;

        var byId = await PostOneAsync(new JsonObject { ["config_id"] = configId, ["output"] = "by id" });
        Assert.Equal(projectId, (string)byId["project_id"]!);
        Assert.Equal(configId, (string)(await GetLogAsync(byId["id"]))["config_id"]!);

        var experimentId = (string)(await _api.PostAsync($"projects/{projectId}/experiments", new JsonObject
        {
            ["name"] = "trial logs",
            ["positive_labels"] = new JsonArray(new JsonObject { ["type"] = "rating", ["value"] = "good" }),
            ["config_ids"] = new JsonArray(configId),
        })).ShouldBe(HttpStatusCode.OK).Object["id"]!;
        var sample = (await _api.GetAsync($"experiments/{experimentId}/model-config")).ShouldBe(HttpStatusCode.OK).Object;
        var trialId = (string)sample["trial_id"]!;

        // The client called its model with the sampled config and logs the result under the trial.
        var byTrial = await PostOneAsync(new JsonObject
        {
            ["trial_id"] = trialId, ["output"] = "by trial",
            ["feedback"] = new JsonObject { ["type"] = "rating", ["value"] = "good" },
        });
        var log = await GetLogAsync(byTrial["id"]);
        Assert.Equal(projectId, (string)byTrial["project_id"]!);
        Assert.Equal(configId, (string)log["config_id"]!);
        Assert.Equal(trialId, (string)log["trial_id"]!);
        Assert.Equal(experimentId, (string)log["experiment_id"]!);

        var experiment = (await _api.GetAsync($"projects/{projectId}/experiments")).Array.Single()!;
        var stats = experiment["configs"]!.AsArray().Single()!;
        Assert.Equal(1, (int)stats["trials_count"]!);
        Assert.True((double)stats["mean"]! > 0.5, "a positive trial raises the config's mean");
    }

    [Fact]
    public async Task A_tool_config_is_kept_and_shown_as_a_tool_config()
    {
        var projectId = (string)(await _api.CreateProjectAsync(Names.Unique("posted-tool")))["id"]!;
        JsonObject Tool() => new()
        {
            ["type"] = "tool", ["name"] = "get_weather", ["description"] = "Weather for a city", ["source"] = "inline",
            ["parameters"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["city"] = new JsonObject { ["type"] = "string" } } },
        };
        var first = await PostOneAsync(new JsonObject { ["project_id"] = projectId, ["config"] = Tool(), ["inputs"] = new JsonObject { ["city"] = "Paris" }, ["output"] = "sunny" });
        var second = await PostOneAsync(new JsonObject { ["project_id"] = projectId, ["config"] = Tool(), ["output"] = "rainy" });

        var log = await GetLogAsync(first["id"]);
        var config = log["config"]!.AsObject();
        Assert.Equal("tool", (string)config["type"]!);
        Assert.StartsWith("tool_", (string)config["id"]!);
        Assert.Equal("get_weather", (string)config["name"]!);
        Assert.Equal("committed", (string)config["status"]!);
        Assert.Equal("inline", (string)config["source"]!);
        Assert.Equal("string", (string)config["parameters"]!["properties"]!["city"]!["type"]!);
        Assert.Equal("Weather for a city", (string)config["description"]!);
        Assert.Equal((string)config["id"]!, (string)(await GetLogAsync(second["id"]))["config_id"]!);

        // A tool config is not a model config: the project has none, so nothing became its active config.
        var project = (await _api.GetAsync($"projects/{projectId}")).Object;
        Assert.Null(project["active_config"]);
        Assert.Empty((await _api.GetAsync($"projects/{projectId}/configs")).Array);

        // It can be named by id afterwards.
        var byId = await PostOneAsync(new JsonObject { ["config_id"] = (string)config["id"]!, ["output"] = "cloudy" });
        Assert.Equal(projectId, (string)byId["project_id"]!);
    }

    [Fact]
    public async Task A_rejected_batch_writes_nothing()
    {
        var projectName = Names.Unique("posted-rejected");
        var valid = new JsonObject { ["project"] = projectName, ["config"] = InlineConfig(), ["output"] = "fine" };

        var problems = (await _api.PostAsync("logs", new JsonArray(
            valid.DeepClone(),
            new JsonObject { ["project"] = projectName, ["output"] = "no config" },
            new JsonObject { ["config"] = InlineConfig(), ["judgment"] = "yes", ["feedback"] = new JsonObject { ["type"] = "rating" } },
            "not an object"))).ShouldBe(HttpStatusCode.UnprocessableEntity).Object["detail"]!.AsArray();
        var locations = problems.Select(p => string.Join('/', p!["loc"]!.AsArray().Select(l => l!.ToString()))).ToList();
        Assert.Contains("body/1/config", locations);
        Assert.Contains("body/2/project", locations);
        Assert.Contains("body/2/judgment", locations);
        Assert.Contains("body/2/feedback/value", locations);
        Assert.Contains("body/3", locations);

        // A lookup that fails after valid items: still nothing (the project named by the first item is not created).
        foreach (var (unknown, message) in new[]
        {
            (new JsonObject { ["project"] = projectName, ["config"] = InlineConfig(), ["session_id"] = "sesh_missing" }, "Session sesh_missing not found"),
            (new JsonObject { ["project"] = projectName, ["config_id"] = "config_missing" }, "Config config_missing not found"),
            (new JsonObject { ["project"] = projectName, ["trial_id"] = "trial_missing" }, "Trial trial_missing not found"),
            (new JsonObject { ["project_id"] = "pr_missing", ["config"] = InlineConfig() }, "Project pr_missing not found"),
        })
        {
            var response = (await _api.PostAsync("logs", new JsonArray(valid.DeepClone(), unknown))).ShouldBe(HttpStatusCode.NotFound);
            Assert.Equal(message, (string)response.Object["detail"]!);
        }

        var projects = (await _api.GetAsync($"projects?filter={projectName}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(0, (int)projects["total"]!);

        // A single object reports at ["body", ...]; a body that is neither an object nor a list is refused whole.
        var single = (await _api.PostAsync("logs", new JsonObject { ["project"] = projectName })).ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("[\"body\",\"config\"]", single.Object["detail"]![0]!["loc"]!.ToJsonString());
        (await _api.PostAsync("logs", JsonValue.Create(3))).ShouldBe(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Save_false_keeps_the_log_without_its_provider_payloads()
    {
        var created = await PostOneAsync(new JsonObject
        {
            ["project"] = Names.Unique("posted-unsaved"), ["config"] = InlineConfig(), ["save"] = false, ["output"] = "kept",
            ["provider_request"] = new JsonObject { ["secret"] = "prompt" }, ["provider_response"] = new JsonObject { ["secret"] = "answer" },
        });
        var log = await GetLogAsync(created["id"]);
        Assert.Equal("kept", (string)log["output"]!);
        Assert.False((bool)log["save"]!);
        Assert.Null(log["provider_request"]);
        Assert.Null(log["provider_response"]);
    }

    [Fact]
    public async Task Patch_changes_output_error_and_duration_by_id_or_by_reference()
    {
        var reference = Names.Unique("ref");
        var created = await PostOneAsync(new JsonObject
        {
            ["project"] = Names.Unique("posted-patch"), ["config"] = InlineConfig(), ["reference_id"] = reference,
            ["error"] = "timeout", ["duration"] = 30,
        });
        var before = await GetLogAsync(created["id"]);

        var patched = (await _api.PatchAsync($"logs/{created["id"]}", new JsonObject { ["output"] = "late answer", ["error"] = null }))
            .ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal("late answer", (string)patched["output"]!);
        Assert.Null(patched["error"]);
        Assert.Equal(30, (double)patched["duration"]!);
        Assert.True(DateTime.Parse((string)patched["updated_at"]!) >= DateTime.Parse((string)before["updated_at"]!));

        var byReference = (await _api.PatchAsync($"logs?reference_id={Uri.EscapeDataString(reference)}", new JsonObject { ["duration"] = 2.5 }))
            .ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal((string)created["id"]!, (string)byReference["id"]!);
        Assert.Equal(2.5, (double)byReference["duration"]!);
        Assert.Equal("late answer", (string)byReference["output"]!);
        Assert.Equal("late answer", (string)(await GetLogAsync(created["id"]))["output"]!);

        // A reference used again names the newer log.
        var newer = await PostOneAsync(new JsonObject { ["project"] = Names.Unique("posted-patch"), ["config"] = InlineConfig(), ["reference_id"] = reference });
        var patchedNewer = (await _api.PatchAsync($"logs?reference_id={Uri.EscapeDataString(reference)}", new JsonObject { ["output"] = "newer" })).Object;
        Assert.Equal((string)newer["id"]!, (string)patchedNewer["id"]!);

        (await _api.PatchAsync("logs/data_missing", new JsonObject { ["output"] = "x" })).ShouldBe(HttpStatusCode.NotFound);
        (await _api.PatchAsync("logs?reference_id=no-such-reference", new JsonObject { ["output"] = "x" })).ShouldBe(HttpStatusCode.NotFound);
        var missingReference = (await _api.PatchAsync("logs", new JsonObject { ["output"] = "x" })).ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("[\"query\",\"reference_id\"]", missingReference.Object["detail"]![0]!["loc"]!.ToJsonString());
        var badType = (await _api.PatchAsync($"logs/{created["id"]}", new JsonObject { ["duration"] = "long", ["output"] = "ignored" }))
            .ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("[\"body\",\"duration\"]", badType.Object["detail"]![0]!["loc"]!.ToJsonString());
        Assert.Equal("late answer", (string)(await GetLogAsync(created["id"]))["output"]!);
    }

    [Fact]
    public async Task Delete_takes_ids_from_the_query_and_the_body_and_an_unknown_id_deletes_nothing()
    {
        var projectId = (string)(await _api.CreateProjectAsync(Names.Unique("posted-delete")))["id"]!;
        var ids = (await _api.PostAsync("logs", new JsonArray(Enumerable.Range(0, 4)
            .Select(i => (JsonNode)new JsonObject { ["project_id"] = projectId, ["config"] = InlineConfig(), ["output"] = $"log {i}" }).ToArray())))
            .ShouldBe(HttpStatusCode.OK).Array.Select(c => (string)c!["id"]!).ToList();
        await _api.PostAsync("feedback", new JsonObject { ["data_id"] = ids[0], ["type"] = "rating", ["value"] = "good" });

        var refused = (await _api.SendAsync(HttpMethod.Delete, $"logs?id={ids[0]}&id=data_missing", null)).ShouldBe(HttpStatusCode.NotFound);
        Assert.Equal("Log data_missing not found", (string)refused.Object["detail"]!);
        Assert.Equal(4, (int)(await _api.GetAsync($"projects/{projectId}")).Object["data_count"]!);

        (await _api.SendAsync(HttpMethod.Delete, $"logs?id={ids[0]}&id={ids[1]}", null)).ShouldBe(HttpStatusCode.NoContent);
        (await _api.SendAsync(HttpMethod.Delete, $"logs?id={ids[2]}", new JsonArray(ids[3], ids[2]))).ShouldBe(HttpStatusCode.NoContent);
        foreach (var id in ids)
        {
            (await _api.GetAsync($"logs/{id}")).ShouldBe(HttpStatusCode.NotFound);
        }

        Assert.Equal(0, (int)(await _api.GetAsync($"projects/{projectId}")).Object["data_count"]!);
        (await _api.SendAsync(HttpMethod.Delete, "logs", new JsonObject { ["id"] = "x" })).ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await _api.SendAsync(HttpMethod.Delete, "logs", null)).ShouldBe(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task A_generation_finds_its_parent_by_reference_and_joins_the_parents_session()
    {
        var projectId = (string)(await _api.CreateProjectAsync(Names.Unique("posted-generation")))["id"]!;
        var parentRef = Names.Unique("plan");
        var parent = await PostOneAsync(new JsonObject
        {
            ["project_id"] = projectId, ["config"] = InlineConfig(), ["reference_id"] = parentRef,
            ["session_reference_id"] = Names.Unique("agent-run"), ["output"] = "step 1",
        });

        var completion = (await _api.PostAsync("completion", new JsonObject
        {
            ["project_id"] = projectId, ["parent_reference_id"] = parentRef,
            ["model_config"] = new JsonObject { ["model"] = "m", ["prompt_template"] = "step 2" },
        })).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal((string)parent["session_id"]!, (string)completion["session_id"]!);

        var child = await GetLogAsync(completion["data"]![0]!["id"]);
        Assert.Equal((string)parent["id"]!, (string)child["parent_id"]!);
        Assert.Equal(parentRef, (string)child["parent_reference_id"]!);

        // GET /logs?session_id= (an extension) lists the session's logs, newest first.
        var inSession = (await _api.GetAsync($"logs?session_id={parent["session_id"]}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal([(string)child["id"]!, (string)parent["id"]!], inSession["records"]!.AsArray().Select(r => (string)r!["id"]!));
        (await _api.GetAsync("logs?session_id=sesh_missing")).ShouldBe(HttpStatusCode.NotFound);
        (await _api.GetAsync("logs")).ShouldBe(HttpStatusCode.UnprocessableEntity);
    }
}
