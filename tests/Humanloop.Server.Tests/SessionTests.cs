using System.Net;
using System.Text.Json.Nodes;
using Humanloop.Server.Tests.Infrastructure;

namespace Humanloop.Server.Tests;

/// <summary>The Sessions group: POST /sessions, GET /sessions/{id}, GET /sessions?project_id= (pages from 1).</summary>
public sealed class SessionTests(InMemoryServerFixture fixture) : IClassFixture<InMemoryServerFixture>
{
    private readonly ApiClient _api = fixture.Api;

    private async Task<JsonObject> LogAsync(string projectId, JsonObject extra)
    {
        var body = new JsonObject { ["project_id"] = projectId, ["config"] = new JsonObject { ["model"] = "m" } };
        foreach (var (key, value) in extra)
        {
            body[key] = value?.DeepClone();
        }

        return (await _api.PostAsync("logs", body)).ShouldBe(HttpStatusCode.OK).Object;
    }

    [Fact]
    public async Task A_created_session_is_empty_until_logs_name_it_from_any_project()
    {
        var created = (await _api.PostAsync("sessions", null)).ShouldBe(HttpStatusCode.Created).Object;
        Assert.Equal(["id"], created.Select(p => p.Key));
        var sessionId = (string)created["id"]!;
        Assert.StartsWith("sesh_", sessionId);

        var empty = (await _api.GetAsync($"sessions/{sessionId}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(
            ["id", "reference_id", "projects", "datapoints_count", "first_inputs", "last_output", "created_at", "updated_at"],
            empty.Select(p => p.Key));
        Assert.Null(empty["reference_id"]);
        Assert.Empty(empty["projects"]!.AsArray());
        Assert.Equal(0, (int)empty["datapoints_count"]!);
        Assert.Null(empty["first_inputs"]);
        Assert.Null(empty["last_output"]);

        var first = await _api.CreateProjectAsync(Names.Unique("session-a"));
        var second = await _api.CreateProjectAsync(Names.Unique("session-b"));
        await LogAsync((string)first["id"]!, new JsonObject { ["session_id"] = sessionId, ["inputs"] = new JsonObject { ["q"] = "first" }, ["output"] = "one" });
        var completion = (await _api.PostAsync("completion", new JsonObject
        {
            ["project_id"] = (string)second["id"]!, ["session_id"] = sessionId, ["inputs"] = new JsonObject { ["q"] = "second" },
            ["model_config"] = new JsonObject { ["model"] = "m", ["prompt_template"] = "about {{q}}" },
        })).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(sessionId, (string)completion["session_id"]!);

        var session = (await _api.GetAsync($"sessions/{sessionId}")).Object;
        Assert.Equal(2, (int)session["datapoints_count"]!);
        Assert.Equal([(string)first["id"]!, (string)second["id"]!], session["projects"]!.AsArray().Select(p => (string)p!["id"]!));
        Assert.Equal((string)first["name"]!, (string)session["projects"]![0]!["name"]!);
        Assert.Equal("prompt", (string)session["projects"]![0]!["type"]!);
        Assert.Equal("first", (string)session["first_inputs"]!["q"]!);
        Assert.Equal((string)completion["data"]![0]!["output"]!, (string)session["last_output"]!);
        Assert.True(DateTime.Parse((string)session["updated_at"]!) >= DateTime.Parse((string)session["created_at"]!));

        // Listed under each project that has a log in it.
        foreach (var project in new[] { first, second })
        {
            var listed = (await _api.GetAsync($"sessions?project_id={project["id"]}")).ShouldBe(HttpStatusCode.OK).Object;
            Assert.Equal([sessionId], listed["records"]!.AsArray().Select(r => (string)r!["id"]!));
        }
    }

    [Fact]
    public async Task A_reference_makes_one_session_per_project_and_the_list_pages_from_one()
    {
        var projectId = (string)(await _api.CreateProjectAsync(Names.Unique("session-list")))["id"]!;
        var ids = new List<string>();
        foreach (var reference in new[] { "run-1", "run-2", "run-3" })
        {
            var created = await LogAsync(projectId, new JsonObject { ["session_reference_id"] = reference });
            var again = await LogAsync(projectId, new JsonObject { ["session_reference_id"] = reference });
            Assert.Equal((string)created["session_id"]!, (string)again["session_id"]!);
            ids.Add((string)created["session_id"]!);
        }

        var other = (string)(await _api.CreateProjectAsync(Names.Unique("session-list-other")))["id"]!;
        Assert.NotEqual(ids[0], (string)(await LogAsync(other, new JsonObject { ["session_reference_id"] = "run-1" }))["session_id"]!);

        var firstPage = (await _api.GetAsync($"sessions?project_id={projectId}&size=2")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(1, (int)firstPage["page"]!);
        Assert.Equal(2, (int)firstPage["size"]!);
        Assert.Equal(3, (int)firstPage["total"]!);
        Assert.Equal([ids[2], ids[1]], firstPage["records"]!.AsArray().Select(r => (string)r!["id"]!));
        Assert.Equal("run-3", (string)firstPage["records"]![0]!["reference_id"]!);
        Assert.Equal(2, (int)firstPage["records"]![0]!["datapoints_count"]!);

        var secondPage = (await _api.GetAsync($"sessions?project_id={projectId}&size=2&page=2")).Object;
        Assert.Equal([ids[0]], secondPage["records"]!.AsArray().Select(r => (string)r!["id"]!));
        Assert.Equal(10, (int)(await _api.GetAsync($"sessions?project_id={projectId}")).Object["size"]!);

        (await _api.GetAsync($"sessions?project_id={projectId}&page=0")).ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await _api.GetAsync("sessions")).ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await _api.GetAsync("sessions?project_id=pr_missing")).ShouldBe(HttpStatusCode.NotFound);
        (await _api.GetAsync("sessions/sesh_missing")).ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_session_outlives_the_project_that_made_it()
    {
        var maker = (string)(await _api.CreateProjectAsync(Names.Unique("session-maker")))["id"]!;
        var joiner = (string)(await _api.CreateProjectAsync(Names.Unique("session-joiner")))["id"]!;
        var sessionId = (string)(await LogAsync(maker, new JsonObject { ["session_reference_id"] = "shared" }))["session_id"]!;
        await LogAsync(joiner, new JsonObject { ["session_id"] = sessionId, ["output"] = "kept" });

        (await _api.DeleteAsync($"projects/{maker}")).ShouldBe(HttpStatusCode.NoContent);

        var session = (await _api.GetAsync($"sessions/{sessionId}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(1, (int)session["datapoints_count"]!);
        Assert.Equal([joiner], session["projects"]!.AsArray().Select(p => (string)p!["id"]!));
        Assert.Equal("kept", (string)session["last_output"]!);
        Assert.Equal([sessionId], (await _api.GetAsync($"sessions?project_id={joiner}")).Object["records"]!.AsArray().Select(r => (string)r!["id"]!));
    }
}
