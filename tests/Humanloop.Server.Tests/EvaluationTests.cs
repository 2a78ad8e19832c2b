using System.Net;
using System.Text.Json.Nodes;
using Humanloop.Judging;
using Humanloop.Server.Evaluations;
using Humanloop.Server.Domain;
using Humanloop.Server.Hosting;
using Humanloop.Server.Storage;
using Humanloop.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Humanloop.Server.Tests;

/// <summary>One in-memory server whose openai provider is the stub, so a run can be held at a provider call and cancelled.</summary>
public sealed class EvaluationServerFixture : IAsyncLifetime
{
    public OpenAiStub Stub { get; private set; } = null!;

    public RunningServer Server { get; private set; } = null!;

    public ApiClient Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Stub = await OpenAiStub.StartAsync();
        Server = await TestServers.StartAsync(TestServers.InMemory() with { OpenAiBaseUrl = Stub.BaseUrl + "/v1", OpenAiApiKey = "sk-test" });
        Api = new ApiClient(Server, TestServers.ApiKey);
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await Server.DisposeAsync();
        await Stub.DisposeAsync();
    }
}

public sealed class EvaluationTests(EvaluationServerFixture fixture) : IClassFixture<EvaluationServerFixture>
{
    private readonly ApiClient _api = fixture.Api;

    // ---- setup helpers -------------------------------------------------------------------------

    private sealed record Setup(string ProjectId, string ConfigId, string DatasetId, IReadOnlyList<string> DatapointIds);

    /// <summary>
    /// A project, a mock completion config "Answer {{q}}" cut at three tokens (so the output is exactly
    /// "Echo: Answer &lt;q&gt;"), and a dataset of the given datapoints.
    /// </summary>
    private async Task<Setup> SetUpAsync(JsonObject? config = null, params JsonObject[] datapoints)
    {
        var projectId = (string)(await _api.CreateProjectAsync(Names.Unique("ev")))["id"]!;
        var body = config ?? new JsonObject { ["model"] = "mock-model", ["prompt_template"] = "Answer {{q}}", ["temperature"] = 0, ["max_tokens"] = 3 };
        body["project_id"] = projectId;
        body["provider"] ??= "mock";
        var configId = (string)(await _api.PostAsync("model-configs", body)).ShouldBe(HttpStatusCode.OK).Object["config"]!["id"]!;
        var datasetId = (string)(await _api.PostAsync($"projects/{projectId}/datasets", new JsonObject { ["name"] = "cases", ["description"] = "" }))
            .ShouldBe(HttpStatusCode.Created).Object["id"]!;
        var ids = new List<string>();
        if (datapoints.Length > 0)
        {
            var added = (await _api.PostAsync($"datasets/{datasetId}/datapoints", new JsonArray(datapoints.Select(d => (JsonNode)d.DeepClone()).ToArray())))
                .ShouldBe(HttpStatusCode.Created).Array;
            ids.AddRange(added.Select(d => (string)d!["id"]!));
        }

        return new Setup(projectId, configId, datasetId, ids);
    }

    private static JsonObject Case(string question, string? answer = null) => new()
    {
        ["inputs"] = new JsonObject { ["q"] = question },
        ["target"] = answer is null ? new JsonObject() : new JsonObject { ["answer"] = answer },
    };

    private async Task<string> EvaluatorAsync(string type, string returnType = "boolean", string? code = null, JsonObject? modelConfig = null, string? name = null)
    {
        var body = new JsonObject
        {
            ["name"] = name ?? Names.Unique(type),
            ["description"] = "",
            ["arguments_type"] = code?.Contains("{{target.", StringComparison.Ordinal) == true ? "target_required" : "target_free",
            ["return_type"] = returnType,
            ["type"] = type,
        };
        if (code is not null)
        {
            body["code"] = code;
        }

        if (modelConfig is not null)
        {
            body["model_config"] = modelConfig;
        }

        return (string)(await _api.PostAsync("evaluators", body)).ShouldBe(HttpStatusCode.Created).Object["id"]!;
    }

    private async Task<JsonObject> CreateAsync(Setup setup, IEnumerable<string> evaluatorIds, bool? hlGenerated = null, string? configId = null)
    {
        var body = new JsonObject
        {
            ["config_id"] = configId ?? setup.ConfigId,
            ["evaluator_ids"] = new JsonArray(evaluatorIds.Select(id => (JsonNode)JsonValue.Create(id)!).ToArray()),
            ["dataset_id"] = setup.DatasetId,
        };
        if (hlGenerated is { } generated)
        {
            body["hl_generated"] = generated;
        }

        return (await _api.PostAsync($"projects/{setup.ProjectId}/evaluations", body)).ShouldBe(HttpStatusCode.Created).Object;
    }

    /// <summary>Polls until the evaluation has one of the statuses (a condition with a deadline, not a timed sleep).</summary>
    private async Task<JsonObject> WaitForStatusAsync(string id, params string[] statuses)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var evaluation = (await _api.GetAsync($"evaluations/{id}?evaluator_aggregates=true")).ShouldBe(HttpStatusCode.OK).Object;
            if (statuses.Contains((string)evaluation["status"]!))
            {
                return evaluation;
            }

            Assert.True(DateTime.UtcNow < deadline, $"evaluation {id} stayed {evaluation["status"]}");
            await Task.Delay(20);
        }
    }

    private async Task<List<JsonObject>> SnapshotAsync(string id, int size = 100) =>
        (await _api.GetAsync($"evaluations/{id}/datapoints?size={size}")).ShouldBe(HttpStatusCode.OK).Object["records"]!.AsArray().Select(r => r!.AsObject()).ToList();

    private async Task<JsonObject> PostLogAsync(string evaluationId, string datapointId, JsonObject log) =>
        (await _api.PostAsync($"evaluations/{evaluationId}/log", new JsonObject { ["datapoint_id"] = datapointId, ["log"] = log }))
            .ShouldBe(HttpStatusCode.Created).Object;

    private static JsonNode? ResultOf(JsonObject record, string evaluatorId) =>
        record["evaluation_results"]!.AsArray().SingleOrDefault(r => (string)r!["evaluator_id"]! == evaluatorId);

    private static double? Aggregate(JsonObject evaluation, string evaluatorId) =>
        (double?)evaluation["evaluator_aggregates"]!.AsArray().Single(a => (string)a!["evaluator_id"]! == evaluatorId)!["aggregate_value"];

    private static string Loc(ApiResponse response, int index = 0) => response.Object["detail"]![index]!["loc"]!.ToJsonString();

    // ---- create, get, list ---------------------------------------------------------------------

    [Fact]
    public async Task Create_answers_201_with_the_spec_fields_and_a_snapshot_of_the_dataset()
    {
        var setup = await SetUpAsync(null, Case("refunds"), Case("shipping"));
        var check = await EvaluatorAsync("python", code: "builtin:contains:Echo");
        var external = await EvaluatorAsync("external");

        var created = await CreateAsync(setup, [check, external, check], hlGenerated: false);
        Assert.StartsWith("ev_", (string)created["id"]!);
        Assert.Equal("pending", (string)created["status"]!);
        Assert.Equal(setup.ConfigId, (string)created["config"]!["id"]!);
        Assert.Equal("model", (string)created["config"]!["type"]!);
        Assert.Equal([check, external], created["evaluators"]!.AsArray().Select(e => (string)e!["id"]!));
        Assert.Equal(setup.DatasetId, (string)created["dataset"]!["id"]!);
        Assert.StartsWith("evdsv_", (string)created["dataset_version_id"]!);
        Assert.Equal(2, (int)created["dataset_snapshot"]!["datapoint_count"]!);
        Assert.Equal("cases", (string)created["dataset_snapshot"]!["name"]!);
        Assert.False(created.ContainsKey("evaluator_aggregates"), "aggregates only when asked for");
        Assert.True(created.ContainsKey("feedback_aggregates"));
        foreach (var field in new[] { "created_at", "updated_at" })
        {
            Assert.NotNull(created[field]);
        }

        var got = (await _api.GetAsync($"evaluations/{created["id"]}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal((string)created["dataset_version_id"]!, (string)got["dataset_version_id"]!);
        Assert.False(got.ContainsKey("evaluator_aggregates"));
        var withAggregates = (await _api.GetAsync($"evaluations/{created["id"]}?evaluator_aggregates=true")).ShouldBe(HttpStatusCode.OK).Object;
        var aggregates = withAggregates["evaluator_aggregates"]!.AsArray();
        Assert.Equal([check, external], aggregates.Select(a => (string)a!["evaluator_id"]!));
        Assert.All(aggregates, a =>
        {
            Assert.Equal(setup.ConfigId, (string)a!["model_config_id"]!);
            Assert.Equal((string)a["evaluator_id"]!, (string)a["evaluator_version_id"]!);
            Assert.Null(a["aggregate_value"]);
        });
    }

    [Fact]
    public async Task Create_checks_the_body_then_names_unknown_ids()
    {
        var setup = await SetUpAsync(null, Case("refunds"));
        var missing = (await _api.PostAsync($"projects/{setup.ProjectId}/evaluations", new JsonObject { ["hl_generated"] = "yes" }))
            .ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(
            ["[\"body\",\"config_id\"]", "[\"body\",\"evaluator_ids\"]", "[\"body\",\"dataset_id\"]", "[\"body\",\"hl_generated\"]"],
            missing.Object["detail"]!.AsArray().Select(e => e!["loc"]!.ToJsonString()));

        async Task<string> NotFound(string project, string config, string dataset, params string[] evaluators)
        {
            var response = (await _api.PostAsync($"projects/{project}/evaluations", new JsonObject
            {
                ["config_id"] = config,
                ["dataset_id"] = dataset,
                ["evaluator_ids"] = new JsonArray(evaluators.Select(e => (JsonNode)JsonValue.Create(e)!).ToArray()),
            })).ShouldBe(HttpStatusCode.NotFound);
            return (string)response.Object["detail"]!;
        }

        Assert.Equal("Project pr_nope not found", await NotFound("pr_nope", setup.ConfigId, setup.DatasetId));
        Assert.Equal("Model config config_nope not found", await NotFound(setup.ProjectId, "config_nope", setup.DatasetId));
        var other = await SetUpAsync();
        Assert.Equal($"Model config {other.ConfigId} not found in project {setup.ProjectId}", await NotFound(setup.ProjectId, other.ConfigId, setup.DatasetId));
        Assert.Equal("Dataset evts_nope not found", await NotFound(setup.ProjectId, setup.ConfigId, "evts_nope"));
        var known = await EvaluatorAsync("external");
        Assert.Equal("Evaluator evfn_nope not found", await NotFound(setup.ProjectId, setup.ConfigId, setup.DatasetId, known, "evfn_nope"));

        // Nothing was created by the refused requests.
        Assert.Empty((await _api.GetAsync($"projects/{setup.ProjectId}/evaluations")).ShouldBe(HttpStatusCode.OK).Array);
    }

    [Fact]
    public async Task Lists_are_newest_first_and_page_and_filter()
    {
        var setup = await SetUpAsync(null, Case("refunds"));
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((string)(await CreateAsync(setup, [], hlGenerated: false))["id"]!);
        }

        var first = (await _api.GetAsync($"evaluations?project_id={setup.ProjectId}&size=2")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(3, (int)first["total"]!);
        Assert.Equal(0, (int)first["page"]!);
        Assert.Equal(2, (int)first["size"]!);
        Assert.Equal([ids[2], ids[1]], first["records"]!.AsArray().Select(e => (string)e!["id"]!));
        var second = (await _api.GetAsync($"evaluations?project_id={setup.ProjectId}&size=2&page=1")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal([ids[0]], second["records"]!.AsArray().Select(e => (string)e!["id"]!));

        var chosen = (await _api.GetAsync($"evaluations?project_id={setup.ProjectId}&id={ids[0]}&id={ids[2]}&evaluatee_id=evv_ignored")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal([ids[2], ids[0]], chosen["records"]!.AsArray().Select(e => (string)e!["id"]!));
        Assert.Equal(2, (int)chosen["total"]!);

        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        var tomorrow = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd");
        Assert.Equal(3, (int)(await _api.GetAsync($"evaluations?project_id={setup.ProjectId}&start_date={today}&end_date={tomorrow}")).ShouldBe(HttpStatusCode.OK).Object["total"]!);
        Assert.Equal(0, (int)(await _api.GetAsync($"evaluations?project_id={setup.ProjectId}&start_date={tomorrow}")).ShouldBe(HttpStatusCode.OK).Object["total"]!);

        Assert.Equal("[\"query\",\"project_id\"]", Loc((await _api.GetAsync("evaluations")).ShouldBe(HttpStatusCode.UnprocessableEntity)));
        (await _api.GetAsync("evaluations?project_id=pr_nope")).ShouldBe(HttpStatusCode.NotFound);

        var all = (await _api.GetAsync($"projects/{setup.ProjectId}/evaluations")).ShouldBe(HttpStatusCode.OK).Array;
        Assert.Equal([ids[2], ids[1], ids[0]], all.Select(e => (string)e!["id"]!));
        Assert.All(all, e => Assert.False(e!.AsObject().ContainsKey("evaluator_aggregates")));
        var aggregated = (await _api.GetAsync($"projects/{setup.ProjectId}/evaluations?evaluator_aggregates=true")).ShouldBe(HttpStatusCode.OK).Array;
        Assert.All(aggregated, e => Assert.NotNull(e!["evaluator_aggregates"]));
        Assert.Equal("[\"query\",\"evaluator_aggregates\"]", Loc((await _api.GetAsync($"projects/{setup.ProjectId}/evaluations?evaluator_aggregates=maybe")).ShouldBe(HttpStatusCode.UnprocessableEntity)));
        (await _api.GetAsync("projects/pr_nope/evaluations")).ShouldBe(HttpStatusCode.NotFound);
        Assert.Equal("Evaluation ev_nope not found", (string)(await _api.GetAsync("evaluations/ev_nope")).ShouldBe(HttpStatusCode.NotFound).Object["detail"]!);
    }

    [Fact]
    public async Task The_snapshot_lists_from_page_one_in_dataset_order_and_ignores_later_edits()
    {
        var setup = await SetUpAsync(null, Case("one"), Case("two"), Case("three"));
        var evaluation = await CreateAsync(setup, [], hlGenerated: false);
        var id = (string)evaluation["id"]!;

        // The dataset changes after the evaluation was created.
        (await _api.PatchAsync($"datapoints/{setup.DatapointIds[0]}", new JsonObject { ["inputs"] = new JsonObject { ["q"] = "edited" } })).ShouldBe(HttpStatusCode.OK);
        (await _api.DeleteAsync($"datapoints?id={setup.DatapointIds[1]}")).ShouldBe(HttpStatusCode.NoContent);
        (await _api.PostAsync($"datasets/{setup.DatasetId}/datapoints", Case("four"))).ShouldBe(HttpStatusCode.Created);

        var page = (await _api.GetAsync($"evaluations/{id}/datapoints?size=2&evaluatee_id=evv_ignored")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(1, (int)page["page"]!);
        Assert.Equal(2, (int)page["size"]!);
        Assert.Equal(3, (int)page["total"]!);
        var records = page["records"]!.AsArray();
        Assert.Equal(["one", "two"], records.Select(r => (string)r!["datapoint"]!["inputs"]!["q"]!));
        Assert.Equal(setup.DatapointIds.Take(2), records.Select(r => (string)r!["datapoint"]!["id"]!));
        Assert.All(records, r =>
        {
            Assert.Equal(setup.DatasetId, (string)r!["datapoint"]!["dataset_id"]!);
            Assert.True(r.AsObject().ContainsKey("log"));
            Assert.Null(r["log"]);
            Assert.Empty(r["evaluation_results"]!.AsArray());
        });
        var next = (await _api.GetAsync($"evaluations/{id}/datapoints?size=2&page=2")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(["three"], next["records"]!.AsArray().Select(r => (string)r!["datapoint"]!["inputs"]!["q"]!));
        Assert.Equal("[\"query\",\"page\"]", Loc((await _api.GetAsync($"evaluations/{id}/datapoints?page=0")).ShouldBe(HttpStatusCode.UnprocessableEntity)));
        (await _api.GetAsync("evaluations/ev_nope/datapoints")).ShouldBe(HttpStatusCode.NotFound);

        var now = (await _api.GetAsync($"evaluations/{id}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(3, (int)now["dataset_snapshot"]!["datapoint_count"]!);
        Assert.Equal(3, (int)now["dataset"]!["datapoint_count"]!);
        Assert.Equal((string)evaluation["dataset_version_id"]!, (string)now["dataset_version_id"]!);

        // A datapoint added after the snapshot is not one of the evaluation's.
        var added = (await _api.GetAsync($"datasets/{setup.DatasetId}/datapoints")).ShouldBe(HttpStatusCode.OK).Object["records"]!.AsArray().Last()!;
        var refused = (await _api.PostAsync($"evaluations/{id}/log", new JsonObject { ["datapoint_id"] = added["id"]!.DeepClone(), ["log"] = new JsonObject { ["output"] = "x" } }))
            .ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("[\"body\",\"datapoint_id\"]", Loc(refused));
        Assert.Contains((string)added["id"]!, (string)refused.Object["detail"]![0]!["msg"]!);

        // Deleting the dataset leaves the evaluation with its snapshot.
        (await _api.DeleteAsync($"datasets/{setup.DatasetId}")).ShouldBe(HttpStatusCode.OK);
        var orphan = (await _api.GetAsync($"evaluations/{id}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal("cases", (string)orphan["dataset"]!["name"]!);
        Assert.Equal(3, (await SnapshotAsync(id)).Count);
    }

    // ---- server runs ---------------------------------------------------------------------------

    [Fact]
    public async Task A_server_run_generates_every_datapoint_scores_each_log_and_aggregates()
    {
        var setup = await SetUpAsync(null,
            Case("refunds", "Echo: Answer refunds"),
            Case("shipping", "Echo: Answer shipment"),
            new JsonObject { ["inputs"] = new JsonObject { ["z"] = "no q" }, ["target"] = new JsonObject { ["answer"] = "-" } });
        var echo = await EvaluatorAsync("python", code: "builtin:contains:Echo");
        var notShipping = await EvaluatorAsync("python", code: "builtin:not-contains:shipping");
        var distance = await EvaluatorAsync("python", "number", "builtin:levenshtein:{{target.answer}}");
        var tokens = await EvaluatorAsync("python", "number", "builtin:tokens");
        var python = await EvaluatorAsync("python", code: "def evaluate(log):\n    return True");
        var external = await EvaluatorAsync("external");
        var human = await EvaluatorAsync("human");

        var created = await CreateAsync(setup, [echo, notShipping, distance, tokens, python, external, human]);
        var id = (string)created["id"]!;
        var done = await WaitForStatusAsync(id, "completed", "failed", "cancelled");
        Assert.Equal("completed", (string)done["status"]!);
        Assert.Null(done["status_reason"]);

        // Three logs: two answers cut at three tokens, and one that records the missing input.
        var records = await SnapshotAsync(id);
        Assert.Equal(setup.DatapointIds, records.Select(r => (string)r["datapoint"]!["id"]!));
        Assert.Equal(["Echo: Answer refunds", "Echo: Answer shipping", null], records.Select(r => (string?)r["log"]!["output"]));
        Assert.All(records, r =>
        {
            Assert.Equal((string)r["datapoint"]!["id"]!, (string)r["log"]!["source_datapoint_id"]!);
            Assert.Equal(setup.ConfigId, (string)r["log"]!["config"]!["id"]!);
            Assert.Equal(setup.ProjectId, (string)r["log"]!["project_id"]!);
        });
        Assert.Contains("input 'q' is used by the prompt template but missing from inputs", (string)records[2]["log"]!["error"]!);
        Assert.Equal(5, (int)records[0]["log"]!["tokens"]!);

        // Server evaluators have a result on every log; external and human ones have none.
        Assert.All(records, r => Assert.Equal(5, r["evaluation_results"]!.AsArray().Count));
        Assert.All(records, r => Assert.Null(ResultOf(r, external)));
        Assert.True((bool)ResultOf(records[0], echo)!["value"]!);
        Assert.True((bool)ResultOf(records[0], notShipping)!["value"]!);
        Assert.False((bool)ResultOf(records[1], notShipping)!["value"]!);
        Assert.Equal(0, (double)ResultOf(records[0], distance)!["value"]!);
        Assert.Equal(3, (double)ResultOf(records[1], distance)!["value"]!);
        Assert.Equal(5, (double)ResultOf(records[0], tokens)!["value"]!);
        Assert.All(records, r => Assert.Equal(EvaluatorExecutor.PythonNotRun, (string)ResultOf(r, python)!["error"]!));
        Assert.StartsWith("the log records an error", (string)ResultOf(records[2], echo)!["error"]!);
        var result = ResultOf(records[0], echo)!;
        Assert.StartsWith("evr_", (string)result["id"]!);
        Assert.Equal(echo, (string)result["evaluator_version_id"]!);
        Assert.Equal(id, (string)result["evaluation_id"]!);
        Assert.Equal((string)records[0]["log"]!["id"]!, (string)result["log_id"]!);
        Assert.Null(result["llm_evaluator_log"]);
        Assert.Single(records[0]["log"]!["evaluation_results"]!.AsArray(), r => (string)r!["evaluator_id"]! == echo);

        // Aggregates: share of true (errors left out), mean of numbers, null without results.
        Assert.Equal(1.0, Aggregate(done, echo));
        Assert.Equal(0.5, Aggregate(done, notShipping));
        Assert.Equal(1.5, Aggregate(done, distance));
        Assert.Equal(5.0, Aggregate(done, tokens));
        Assert.Null(Aggregate(done, python));
        Assert.Null(Aggregate(done, external));
        Assert.Null(Aggregate(done, human));

        // The logs are the project's own logs.
        Assert.Equal(3, (int)(await _api.GetAsync($"logs?project_id={setup.ProjectId}")).ShouldBe(HttpStatusCode.OK).Object["total"]!);
    }

    [Fact]
    public async Task A_chat_config_runs_on_each_datapoints_inputs_and_messages()
    {
        var config = new JsonObject
        {
            ["model"] = "mock-chat",
            ["endpoint"] = "chat",
            ["temperature"] = 0,
            ["chat_template"] = new JsonArray(new JsonObject { ["role"] = "system", ["content"] = "You help {{name}}" }),
            ["tools"] = new JsonArray(new JsonObject
            {
                ["name"] = "get_weather",
                ["parameters"] = new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject { ["city"] = new JsonObject { ["type"] = "string" } },
                    ["required"] = new JsonArray("city"),
                },
            }),
        };
        var setup = await SetUpAsync(config, new JsonObject
        {
            ["inputs"] = new JsonObject { ["name"] = "Ada" },
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "call:get_weather city=Paris" }),
        });
        var called = await EvaluatorAsync("python", code: "builtin:tool:get_weather");
        var valid = await EvaluatorAsync("python", code: "builtin:tools-valid");
        var finished = await EvaluatorAsync("python", code: "builtin:finish:tool_call");
        var text = await EvaluatorAsync("python", code: "builtin:contains:Paris");

        var id = (string)(await CreateAsync(setup, [called, valid, finished, text]))["id"]!;
        Assert.Equal("completed", (string)(await WaitForStatusAsync(id, "completed", "failed"))["status"]!);
        var record = Assert.Single(await SnapshotAsync(id));
        var messages = record["log"]!["messages"]!.AsArray();
        Assert.Equal("You help Ada", (string)messages[0]!["content"]!);
        Assert.Equal("call:get_weather city=Paris", (string)messages[1]!["content"]!);
        Assert.Equal("get_weather", (string)record["log"]!["output_message"]!["tool_calls"]![0]!["function"]!["name"]!);
        Assert.True((bool)ResultOf(record, called)!["value"]!);
        Assert.True((bool)ResultOf(record, valid)!["value"]!);
        Assert.True((bool)ResultOf(record, finished)!["value"]!);
        Assert.False((bool)ResultOf(record, text)!["value"]!, "a tool-call answer has no text");
    }

    [Fact]
    public async Task A_run_that_cannot_proceed_fails_with_its_reason()
    {
        var setup = await SetUpAsync(new JsonObject { ["model"] = "claude", ["provider"] = "anthropic", ["prompt_template"] = "{{q}}" }, Case("refunds"));
        var id = (string)(await CreateAsync(setup, [await EvaluatorAsync("python", code: "builtin:json")]))["id"]!;
        var failed = await WaitForStatusAsync(id, "failed", "completed");
        Assert.Equal("failed", (string)failed["status"]!);
        Assert.StartsWith("the run could not start: provider 'anthropic' is not served", (string)failed["status_reason"]!);
        Assert.Null((await SnapshotAsync(id))[0]["log"]);

        // An ended server run is not revived by mistake.
        var revive = (await _api.PatchAsync($"evaluations/{id}/status", new JsonObject { ["status"] = "running" })).ShouldBe(HttpStatusCode.Conflict);
        Assert.Contains("cannot be set back to running", (string)revive.Object["detail"]!);
    }

    [Fact]
    public async Task Cancelling_a_server_run_stops_its_work_and_nothing_more_is_written()
    {
        var stub = fixture.Stub;
        var baseline = stub.StallsAbandoned;
        var setup = await SetUpAsync(
            new JsonObject { ["model"] = "stall-on-demand", ["provider"] = "openai", ["prompt_template"] = "{{q}}", ["temperature"] = 0 },
            Case("quick one"), Case("quick two"),
            Case($"{OpenAiStub.StallMarker} three"), Case($"{OpenAiStub.StallMarker} four"), Case($"{OpenAiStub.StallMarker} five"), Case($"{OpenAiStub.StallMarker} six"));
        var hello = await EvaluatorAsync("python", code: "builtin:contains:Hello");
        var id = (string)(await CreateAsync(setup, [hello]))["id"]!;

        // Four datapoints are in flight at most: the four held ones can only all be in flight once both quick
        // ones were generated and scored, so the run is now deterministically stuck.
        await stub.WaitUntilAsync(s => s.StalledNow == EvaluationRunner.DatapointsInFlight, "every slot held");
        Assert.Equal("running", (string)(await _api.GetAsync($"evaluations/{id}")).ShouldBe(HttpStatusCode.OK).Object["status"]!);

        var cancelled = (await _api.PatchAsync($"evaluations/{id}/status", new JsonObject { ["status"] = "cancelled" })).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal("cancelled", (string)cancelled["status"]!);

        // The held provider calls are abandoned and the run ends, well before any of them would have answered.
        await fixture.Server.Services.GetRequiredService<EvaluationRunner>().WhenFinished(id).WaitAsync(TimeSpan.FromSeconds(10));
        await stub.WaitUntilAsync(s => s.StalledNow == 0 && s.StallsAbandoned == baseline + 4, "the four held calls abandoned");

        var records = await SnapshotAsync(id);
        Assert.Equal(["Hello from choice 0", "Hello from choice 0", null, null, null, null], records.Select(r => (string?)r["log"]?["output"]));
        Assert.True((bool)ResultOf(records[0], hello)!["value"]!);
        Assert.True((bool)ResultOf(records[1], hello)!["value"]!);
        Assert.Equal(2, (int)(await _api.GetAsync($"logs?project_id={setup.ProjectId}")).ShouldBe(HttpStatusCode.OK).Object["total"]!);
        var after = (await _api.GetAsync($"evaluations/{id}?evaluator_aggregates=true")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal("cancelled", (string)after["status"]!);
        Assert.Equal(1.0, Aggregate(after, hello));
    }

    [Fact]
    public async Task Once_an_evaluation_has_ended_a_runs_writes_are_refused()
    {
        var setup = await SetUpAsync(null, Case("refunds"));
        var check = await EvaluatorAsync("external");
        // Client-driven, so no background run of the server writes beside this test's own "run" writes.
        var id = (string)(await CreateAsync(setup, [check], hlGenerated: false))["id"]!;
        var logs = fixture.Server.Services.GetRequiredService<LogStore>();
        var evaluations = fixture.Server.Services.GetRequiredService<EvaluationStore>();
        LogRecord Log() => new()
        {
            Id = Ids.New(Ids.Log), ProjectId = setup.ProjectId, ConfigId = setup.ConfigId, Inputs = [], Output = "a",
            SourceDatapointId = setup.DatapointIds[0], EvaluationId = id, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
        };

        var written = Log();
        Assert.True(logs.InsertWhileEvaluationActive(written));
        Assert.NotNull(evaluations.SaveResult(id, written.Id, check, JsonValue.Create(true), null, null, onlyWhileActive: true));

        (await _api.PatchAsync($"evaluations/{id}/status", new JsonObject { ["status"] = "cancelled" })).ShouldBe(HttpStatusCode.OK);
        var refused = Log();
        Assert.False(logs.InsertWhileEvaluationActive(refused));
        Assert.Null(logs.Get(refused.Id));
        Assert.Null(evaluations.SaveResult(id, written.Id, check, JsonValue.Create(false), null, null, onlyWhileActive: true));
        Assert.True((bool)ResultOf((await SnapshotAsync(id))[0], check)!["value"]!);

        // A client's own writes are not a run's: they are taken whatever the status says.
        Assert.NotNull(evaluations.SaveResult(id, written.Id, check, JsonValue.Create(false), null, null, onlyWhileActive: false));
        Assert.False((bool)ResultOf((await SnapshotAsync(id))[0], check)!["value"]!);
    }

    // ---- client-driven evaluations -------------------------------------------------------------

    [Fact]
    public async Task A_posted_log_is_stored_as_the_datapoints_log_moves_pending_to_running_and_is_scored_before_the_answer()
    {
        var setup = await SetUpAsync(null, Case("refunds", "30 days"), Case("shipping"));
        var mentions = await EvaluatorAsync("python", code: "builtin:icontains:{{target.answer}}");
        var external = await EvaluatorAsync("external");
        var id = (string)(await CreateAsync(setup, [mentions, external], hlGenerated: false))["id"]!;

        var posted = await PostLogAsync(id, setup.DatapointIds[0], new JsonObject
        {
            ["output"] = "Refunds within 30 DAYS.",
            ["duration"] = 1.25,
            ["prompt_tokens"] = 7,
            ["output_tokens"] = 4,
            ["metadata"] = new JsonObject { ["run"] = "ci" },
            ["output_message"] = new JsonObject { ["role"] = "assistant", ["content"] = "Refunds within 30 DAYS." },
            ["source_datapoint_id"] = "evtc_ignored",
            ["project_id"] = "pr_ignored",
        });
        Assert.StartsWith("data_", (string)posted["id"]!);
        Assert.Equal(setup.ProjectId, (string)posted["project_id"]!);
        Assert.True(posted.ContainsKey("session_id"));
        Assert.Equal("running", (string)(await _api.GetAsync($"evaluations/{id}")).ShouldBe(HttpStatusCode.OK).Object["status"]!);

        var log = (await _api.GetAsync($"logs/{posted["id"]}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal("refunds", (string)log["inputs"]!["q"]!);
        Assert.Equal(setup.DatapointIds[0], (string)log["source_datapoint_id"]!);
        Assert.Equal(setup.ConfigId, (string)log["config_id"]!);
        Assert.Equal(1.25, (double)log["duration"]!);
        Assert.Equal(11, (int)log["tokens"]!);
        Assert.Equal("ci", (string)log["metadata"]!["run"]!);
        Assert.Equal("Refunds within 30 DAYS.", (string)log["output_message"]!["content"]!);

        // The server's evaluator has judged before the answer; the external one waits for its client.
        var records = await SnapshotAsync(id);
        Assert.True((bool)ResultOf(records[0], mentions)!["value"]!);
        Assert.Null(ResultOf(records[0], external));

        // A second log for the datapoint becomes its log; an error log is kept as such.
        var again = await PostLogAsync(id, setup.DatapointIds[0], new JsonObject { ["error"] = "timed out", ["inputs"] = new JsonObject { ["q"] = "other" } });
        records = await SnapshotAsync(id);
        Assert.Equal((string)again["id"]!, (string)records[0]["log"]!["id"]!);
        Assert.Equal("timed out", (string)records[0]["log"]!["error"]!);
        Assert.Equal("other", (string)records[0]["log"]!["inputs"]!["q"]!);
        Assert.StartsWith("the log records an error", (string)ResultOf(records[0], mentions)!["error"]!);
        Assert.Null(records[1]["log"]);

        // The log's own config, when it names one that exists.
        var otherConfig = (string)(await _api.RegisterConfigAsync(setup.ProjectId, "Other {{q}}"))["config"]!["id"]!;
        var withConfig = await PostLogAsync(id, setup.DatapointIds[1], new JsonObject { ["output"] = "x", ["config_id"] = otherConfig });
        Assert.Equal(otherConfig, (string)(await _api.GetAsync($"logs/{withConfig["id"]}")).ShouldBe(HttpStatusCode.OK).Object["config_id"]!);
    }

    [Fact]
    public async Task Built_in_checks_read_the_logs_facts_and_the_datapoints_target()
    {
        var setup = await SetUpAsync(null, Case("refunds", "Refunds within 30 business days."));
        var seconds = await EvaluatorAsync("python", "number", "builtin:latency");
        var quick = await EvaluatorAsync("python", code: "builtin:latency<=2s");
        var instant = await EvaluatorAsync("python", code: "builtin:latency<=1000");
        var budget = await EvaluatorAsync("python", code: "builtin:tokens<=10");
        var rouge = await EvaluatorAsync("python", "number", "builtin:rouge-1:{{target.answer}}");
        var close = await EvaluatorAsync("python", code: "builtin:levenshtein<=10:{{target.answer}}");
        var inverted = await EvaluatorAsync("python", code: "builtin:levenshtein>=1:{{target.answer}}");
        var unknown = await EvaluatorAsync("python", code: "builtin:equals:{{target.missing}}");
        var words = await EvaluatorAsync("python", code: "builtin:words:3..4");
        var json = await EvaluatorAsync("python", code: "builtin:contains-json:{\"required\":[\"days\"]}");
        var id = (string)(await CreateAsync(setup, [seconds, quick, instant, budget, rouge, close, inverted, unknown, words, json], hlGenerated: false))["id"]!;

        await PostLogAsync(id, setup.DatapointIds[0], new JsonObject
        {
            ["output"] = "Refunds within 30 days",
            ["duration"] = 1.25,
            ["prompt_tokens"] = 7,
            ["output_tokens"] = 4,
        });
        var record = (await SnapshotAsync(id))[0];
        Assert.Equal(1.25, (double)ResultOf(record, seconds)!["value"]!);
        Assert.True((bool)ResultOf(record, quick)!["value"]!);
        Assert.False((bool)ResultOf(record, instant)!["value"]!);
        Assert.False((bool)ResultOf(record, budget)!["value"]!, "11 tokens are over 10");
        Assert.Equal(0.8, (double)ResultOf(record, rouge)!["value"]!);
        Assert.True((bool)ResultOf(record, close)!["value"]!, "ten edits from the target");
        Assert.Equal("'levenshtein>=1:Refunds within 30 business days.': levenshtein takes an upper bound, levenshtein<=number.", (string)ResultOf(record, inverted)!["error"]!);
        Assert.Equal("the check reads {{target.missing}}, but the datapoint's target has no 'missing'", (string)ResultOf(record, unknown)!["error"]!);
        Assert.True((bool)ResultOf(record, words)!["value"]!);
        Assert.False((bool)ResultOf(record, json)!["value"]!);

        // Without the facts a check needs, it cannot judge: that is the result's error, not a verdict.
        await PostLogAsync(id, setup.DatapointIds[0], new JsonObject { ["output"] = "{\"days\": 30}" });
        record = (await SnapshotAsync(id))[0];
        Assert.Equal("the check could not judge the log: the log reported no duration", (string)ResultOf(record, quick)!["error"]!);
        Assert.Equal("the log has no duration to measure", (string)ResultOf(record, seconds)!["error"]!);
        Assert.Equal("the check could not judge the log: the log reported no token counts", (string)ResultOf(record, budget)!["error"]!);
        Assert.True((bool)ResultOf(record, json)!["value"]!);
    }

    [Fact]
    public async Task A_posted_log_is_checked()
    {
        var setup = await SetUpAsync(null, Case("refunds"));
        var id = (string)(await CreateAsync(setup, [], hlGenerated: false))["id"]!;

        var malformed = (await _api.PostAsync($"evaluations/{id}/log", new JsonObject
        {
            ["log"] = new JsonObject { ["output"] = 5, ["duration"] = "slow", ["messages"] = new JsonArray(new JsonObject { ["role"] = "robot" }) },
        })).ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(
            ["[\"body\",\"datapoint_id\"]", "[\"body\",\"log\",\"messages\",0,\"role\"]", "[\"body\",\"log\",\"output\"]", "[\"body\",\"log\",\"duration\"]"],
            malformed.Object["detail"]!.AsArray().Select(e => e!["loc"]!.ToJsonString()));

        var noLog = (await _api.PostAsync($"evaluations/{id}/log", new JsonObject { ["datapoint_id"] = setup.DatapointIds[0] })).ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("[\"body\",\"log\"]", Loc(noLog));

        var stranger = (await _api.PostAsync($"evaluations/{id}/log", new JsonObject { ["datapoint_id"] = "evtc_nope", ["log"] = new JsonObject() }))
            .ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("datapoint evtc_nope is not in the dataset snapshot of evaluation " + id, (string)stranger.Object["detail"]![0]!["msg"]!);

        (await _api.PostAsync($"evaluations/{id}/log", new JsonObject { ["datapoint_id"] = setup.DatapointIds[0], ["log"] = new JsonObject { ["config_id"] = "config_nope" } }))
            .ShouldBe(HttpStatusCode.NotFound);
        (await _api.PostAsync("evaluations/ev_nope/log", new JsonObject { ["datapoint_id"] = setup.DatapointIds[0], ["log"] = new JsonObject() }))
            .ShouldBe(HttpStatusCode.NotFound);

        // Nothing was logged, and the evaluation is still pending.
        Assert.Equal(0, (int)(await _api.GetAsync($"logs?project_id={setup.ProjectId}")).ShouldBe(HttpStatusCode.OK).Object["total"]!);
        Assert.Equal("pending", (string)(await _api.GetAsync($"evaluations/{id}")).ShouldBe(HttpStatusCode.OK).Object["status"]!);
    }

    [Fact]
    public async Task Clients_post_results_one_per_log_and_evaluator()
    {
        var setup = await SetUpAsync(null, Case("refunds"), Case("shipping"));
        var passed = await EvaluatorAsync("external");
        var score = await EvaluatorAsync("external", "number");
        var id = (string)(await CreateAsync(setup, [passed, score], hlGenerated: false))["id"]!;
        var first = (string)(await PostLogAsync(id, setup.DatapointIds[0], new JsonObject { ["output"] = "a" }))["id"]!;
        var second = (string)(await PostLogAsync(id, setup.DatapointIds[1], new JsonObject { ["output"] = "b" }))["id"]!;

        async Task<JsonObject> Post(string log, string evaluator, JsonNode? result, string? error = null) =>
            (await _api.PostAsync($"evaluations/{id}/result", new JsonObject { ["log_id"] = log, ["evaluator_id"] = evaluator, ["result"] = result, ["error"] = error }))
                .ShouldBe(HttpStatusCode.Created).Object;

        var posted = await Post(first, passed, false);
        Assert.StartsWith("evr_", (string)posted["id"]!);
        Assert.Equal(passed, (string)posted["evaluator_version_id"]!);
        Assert.Equal(first, (string)posted["log_id"]!);
        Assert.Equal(id, (string)posted["evaluation_id"]!);
        Assert.False((bool)posted["value"]!);

        // A new result for the same log and evaluator replaces the old one, keeping its id.
        var replaced = await Post(first, passed, true);
        Assert.Equal((string)posted["id"]!, (string)replaced["id"]!);
        Assert.True((bool)replaced["value"]!);
        await Post(second, passed, false);
        await Post(first, score, 0.25);
        await Post(second, score, 1);
        await Post(second, score, null, "the checker crashed");

        var evaluation = (await _api.GetAsync($"evaluations/{id}?evaluator_aggregates=true")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(0.5, Aggregate(evaluation, passed));
        // The result with an error is left out.
        Assert.Equal(0.25, Aggregate(evaluation, score));
        var records = await SnapshotAsync(id);
        Assert.Equal("the checker crashed", (string)ResultOf(records[1], score)!["error"]!);
        Assert.Equal(2, records[0]["evaluation_results"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_posted_result_is_checked_against_the_evaluation()
    {
        var setup = await SetUpAsync(null, Case("refunds"));
        var member = await EvaluatorAsync("external");
        var outsider = await EvaluatorAsync("external");
        var id = (string)(await CreateAsync(setup, [member], hlGenerated: false))["id"]!;
        var log = (string)(await PostLogAsync(id, setup.DatapointIds[0], new JsonObject { ["output"] = "a" }))["id"]!;
        var elsewhere = (string)(await _api.PostAsync("completion-model-config", new JsonObject { ["model_config_id"] = setup.ConfigId, ["inputs"] = new JsonObject { ["q"] = "x" } }))
            .ShouldBe(HttpStatusCode.OK).Object["data"]![0]!["id"]!;

        async Task<ApiResponse> Post(JsonObject body) => (await _api.PostAsync($"evaluations/{id}/result", body)).ShouldBe(HttpStatusCode.UnprocessableEntity);

        var missing = await Post(new JsonObject { ["result"] = "yes" });
        Assert.Equal(["[\"body\",\"log_id\"]", "[\"body\",\"evaluator_id\"]", "[\"body\",\"result\"]"], missing.Object["detail"]!.AsArray().Select(e => e!["loc"]!.ToJsonString()));

        var strangers = await Post(new JsonObject { ["log_id"] = elsewhere, ["evaluator_id"] = outsider, ["result"] = true });
        Assert.Equal($"log {elsewhere} is not a log of evaluation {id}", (string)strangers.Object["detail"]![0]!["msg"]!);
        Assert.Equal($"evaluator {outsider} is not one of the evaluators of evaluation {id}", (string)strangers.Object["detail"]![1]!["msg"]!);

        var mistyped = await Post(new JsonObject { ["log_id"] = log, ["evaluator_id"] = member, ["result"] = 3 });
        Assert.Equal("[\"body\",\"result\"]", Loc(mistyped));
        Assert.Contains("returns a boolean", (string)mistyped.Object["detail"]![0]!["msg"]!);

        (await _api.PostAsync("evaluations/ev_nope/result", new JsonObject { ["log_id"] = log, ["evaluator_id"] = member })).ShouldBe(HttpStatusCode.NotFound);
        Assert.Empty((await SnapshotAsync(id))[0]["evaluation_results"]!.AsArray());
    }

    [Fact]
    public async Task Human_evaluators_take_their_results_from_feedback_named_after_them()
    {
        var setup = await SetUpAsync(null, Case("refunds"));
        var approvedName = Names.Unique("approved");
        var approved = await EvaluatorAsync("human", name: approvedName);
        var stars = await EvaluatorAsync("human", "number", name: Names.Unique("stars"));
        var id = (string)(await CreateAsync(setup, [approved, stars], hlGenerated: false))["id"]!;
        var log = (string)(await PostLogAsync(id, setup.DatapointIds[0], new JsonObject { ["output"] = "a" }))["id"]!;

        async Task<JsonNode?> After(string type, JsonNode? value, string evaluator, bool unset = false)
        {
            var body = new JsonObject { ["type"] = type, ["data_id"] = log, ["value"] = value };
            if (unset)
            {
                body["unset"] = true;
            }

            (await _api.PostAsync("feedback", body)).ShouldBe(HttpStatusCode.OK);
            return ResultOf((await SnapshotAsync(id))[0], evaluator);
        }

        Assert.True((bool)(await After(approvedName, true, approved))!["value"]!);
        Assert.False((bool)(await After(approvedName, "FALSE", approved))!["value"]!);
        var starsName = (string)(await _api.GetAsync($"evaluators/{stars}")).ShouldBe(HttpStatusCode.OK).Object["name"]!;
        Assert.Equal(3.5, (double)(await After(starsName, "3.5", stars))!["value"]!);
        Assert.Equal(4, (double)(await After(starsName, 4, stars))!["value"]!);
        var unreadable = await After(starsName, "great", stars);
        Assert.Null(unreadable!["value"]);
        Assert.Contains("'great' is not a number", (string)unreadable["error"]!);
        Assert.Null(await After(approvedName, null, approved, unset: true));

        // Feedback of another type is only feedback: the result stays as it was.
        Assert.Contains("'great'", (string)(await After("rating", "good", stars))!["error"]!);
        var evaluation = (await _api.GetAsync($"evaluations/{id}?evaluator_aggregates=true")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Null(Aggregate(evaluation, approved));
        Assert.Null(Aggregate(evaluation, stars));
    }

    // ---- evaluators that ask a model -----------------------------------------------------------

    [Fact]
    public async Task Llm_evaluators_fill_their_template_from_the_log_and_read_a_verdict_or_a_number()
    {
        var setup = await SetUpAsync(null, Case("refunds", "30-day"));
        const string Grading = "<output>{{log.output}}</output><criterion>names the '{{target.answer}}' window and the word \"refund\" for {{q}} ({{log.inputs.q}})</criterion>";
        var judge = await EvaluatorAsync("llm", modelConfig: new JsonObject { ["model"] = "judge", ["prompt_template"] = Grading, ["temperature"] = 0 });
        var scorer = await EvaluatorAsync("llm", "number", modelConfig: new JsonObject { ["model"] = "judge", ["prompt_template"] = Grading, ["temperature"] = 0 });
        var mute = await EvaluatorAsync("llm", modelConfig: new JsonObject { ["model"] = "judge", ["prompt_template"] = "Say {{log.output}}", ["max_tokens"] = 2 });
        var broken = await EvaluatorAsync("llm", modelConfig: new JsonObject { ["model"] = "judge", ["prompt_template"] = "{{testcase.target.missing}}" });
        var id = (string)(await CreateAsync(setup, [judge, scorer, mute, broken], hlGenerated: false))["id"]!;

        await PostLogAsync(id, setup.DatapointIds[0], new JsonObject { ["output"] = "Refunds within 30-DAY windows." });
        var record = (await SnapshotAsync(id))[0];

        var verdict = ResultOf(record, judge)!;
        Assert.True((bool)verdict["value"]!);
        var judgeLog = verdict["llm_evaluator_log"]!;
        Assert.Equal(EvaluatorCalls.LogProject, (string)judgeLog["project"]!);
        Assert.Contains("<output>Refunds within 30-DAY windows.</output><criterion>names the '30-day' window and the word \"refund\" for refunds (refunds)</criterion>",
            (string)judgeLog["provider_request"]!["prompt"]!);
        Assert.Equal((string)record["log"]!["id"]!, (string)judgeLog["metadata"]!["evaluated_log_id"]!);

        Assert.Equal(1, (double)ResultOf(record, scorer)!["value"]!);
        Assert.Equal("the evaluator's answer has no verdict (true/false, yes/no or pass/fail): 'Echo: Say'", (string)ResultOf(record, mute)!["error"]!);
        Assert.Equal("input 'testcase.target.missing' is used by the prompt template but missing from inputs", (string)ResultOf(record, broken)!["error"]!);
    }

    [Fact]
    public async Task Graded_checks_ask_the_model_with_the_modules_grading_prompt()
    {
        var setup = await SetUpAsync(null, Case("refunds", "Refunds take 30 days"));
        var rubric = await EvaluatorAsync("python", code: "builtin:rubric:names the '30-day' window");
        var notRubric = await EvaluatorAsync("python", code: "builtin:not-rubric:mentions 'shipping'");
        var factual = await EvaluatorAsync("python", code: "builtin:factuality:{{target.answer}}");
        var closedQa = await EvaluatorAsync("python", code: "builtin:closed-qa:How long do refunds take?|says '30'");
        var id = (string)(await CreateAsync(setup, [rubric, notRubric, factual, closedQa], hlGenerated: false))["id"]!;

        await PostLogAsync(id, setup.DatapointIds[0], new JsonObject { ["output"] = "Refunds within 30-DAY windows." });
        var record = (await SnapshotAsync(id))[0];
        Assert.True((bool)ResultOf(record, rubric)!["value"]!);
        Assert.True((bool)ResultOf(record, notRubric)!["value"]!);
        Assert.False((bool)ResultOf(record, factual)!["value"]!, "the output does not state that refunds 'take' anything");
        Assert.True((bool)ResultOf(record, closedQa)!["value"]!);

        // The grading call is the module's: its system prompt and tagged user message, to the evaluated config's model.
        var graderLog = ResultOf(record, rubric)!["llm_evaluator_log"]!;
        var sent = graderLog["messages"]!.AsArray();
        Assert.Equal(GradingPrompts.Shipped[GradeKind.Rubric], (string)sent[0]!["content"]!);
        Assert.Equal(GradedJudgment.UserMessage("Refunds within 30-DAY windows.", "names the '30-day' window", null, null), (string)sent[1]!["content"]!);
        Assert.Equal("mock-model", (string)graderLog["config"]!["model"]!);
        Assert.Equal(0, (double)graderLog["config"]!["temperature"]!);
        var factualSent = (string)ResultOf(record, factual)!["llm_evaluator_log"]!["messages"]![1]!["content"]!;
        Assert.Contains("<reference>Refunds take 30 days</reference>", factualSent);
    }

    // ---- evaluators and status -----------------------------------------------------------------

    [Fact]
    public async Task Adding_evaluators_appends_them_once_and_takes_version_ids()
    {
        var setup = await SetUpAsync(null, Case("refunds"));
        var first = await EvaluatorAsync("external");
        var second = await EvaluatorAsync("external");
        var third = await EvaluatorAsync("python", code: "builtin:contains:a");
        var id = (string)(await CreateAsync(setup, [first], hlGenerated: false))["id"]!;

        var updated = (await _api.PatchAsync($"evaluations/{id}/evaluators", new JsonObject
        {
            ["evaluator_ids"] = new JsonArray(second, first),
            ["evaluator_version_ids"] = new JsonArray(third, second),
        })).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal([first, second, third], updated["evaluators"]!.AsArray().Select(e => (string)e!["id"]!));

        // A later log is judged by the evaluators the evaluation has now.
        await PostLogAsync(id, setup.DatapointIds[0], new JsonObject { ["output"] = "a" });
        Assert.True((bool)ResultOf((await SnapshotAsync(id))[0], third)!["value"]!);

        var unknown = (await _api.PatchAsync($"evaluations/{id}/evaluators", new JsonObject { ["evaluator_ids"] = new JsonArray("evfn_nope") })).ShouldBe(HttpStatusCode.NotFound);
        Assert.Equal("Evaluator evfn_nope not found", (string)unknown.Object["detail"]!);
        Assert.Equal("[\"body\",\"evaluator_ids\"]", Loc((await _api.PatchAsync($"evaluations/{id}/evaluators", new JsonObject { ["evaluator_ids"] = "x" })).ShouldBe(HttpStatusCode.UnprocessableEntity)));
        (await _api.PatchAsync("evaluations/ev_nope/evaluators", new JsonObject())).ShouldBe(HttpStatusCode.NotFound);
        Assert.Equal(3, (await _api.GetAsync($"evaluations/{id}")).ShouldBe(HttpStatusCode.OK).Object["evaluators"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_client_driven_evaluation_takes_any_status_and_a_finished_server_run_only_ended_ones()
    {
        var setup = await SetUpAsync(null, Case("refunds"));
        var clientDriven = (string)(await CreateAsync(setup, [], hlGenerated: false))["id"]!;
        foreach (var status in new[] { "running", "completed", "running", "failed", "pending", "cancelled" })
        {
            var changed = (await _api.PatchAsync($"evaluations/{clientDriven}/status", new JsonObject { ["status"] = status })).ShouldBe(HttpStatusCode.OK).Object;
            Assert.Equal(status, (string)changed["status"]!);
        }

        var serverRun = (string)(await CreateAsync(setup, []))["id"]!;
        Assert.Equal("completed", (string)(await WaitForStatusAsync(serverRun, "completed"))["status"]!);
        foreach (var status in new[] { "running", "pending" })
        {
            var refused = (await _api.PatchAsync($"evaluations/{serverRun}/status", new JsonObject { ["status"] = status })).ShouldBe(HttpStatusCode.Conflict);
            Assert.Equal($"Evaluation {serverRun} was run by the server and has ended (completed); it cannot be set back to {status}, as nothing would run it again. Create a new evaluation to run it again",
                (string)refused.Object["detail"]!);
        }

        Assert.Equal("completed", (string)(await _api.GetAsync($"evaluations/{serverRun}")).ShouldBe(HttpStatusCode.OK).Object["status"]!);
        Assert.Equal("failed", (string)(await _api.PatchAsync($"evaluations/{serverRun}/status", new JsonObject { ["status"] = "failed" })).ShouldBe(HttpStatusCode.OK).Object["status"]!);
        Assert.Equal("completed", (string)(await _api.PatchAsync($"evaluations/{serverRun}/status", new JsonObject { ["status"] = "completed" })).ShouldBe(HttpStatusCode.OK).Object["status"]!);

        var bad = (await _api.PatchAsync($"evaluations/{clientDriven}/status", new JsonObject { ["status"] = "paused" })).ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("[\"body\",\"status\"]", Loc(bad));
        (await _api.PatchAsync("evaluations/ev_nope/status", new JsonObject { ["status"] = "completed" })).ShouldBe(HttpStatusCode.NotFound);
    }
}
