using System.Net;
using System.Text.Json.Nodes;
using Humanloop.Server.Tests.Infrastructure;

namespace Humanloop.Server.Tests;

/// <summary>A project's feedback types (POST and PATCH /projects/{id}/feedback-types) and its log export (POST /projects/{id}/export).</summary>
public sealed class FeedbackTypeAndExportTests(InMemoryServerFixture fixture) : IClassFixture<InMemoryServerFixture>
{
    private readonly ApiClient _api = fixture.Api;

    private static string Describe(JsonNode? types) => string.Join("; ", types!.AsArray().Select(t =>
        $"{t!["type"]}: {(t["values"] is JsonArray values ? string.Join(",", values.Select(v => $"{v!["value"]}={v["sentiment"]}")) : "-")}"));

    private const string Defaults =
        "rating: good=positive,bad=negative; action: copied=positive,saved=positive,failed=negative; "
        + "issue: inappropriate=negative,off-topic=negative,incorrect=negative; correction: -; comment: -";

    [Fact]
    public async Task Types_are_created_and_updated_as_upserts_and_projects_show_them()
    {
        var project = await _api.CreateProjectAsync(Names.Unique("feedback-types"));
        var projectId = (string)project["id"]!;
        Assert.Equal(Defaults, Describe(project["feedback_types"]));

        var created = (await _api.PostAsync($"projects/{projectId}/feedback-types", new JsonObject
        {
            ["type"] = "tone",
            ["class"] = "select",
            ["values"] = new JsonArray(new JsonObject { ["value"] = "warm", ["sentiment"] = "positive" }, new JsonObject { ["value"] = "cold" }),
        })).ShouldBe(HttpStatusCode.Created).Object;
        Assert.Equal("""{"type":"tone","values":[{"value":"warm","sentiment":"positive"},{"value":"cold","sentiment":"unset"}]}""", created.ToJsonString());

        // PATCH: values a type lacks are added, given sentiments change; a new type without values is a text type.
        var updated = (await _api.PatchAsync($"projects/{projectId}/feedback-types", new JsonArray(
            new JsonObject
            {
                ["type"] = "rating",
                ["values"] = new JsonArray(new JsonObject { ["value"] = "meh", ["sentiment"] = "neutral" }, new JsonObject { ["value"] = "bad", ["sentiment"] = "negative" }),
            },
            new JsonObject { ["type"] = "tone", ["values"] = new JsonArray(new JsonObject { ["value"] = "cold", ["sentiment"] = "negative" }) },
            new JsonObject { ["type"] = "reviewer_note" }))).ShouldBe(HttpStatusCode.OK).Array;
        var expected = Defaults.Replace("bad=negative;", "bad=negative,meh=neutral;") + "; tone: warm=positive,cold=negative; reviewer_note: -";
        Assert.Equal(expected, Describe(updated));
        Assert.Equal(expected, Describe((await _api.GetAsync($"projects/{projectId}")).Object["feedback_types"]));

        // Creating a type that exists is an upsert too; one object is taken as a list of one by PATCH.
        (await _api.PostAsync($"projects/{projectId}/feedback-types", new JsonObject { ["type"] = "comment" })).ShouldBe(HttpStatusCode.Created);
        (await _api.PatchAsync($"projects/{projectId}/feedback-types", new JsonObject { ["type"] = "score", ["class"] = "number" })).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(expected + "; score: -", Describe((await _api.GetAsync($"projects/{projectId}")).Object["feedback_types"]));

        // Another project keeps the defaults.
        Assert.Equal(Defaults, Describe((await _api.CreateProjectAsync(Names.Unique("feedback-types-other")))["feedback_types"]));
    }

    [Fact]
    public async Task A_rejected_change_changes_nothing()
    {
        var projectId = (string)(await _api.CreateProjectAsync(Names.Unique("feedback-types-rejected")))["id"]!;
        var detail = (await _api.PatchAsync($"projects/{projectId}/feedback-types", new JsonArray(
            new JsonObject { ["type"] = "fresh", ["values"] = new JsonArray(new JsonObject { ["value"] = "ok" }) },
            new JsonObject { ["type"] = "rating", ["class"] = "text" },
            new JsonObject { ["type"] = "comment", ["values"] = new JsonArray(new JsonObject { ["value"] = "x" }) })))
            .ShouldBe(HttpStatusCode.UnprocessableEntity).Object["detail"]!.AsArray();
        Assert.Equal(["[\"body\",1,\"class\"]", "[\"body\",2,\"values\"]"], detail.Select(e => e!["loc"]!.ToJsonString()));
        Assert.Contains("its class cannot change", (string)detail[0]!["msg"]!);
        Assert.Equal(Defaults, Describe((await _api.GetAsync($"projects/{projectId}")).Object["feedback_types"]));

        var invalid = (await _api.PostAsync($"projects/{projectId}/feedback-types", new JsonObject
        {
            ["type"] = "", ["class"] = "stars", ["values"] = new JsonArray(new JsonObject { ["sentiment"] = "happy" }),
        })).ShouldBe(HttpStatusCode.UnprocessableEntity).Object["detail"]!.AsArray();
        Assert.Equal(
            ["[\"body\",\"class\"]", "[\"body\",\"type\"]", "[\"body\",\"values\",0,\"sentiment\"]", "[\"body\",\"values\",0,\"value\"]"],
            invalid.Select(e => e!["loc"]!.ToJsonString()).Order(StringComparer.Ordinal));
        (await _api.PostAsync("projects/pr_missing/feedback-types", new JsonObject { ["type"] = "x" })).ShouldBe(HttpStatusCode.NotFound);
        (await _api.PatchAsync("projects/pr_missing/feedback-types", new JsonArray())).ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_new_project_can_bring_its_feedback_types()
    {
        var project = (await _api.PostAsync("projects", new JsonObject
        {
            ["name"] = Names.Unique("feedback-types-create"),
            ["feedback_types"] = new JsonArray(new JsonObject { ["type"] = "helpful", ["class"] = "select", ["values"] = new JsonArray(new JsonObject { ["value"] = "yes", ["sentiment"] = "positive" }) }),
        })).ShouldBe(HttpStatusCode.Created).Object;
        Assert.Equal(Defaults + "; helpful: yes=positive", Describe(project["feedback_types"]));

        var refused = (await _api.PostAsync("projects", new JsonObject
        {
            ["name"] = Names.Unique("feedback-types-create"),
            ["feedback_types"] = new JsonArray(new JsonObject { ["type"] = "action", ["class"] = "number" }),
        })).ShouldBe(HttpStatusCode.UnprocessableEntity).Object;
        Assert.Equal("[\"body\",\"feedback_types\",0,\"class\"]", refused["detail"]![0]!["loc"]!.ToJsonString());
    }

    [Fact]
    public async Task Export_pages_every_log_of_the_project_from_zero_newest_first()
    {
        var projectId = (string)(await _api.CreateProjectAsync(Names.Unique("export")))["id"]!;
        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var created = (await _api.PostAsync("logs", new JsonObject
            {
                ["project_id"] = projectId, ["config"] = new JsonObject { ["model"] = "m" }, ["output"] = $"log {i}",
            })).ShouldBe(HttpStatusCode.OK).Object;
            ids.Add((string)created["id"]!);
        }

        ids.Reverse();
        var first = (await _api.PostAsync($"projects/{projectId}/export", null)).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(0, (int)first["page"]!);
        Assert.Equal(10, (int)first["size"]!);
        Assert.Equal(12, (int)first["total"]!);
        Assert.Equal(ids.Take(10), first["records"]!.AsArray().Select(r => (string)r!["id"]!));
        Assert.Equal("log 11", (string)first["records"]![0]!["output"]!);
        Assert.Equal("model", (string)first["records"]![0]!["config"]!["type"]!);

        var second = (await _api.PostAsync($"projects/{projectId}/export?page=1&size=10", null)).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(ids.Skip(10), second["records"]!.AsArray().Select(r => (string)r!["id"]!));

        (await _api.PostAsync($"projects/{projectId}/export?size=0", null)).ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await _api.PostAsync("projects/pr_missing/export", null)).ShouldBe(HttpStatusCode.NotFound);
    }
}
