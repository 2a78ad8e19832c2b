using System.Net;
using System.Text.Json.Nodes;
using Humanloop.Server.Tests.Infrastructure;

namespace Humanloop.Server.Tests;

public sealed class DatasetTests(InMemoryServerFixture fixture) : IClassFixture<InMemoryServerFixture>
{
    private readonly ApiClient _api = fixture.Api;

    private async Task<(string ProjectId, JsonObject Dataset)> CreateDatasetAsync(string name = "cases", string? description = "regression cases")
    {
        var projectId = (string)(await _api.CreateProjectAsync(Names.Unique("ds")))["id"]!;
        var body = new JsonObject { ["name"] = name };
        if (description is not null)
        {
            body["description"] = description;
        }

        var dataset = (await _api.PostAsync($"projects/{projectId}/datasets", body)).ShouldBe(HttpStatusCode.Created).Object;
        return (projectId, dataset);
    }

    private static JsonObject Case(string question, string answer) => new()
    {
        ["inputs"] = new JsonObject { ["question"] = question },
        ["target"] = new JsonObject { ["answer"] = answer },
    };

    private static string Loc(ApiResponse response, int index = 0) => response.Object["detail"]![index]!["loc"]!.ToJsonString();

    [Fact]
    public async Task Create_returns_201_with_the_spec_fields()
    {
        var (projectId, dataset) = await CreateDatasetAsync();
        Assert.StartsWith("evts_", (string)dataset["id"]!);
        Assert.Equal(projectId, (string)dataset["project_id"]!);
        Assert.Equal("cases", (string)dataset["name"]!);
        Assert.Equal("regression cases", (string)dataset["description"]!);
        Assert.Equal(0, (int)dataset["datapoint_count"]!);
        Assert.NotNull(dataset["created_at"]);
        Assert.NotNull(dataset["updated_at"]);
    }

    [Fact]
    public async Task Create_without_a_description_takes_it_as_empty()
    {
        var (_, dataset) = await CreateDatasetAsync(description: null);
        Assert.Equal("", (string)dataset["description"]!);
    }

    [Fact]
    public async Task Create_validates_name_and_lengths_and_the_project()
    {
        var projectId = (string)(await _api.CreateProjectAsync(Names.Unique("ds")))["id"]!;
        var missing = (await _api.PostAsync($"projects/{projectId}/datasets", new JsonObject { ["description"] = 5 })).ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(2, missing.Object["detail"]!.AsArray().Count);
        Assert.Equal("[\"body\",\"name\"]", Loc(missing));
        Assert.Equal("[\"body\",\"description\"]", Loc(missing, 1));

        var tooLong = (await _api.PostAsync($"projects/{projectId}/datasets", new JsonObject { ["name"] = new string('n', 256) })).ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("value_error.any_str.max_length", (string)tooLong.Object["detail"]![0]!["type"]!);

        var unknown = (await _api.PostAsync("projects/pr_nope/datasets", new JsonObject { ["name"] = "x" })).ShouldBe(HttpStatusCode.NotFound);
        Assert.Equal("Project pr_nope not found", (string)unknown.Object["detail"]!);
    }

    [Fact]
    public async Task Lists_by_project_and_for_the_organisation()
    {
        var (projectId, first) = await CreateDatasetAsync("first");
        var second = (await _api.PostAsync($"projects/{projectId}/datasets", new JsonObject { ["name"] = "second", ["description"] = "" })).ShouldBe(HttpStatusCode.Created).Object;

        var byProject = (await _api.GetAsync($"projects/{projectId}/datasets")).ShouldBe(HttpStatusCode.OK).Array;
        Assert.Equal([(string)first["id"]!, (string)second["id"]!], byProject.Select(d => (string)d!["id"]!));

        var all = (await _api.GetAsync("datasets")).ShouldBe(HttpStatusCode.OK).Array;
        Assert.Contains(all, d => (string)d!["id"]! == (string)second["id"]!);

        (await _api.GetAsync("projects/pr_nope/datasets")).ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Get_patch_and_delete_round_trip()
    {
        var (_, dataset) = await CreateDatasetAsync();
        var id = (string)dataset["id"]!;
        (await _api.PostAsync($"datasets/{id}/datapoints", Case("q", "a"))).ShouldBe(HttpStatusCode.Created);

        var fetched = (await _api.GetAsync($"datasets/{id}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(1, (int)fetched["datapoint_count"]!);

        var patched = (await _api.PatchAsync($"datasets/{id}", new JsonObject { ["name"] = "renamed" })).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal("renamed", (string)patched["name"]!);
        Assert.Equal("regression cases", (string)patched["description"]!);

        var badPatch = (await _api.PatchAsync($"datasets/{id}", new JsonObject { ["description"] = true })).ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("[\"body\",\"description\"]", Loc(badPatch));

        var deleted = (await _api.DeleteAsync($"datasets/{id}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(id, (string)deleted["id"]!);
        var missing = (await _api.GetAsync($"datasets/{id}")).ShouldBe(HttpStatusCode.NotFound);
        Assert.Equal($"Dataset {id} not found", (string)missing.Object["detail"]!);
        (await _api.GetAsync($"datasets/{id}/datapoints")).ShouldBe(HttpStatusCode.NotFound);
        (await _api.DeleteAsync($"datasets/{id}")).ShouldBe(HttpStatusCode.NotFound);
        (await _api.PatchAsync($"datasets/{id}", new JsonObject { ["name"] = "x" })).ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Deleting_the_project_deletes_its_datasets()
    {
        var (projectId, dataset) = await CreateDatasetAsync();
        (await _api.DeleteAsync($"projects/{projectId}")).ShouldBe(HttpStatusCode.NoContent);
        (await _api.GetAsync($"datasets/{dataset["id"]}")).ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Datapoints_are_created_one_or_many_and_listed_in_order_with_paging()
    {
        var (_, dataset) = await CreateDatasetAsync();
        var id = (string)dataset["id"]!;

        var one = (await _api.PostAsync($"datasets/{id}/datapoints", Case("q0", "a0"))).ShouldBe(HttpStatusCode.Created).Array;
        var point = one.Single()!;
        Assert.StartsWith("evtc_", (string)point["id"]!);
        Assert.Equal(id, (string)point["dataset_id"]!);
        Assert.Equal("{\"question\":\"q0\"}", point["inputs"]!.ToJsonString());
        Assert.Equal("{\"answer\":\"a0\"}", point["target"]!.ToJsonString());
        Assert.Empty(point["messages"]!.AsArray());

        var chat = new JsonObject
        {
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }),
            ["target"] = new JsonObject { ["score"] = 1, ["tags"] = new JsonArray("a") },
        };
        var many = (await _api.PostAsync($"datasets/{id}/datapoints", new JsonArray(Case("q1", "a1"), Case("q2", "a2"), chat))).ShouldBe(HttpStatusCode.Created).Array;
        Assert.Equal(3, many.Count);
        Assert.Equal("{}", many[2]!["inputs"]!.ToJsonString());
        Assert.Equal("hi", (string)many[2]!["messages"]![0]!["content"]!);

        var page = (await _api.GetAsync($"datasets/{id}/datapoints?page=1&size=3")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(4, (int)page["total"]!);
        Assert.Equal(1, (int)page["page"]!);
        Assert.Equal(3, (int)page["size"]!);
        Assert.Equal((string)many[2]!["id"]!, (string)page["records"]!.AsArray().Single()!["id"]!);

        var firstPage = (await _api.GetAsync($"datasets/{id}/datapoints")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(50, (int)firstPage["size"]!);
        Assert.Equal(["q0", "q1", "q2"], firstPage["records"]!.AsArray().Take(3).Select(r => (string)r!["inputs"]!["question"]!));

        var badPage = (await _api.GetAsync($"datasets/{id}/datapoints?size=0")).ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("[\"query\",\"size\"]", Loc(badPage));
    }

    [Fact]
    public async Task A_list_with_a_bad_item_reports_its_index_and_adds_nothing()
    {
        var (_, dataset) = await CreateDatasetAsync();
        var id = (string)dataset["id"]!;
        var bad = new JsonArray(
            Case("ok", "ok"),
            new JsonObject { ["inputs"] = new JsonObject { ["n"] = 3 } },
            new JsonObject { ["messages"] = new JsonArray(new JsonObject { ["role"] = "robot" }) },
            "not an object");
        var response = (await _api.PostAsync($"datasets/{id}/datapoints", bad)).ShouldBe(HttpStatusCode.UnprocessableEntity);
        var locations = response.Object["detail"]!.AsArray().Select(e => e!["loc"]!.ToJsonString()).ToList();
        Assert.Contains("[\"body\",1,\"inputs\",\"n\"]", locations);
        Assert.Contains("[\"body\",2,\"messages\",0,\"role\"]", locations);
        Assert.Contains("[\"body\",3]", locations);

        var single = (await _api.PostAsync($"datasets/{id}/datapoints", new JsonObject { ["target"] = "x" })).ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("[\"body\",\"target\"]", Loc(single));

        var listed = (await _api.GetAsync($"datasets/{id}/datapoints")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(0, (int)listed["total"]!);
        (await _api.PostAsync("datasets/evts_nope/datapoints", Case("q", "a"))).ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Datapoints_can_be_made_from_logs()
    {
        var (projectId, dataset) = await CreateDatasetAsync();
        var completion = (await _api.PostAsync("completion", new JsonObject
        {
            ["project_id"] = projectId,
            ["inputs"] = new JsonObject { ["city"] = "Paris", ["n"] = 2 },
            ["model_config"] = new JsonObject { ["model"] = "m", ["prompt_template"] = "About {{city}}" },
        })).ShouldBe(HttpStatusCode.OK).Object;
        var logId = (string)completion["data"]![0]!["id"]!;

        var made = (await _api.PostAsync($"datasets/{dataset["id"]}/datapoints", new JsonObject { ["log_ids"] = new JsonArray(logId) }))
            .ShouldBe(HttpStatusCode.Created).Array;
        Assert.Equal("{\"city\":\"Paris\",\"n\":\"2\"}", made.Single()!["inputs"]!.ToJsonString());

        (await _api.PostAsync($"datasets/{dataset["id"]}/datapoints", new JsonObject { ["log_ids"] = new JsonArray("data_nope") })).ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_datapoint_is_got_patched_and_deleted_with_others()
    {
        var (_, dataset) = await CreateDatasetAsync();
        var points = (await _api.PostAsync($"datasets/{dataset["id"]}/datapoints", new JsonArray(Case("q1", "a1"), Case("q2", "a2"), Case("q3", "a3"))))
            .ShouldBe(HttpStatusCode.Created).Array;
        var ids = points.Select(p => (string)p!["id"]!).ToList();

        var fetched = (await _api.GetAsync($"datapoints/{ids[0]}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal("q1", (string)fetched["inputs"]!["question"]!);

        var patched = (await _api.PatchAsync($"datapoints/{ids[0]}", new JsonObject { ["target"] = new JsonObject { ["answer"] = "new" } })).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal("new", (string)patched["target"]!["answer"]!);
        Assert.Equal("q1", (string)patched["inputs"]!["question"]!);

        var badPatch = (await _api.PatchAsync($"datapoints/{ids[0]}", new JsonObject { ["inputs"] = new JsonObject { ["q"] = false } })).ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("[\"body\",\"inputs\",\"q\"]", Loc(badPatch));
        (await _api.PatchAsync("datapoints/evtc_nope", new JsonObject())).ShouldBe(HttpStatusCode.NotFound);

        // An unknown id anywhere in the list deletes nothing.
        var unknown = (await _api.SendAsync(HttpMethod.Delete, "datapoints", new JsonArray(ids[0], "evtc_nope"))).ShouldBe(HttpStatusCode.NotFound);
        Assert.Equal("Datapoint evtc_nope not found", (string)unknown.Object["detail"]!);
        (await _api.GetAsync($"datapoints/{ids[0]}")).ShouldBe(HttpStatusCode.OK);

        (await _api.SendAsync(HttpMethod.Delete, "datapoints", new JsonArray(ids[0], ids[1]))).ShouldBe(HttpStatusCode.NoContent);
        (await _api.GetAsync($"datapoints/{ids[0]}")).ShouldBe(HttpStatusCode.NotFound);
        (await _api.DeleteAsync($"datapoints?id={ids[2]}")).ShouldBe(HttpStatusCode.NoContent);
        var left = (await _api.GetAsync($"datasets/{dataset["id"]}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(0, (int)left["datapoint_count"]!);

        var notAList = (await _api.SendAsync(HttpMethod.Delete, "datapoints", new JsonObject { ["ids"] = "x" })).ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("[\"body\"]", Loc(notAList));
        var noBody = (await _api.DeleteAsync("datapoints")).ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("value_error.missing", (string)noBody.Object["detail"]![0]!["type"]!);
    }
}
