using System.Net;
using System.Text.Json.Nodes;
using Humanloop.Server.Tests.Infrastructure;

namespace Humanloop.Server.Tests;

public sealed class ProjectTests(InMemoryServerFixture fixture) : IClassFixture<InMemoryServerFixture>
{
    private readonly ApiClient _api = fixture.Api;

    [Fact]
    public async Task Create_returns_201_with_every_required_field_and_explicit_nulls()
    {
        var name = Names.Unique("create");
        var project = await _api.CreateProjectAsync(name);

        Assert.StartsWith("pr_", (string)project["id"]!);
        Assert.Equal(name, (string)project["name"]!);
        Assert.Equal(0, (int)project["data_count"]!);
        Assert.Equal("tm_local", (string)project["team_id"]!);
        Assert.Empty(project["users"]!.AsArray());
        var feedbackTypes = project["feedback_types"]!.AsArray().Select(t => (string)t!["type"]!).ToList();
        Assert.Equal(["rating", "action", "issue", "correction", "comment"], feedbackTypes);
        foreach (var nullField in new[] { "active_config", "active_experiment", "directory_id", "config_type" })
        {
            Assert.True(project.ContainsKey(nullField), $"{nullField} should be present");
            Assert.Null(project[nullField]);
        }

        Assert.NotNull(project["created_at"]);
        Assert.NotNull(project["updated_at"]);
    }

    [Fact]
    public async Task Duplicate_name_is_409_with_a_detail()
    {
        var name = Names.Unique("dup");
        await _api.CreateProjectAsync(name);
        var again = await _api.PostAsync("projects", new JsonObject { ["name"] = name });
        again.ShouldBe(HttpStatusCode.Conflict);
        Assert.Contains(name, (string)again.Object["detail"]!);
    }

    [Fact]
    public async Task Create_without_name_is_a_FastAPI_422()
    {
        var response = await _api.PostAsync("projects", new JsonObject { ["directory_id"] = "dir_x" });
        response.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var error = response.Object["detail"]!.AsArray().Single()!;
        Assert.Equal("[\"body\",\"name\"]", error["loc"]!.ToJsonString());
        Assert.Equal("value_error.missing", (string)error["type"]!);
    }

    [Fact]
    public async Task Get_patch_and_delete_round_trip()
    {
        var project = await _api.CreateProjectAsync(Names.Unique("crud"));
        var id = (string)project["id"]!;

        var fetched = (await _api.GetAsync($"projects/{id}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(project["name"]!.ToString(), fetched["name"]!.ToString());

        var newName = Names.Unique("renamed");
        var patched = (await _api.PatchAsync($"projects/{id}", new JsonObject { ["name"] = newName, ["directory_id"] = "dir_abc" }))
            .ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(newName, (string)patched["name"]!);
        Assert.Equal("dir_abc", (string)patched["directory_id"]!);

        var deleted = await _api.DeleteAsync($"projects/{id}");
        deleted.ShouldBe(HttpStatusCode.NoContent);
        Assert.Null(deleted.Body);

        var missing = (await _api.GetAsync($"projects/{id}")).ShouldBe(HttpStatusCode.NotFound);
        Assert.Equal($"Project {id} not found", (string)missing.Object["detail"]!);
    }

    [Fact]
    public async Task Delete_removes_the_projects_configs_and_logs()
    {
        var project = await _api.CreateProjectAsync(Names.Unique("cascade"));
        var id = (string)project["id"]!;
        var config = await _api.RegisterConfigAsync(id, "hello");
        var completion = (await _api.PostAsync("completion-model-config", new JsonObject { ["model_config_id"] = config["config"]!["id"]!.DeepClone() }))
            .ShouldBe(HttpStatusCode.OK).Object;
        var logId = (string)completion["data"]![0]!["id"]!;

        (await _api.DeleteAsync($"projects/{id}")).ShouldBe(HttpStatusCode.NoContent);

        (await _api.GetAsync($"logs/{logId}")).ShouldBe(HttpStatusCode.NotFound);
        (await _api.GetAsync($"model-configs/{config["config"]!["id"]}")).ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task List_pages_filters_and_sorts()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        foreach (var name in new[] { "charlie", "alpha", "bravo" })
        {
            await _api.CreateProjectAsync($"{tag}-{name}");
        }

        var byName = (await _api.GetAsync($"projects?filter={tag.ToUpperInvariant()}&sort_by=name&order=asc&size=2&page=0")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(3, (int)byName["total"]!);
        Assert.Equal(0, (int)byName["page"]!);
        Assert.Equal(2, (int)byName["size"]!);
        Assert.Equal([$"{tag}-alpha", $"{tag}-bravo"], byName["records"]!.AsArray().Select(r => (string)r!["name"]!));

        var secondPage = (await _api.GetAsync($"projects?filter={tag}&sort_by=name&order=asc&size=2&page=1")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal([$"{tag}-charlie"], secondPage["records"]!.AsArray().Select(r => (string)r!["name"]!));

        var newestFirst = (await _api.GetAsync($"projects?filter={tag}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(10, (int)newestFirst["size"]!);
        Assert.Equal($"{tag}-bravo", (string)newestFirst["records"]![0]!["name"]!);
    }

    [Fact]
    public async Task List_rejects_an_unknown_sort_column()
    {
        var response = (await _api.GetAsync("projects?sort_by=color")).ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("[\"query\",\"sort_by\"]", response.Object["detail"]![0]!["loc"]!.ToJsonString());
    }
}
