using System.Net;
using System.Text.Json.Nodes;
using Humanloop.Server.Tests.Infrastructure;

namespace Humanloop.Server.Tests;

public sealed class LogAndFeedbackTests(InMemoryServerFixture fixture) : IClassFixture<InMemoryServerFixture>
{
    private readonly ApiClient _api = fixture.Api;

    private async Task<(string ProjectId, List<string> LogIds)> ProjectWithLogsAsync(params string[] topics)
    {
        var project = await _api.CreateProjectAsync(Names.Unique("logs"));
        var projectId = (string)project["id"]!;
        var logIds = new List<string>();
        foreach (var topic in topics)
        {
            var response = (await _api.PostAsync("completion", new JsonObject
            {
                ["project_id"] = projectId,
                ["model_config"] = new JsonObject { ["model"] = "m", ["prompt_template"] = "about {{topic}}" },
                ["inputs"] = new JsonObject { ["topic"] = topic },
                ["source"] = "unit-test",
                ["metadata"] = new JsonObject { ["topic"] = topic },
            })).ShouldBe(HttpStatusCode.OK).Object;
            logIds.Add((string)response["data"]![0]!["id"]!);
        }

        return (projectId, logIds);
    }

    [Fact]
    public async Task Get_log_returns_the_log_response_with_its_config()
    {
        var (projectId, logIds) = await ProjectWithLogsAsync("otters");
        var log = (await _api.GetAsync($"logs/{logIds[0]}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(logIds[0], (string)log["id"]!);
        Assert.Equal(projectId, (string)log["project_id"]!);
        Assert.Equal("otters", (string)log["inputs"]!["topic"]!);
        Assert.Equal("unit-test", (string)log["source"]!);
        Assert.Equal("otters", (string)log["metadata"]!["topic"]!);
        Assert.StartsWith("Echo: about otters", (string)log["output"]!);
        Assert.Equal("stop", (string)log["finish_reason"]!);
        Assert.Equal("completed", (string)log["observability_status"]!);
        Assert.Equal("model", (string)log["config"]!["type"]!);
        Assert.Equal((string)log["config"]!["id"]!, (string)log["config_id"]!);
        Assert.Equal((int)log["prompt_tokens"]! + (int)log["output_tokens"]!, (int)log["tokens"]!);
        Assert.Empty(log["feedback"]!.AsArray());
        Assert.Empty(log["evaluation_results"]!.AsArray());
        Assert.Equal("about otters", (string)log["provider_request"]!["prompt"]!);
        foreach (var nullField in new[] { "messages", "judgment", "error", "output_message", "reference_id", "parent_id", "prompt_cost" })
        {
            Assert.True(log.ContainsKey(nullField) && log[nullField] is null, $"{nullField} should be an explicit null");
        }

        (await _api.GetAsync("logs/data_missing")).ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task List_is_newest_first_paged_and_searchable()
    {
        var (projectId, logIds) = await ProjectWithLogsAsync("alpha", "beta", "gamma");
        var page = (await _api.GetAsync($"logs?project_id={projectId}&size=2")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(3, (int)page["total"]!);
        Assert.Equal(2, (int)page["size"]!);
        Assert.Equal([logIds[2], logIds[1]], page["records"]!.AsArray().Select(r => (string)r!["id"]!));

        var next = (await _api.GetAsync($"logs?project_id={projectId}&size=2&page=1")).Object;
        Assert.Equal([logIds[0]], next["records"]!.AsArray().Select(r => (string)r!["id"]!));

        var search = (await _api.GetAsync($"logs?project_id={projectId}&search=BETA")).Object;
        Assert.Equal([logIds[1]], search["records"]!.AsArray().Select(r => (string)r!["id"]!));

        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        var todays = (await _api.GetAsync($"logs?project_id={projectId}&start_date={today}&end_date={today}")).Object;
        Assert.Equal(3, (int)todays["total"]!);
        var future = (await _api.GetAsync($"logs?project_id={projectId}&start_date={DateTime.UtcNow.AddDays(1):yyyy-MM-dd}")).Object;
        Assert.Equal(0, (int)future["total"]!);
        var beforeNow = (await _api.GetAsync($"logs?project_id={projectId}&end_date={Uri.EscapeDataString(DateTime.UtcNow.AddMinutes(-5).ToString("O"))}")).Object;
        Assert.Equal(0, (int)beforeNow["total"]!);
    }

    [Fact]
    public async Task List_requires_a_known_project()
    {
        var missing = (await _api.GetAsync("logs")).ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("[\"query\",\"project_id\"]", missing.Object["detail"]![0]!["loc"]!.ToJsonString());
        (await _api.GetAsync("logs?project_id=pr_nope")).ShouldBe(HttpStatusCode.NotFound);
        (await _api.GetAsync("logs?project_id=pr_nope&start_date=yesterday")).ShouldBe(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Feedback_accepts_one_or_many_and_shows_on_the_log()
    {
        var (_, logIds) = await ProjectWithLogsAsync("one", "two");
        var single = (await _api.PostAsync("feedback", new JsonObject
        {
            ["type"] = "rating",
            ["value"] = "good",
            ["data_id"] = logIds[0],
            ["user"] = "tester",
        })).ShouldBe(HttpStatusCode.OK).Object;
        Assert.StartsWith("ann_", (string)single["id"]!);
        Assert.Equal("rating", (string)single["type"]!);
        Assert.Equal("good", (string)single["value"]!);
        Assert.Equal(logIds[0], (string)single["data_id"]!);
        Assert.Equal("tester", (string)single["user"]!);
        Assert.NotNull(single["created_at"]);

        var many = (await _api.PostAsync("feedback", new JsonArray(
            new JsonObject { ["type"] = "rating", ["value"] = "bad", ["data_id"] = logIds[0] },
            new JsonObject { ["type"] = "action", ["value"] = "copied", ["data_id"] = logIds[0] },
            new JsonObject { ["type"] = "score", ["value"] = 4.5, ["data_id"] = logIds[1] },
            new JsonObject { ["type"] = "helpful", ["value"] = true, ["data_id"] = logIds[1] })))
            .ShouldBe(HttpStatusCode.OK).Array;
        Assert.Equal(4, many.Count);
        Assert.Equal(4.5, (double)many[2]!["value"]!);
        Assert.True((bool)many[3]!["value"]!);

        // A new rating replaces the old one; actions accumulate.
        var log = (await _api.GetAsync($"logs/{logIds[0]}")).Object;
        var feedback = log["feedback"]!.AsArray();
        Assert.Equal(["bad"], feedback.Where(f => (string)f!["type"]! == "rating").Select(f => (string)f!["value"]!));
        Assert.Single(feedback, f => (string)f!["type"]! == "action");

        var unset = (await _api.PostAsync("feedback", new JsonObject { ["type"] = "rating", ["data_id"] = logIds[0], ["unset"] = true }))
            .ShouldBe(HttpStatusCode.OK);
        Assert.Null(unset.Object["value"]);
        var afterUnset = (await _api.GetAsync($"logs/{logIds[0]}")).Object["feedback"]!.AsArray();
        Assert.DoesNotContain(afterUnset, f => (string)f!["type"]! == "rating");
    }

    [Fact]
    public async Task Feedback_validation_and_unknown_logs()
    {
        var (_, logIds) = await ProjectWithLogsAsync("x");
        (await _api.PostAsync("feedback", new JsonObject { ["type"] = "rating", ["value"] = "good", ["data_id"] = "data_nope" }))
            .ShouldBe(HttpStatusCode.NotFound);

        // A batch with one unknown log records nothing.
        (await _api.PostAsync("feedback", new JsonArray(
            new JsonObject { ["type"] = "comment", ["value"] = "kept?", ["data_id"] = logIds[0] },
            new JsonObject { ["type"] = "comment", ["value"] = "no", ["data_id"] = "data_nope" }))).ShouldBe(HttpStatusCode.NotFound);
        Assert.Empty((await _api.GetAsync($"logs/{logIds[0]}")).Object["feedback"]!.AsArray());

        var invalid = (await _api.PostAsync("feedback", new JsonArray(
            new JsonObject { ["value"] = "good", ["data_id"] = logIds[0] },
            new JsonObject { ["type"] = "rating", ["value"] = new JsonObject(), ["data_id"] = logIds[0] })))
            .ShouldBe(HttpStatusCode.UnprocessableEntity);
        var locations = invalid.Object["detail"]!.AsArray().Select(e => e!["loc"]!.ToJsonString()).ToList();
        Assert.Contains("[\"body\",0,\"type\"]", locations);
        Assert.Contains("[\"body\",1,\"value\"]", locations);
    }
}
