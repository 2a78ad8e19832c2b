using System.Net;
using System.Text.Json.Nodes;
using Humanloop.Server.Tests.Infrastructure;

namespace Humanloop.Server.Tests;

/// <summary>A request the server rejects changes nothing; and what was stored can be found again.</summary>
public sealed class RejectedRequestTests(InMemoryServerFixture fixture) : IClassFixture<InMemoryServerFixture>
{
    private readonly ApiClient _api = fixture.Api;

    private async Task<int> ProjectsNamed(string name) =>
        (int)(await _api.GetAsync($"projects?filter={Uri.EscapeDataString(name)}")).ShouldBe(HttpStatusCode.OK).Object["total"]!;

    [Fact]
    public async Task A_completion_rejected_for_a_missing_input_creates_no_project()
    {
        var owner = await _api.CreateProjectAsync(Names.Unique("owner"));
        var config = await _api.RegisterConfigAsync((string)owner["id"]!, "Say {{x}}");
        var newName = Names.Unique("never-created");

        var response = await _api.PostAsync("completion-model-config", new JsonObject
        {
            ["project"] = newName,
            ["model_config_id"] = (string)config["config"]!["id"]!,
            ["inputs"] = new JsonObject(),
        });

        response.ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(0, await ProjectsNamed(newName));
    }

    [Theory]
    [InlineData("completion-model-config", "model_config_id", "config_missing")]
    [InlineData("completion-experiment", "experiment_id", "exp_missing")]
    [InlineData("completion-deployed", null, null)]
    public async Task A_completion_rejected_as_not_found_creates_no_project(string path, string? field, string? value)
    {
        var newName = Names.Unique("never-created");
        var body = new JsonObject { ["project"] = newName, ["inputs"] = new JsonObject() };
        if (field is not null)
        {
            body[field] = value;
        }

        (await _api.PostAsync(path, body)).ShouldBe(HttpStatusCode.NotFound);
        Assert.Equal(0, await ProjectsNamed(newName));
    }

    [Fact]
    public async Task A_valid_completion_naming_a_new_project_still_creates_it()
    {
        var newName = Names.Unique("created");

        (await _api.PostAsync("completion", new JsonObject
        {
            ["project"] = newName,
            ["inputs"] = new JsonObject { ["x"] = "hi" },
            ["model_config"] = new JsonObject { ["provider"] = "mock", ["model"] = "m", ["prompt_template"] = "Say {{x}}" },
        })).ShouldBe(HttpStatusCode.OK);

        Assert.Equal(1, await ProjectsNamed(newName));
    }

    [Fact]
    public async Task A_project_patch_rejected_for_a_taken_name_changes_no_deployment()
    {
        var taken = await _api.CreateProjectAsync(Names.Unique("taken"));
        var project = await _api.CreateProjectAsync(Names.Unique("patched"));
        var projectId = (string)project["id"]!;
        var first = await _api.RegisterConfigAsync(projectId, "first {{x}}");
        var second = await _api.RegisterConfigAsync(projectId, "second {{x}}");

        var response = await _api.PatchAsync($"projects/{projectId}", new JsonObject
        {
            ["name"] = (string)taken["name"]!,
            ["active_config_id"] = (string)second["config"]!["id"]!,
        });

        response.ShouldBe(HttpStatusCode.Conflict);
        var active = (await _api.GetAsync($"projects/{projectId}/active-config")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal((string)first["config"]!["id"]!, (string)active["config"]!["id"]!);
    }

    [Theory]
    [InlineData("rock & roll")]
    [InlineData("café <au> lait's +1")]
    public async Task Log_search_finds_inputs_with_characters_json_would_escape(string text)
    {
        var project = await _api.CreateProjectAsync(Names.Unique("search"));
        var projectId = (string)project["id"]!;
        (await _api.PostAsync("completion", new JsonObject
        {
            ["project_id"] = projectId,
            ["inputs"] = new JsonObject { ["q"] = text },
            ["model_config"] = new JsonObject { ["provider"] = "mock", ["model"] = "m", ["prompt_template"] = "Answer {{q}}" },
        })).ShouldBe(HttpStatusCode.OK);

        var found = (await _api.GetAsync($"logs?project_id={projectId}&search={Uri.EscapeDataString(text)}")).ShouldBe(HttpStatusCode.OK).Object;

        Assert.Equal(1, (int)found["total"]!);
    }
}
