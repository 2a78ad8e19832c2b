using System.Net;
using System.Text.Json.Nodes;
using Humanloop.Server.Tests.Infrastructure;

namespace Humanloop.Server.Tests;

public sealed class ModelConfigAndDeploymentTests(InMemoryServerFixture fixture) : IClassFixture<InMemoryServerFixture>
{
    private readonly ApiClient _api = fixture.Api;

    [Fact]
    public async Task Register_returns_a_project_config_and_deduplicates_identical_content()
    {
        var projectName = Names.Unique("register");
        var body = new JsonObject
        {
            ["project"] = projectName,
            ["model"] = "gpt-4o",
            ["prompt_template"] = "Hi {{name}}",
            ["other"] = new JsonObject { ["a"] = 1, ["b"] = 2 },
            ["stop"] = "\n",
        };
        var first = (await _api.PostAsync("model-configs", body)).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(projectName, (string)first["project_name"]!);
        Assert.StartsWith("pr_", (string)first["project_id"]!);
        Assert.Equal(0, (int)first["num_datapoints"]!);
        var config = first["config"]!.AsObject();
        Assert.StartsWith("config_", (string)config["id"]!);
        Assert.Equal("model", (string)config["type"]!);
        Assert.Equal("mock", (string)config["provider"]!);
        Assert.Equal(-1, (int)config["max_tokens"]!);
        Assert.Equal(1.0, (double)config["temperature"]!);
        Assert.Equal("complete", (string)config["endpoint"]!);
        Assert.Equal("\n", (string)config["stop"]!);
        Assert.NotNull(config["name"]);
        foreach (var field in new[] { "description", "seed", "response_format", "chat_template" })
        {
            Assert.True(config.ContainsKey(field) && config[field] is null, $"{field} should be an explicit null");
        }

        // Same content with the keys of `other` in another order: the same config.
        body["other"] = new JsonObject { ["b"] = 2, ["a"] = 1 };
        var again = (await _api.PostAsync("model-configs", body)).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal((string)config["id"]!, (string)again["config"]!["id"]!);

        body["temperature"] = 0.2;
        var different = (await _api.PostAsync("model-configs", body)).ShouldBe(HttpStatusCode.OK).Object;
        Assert.NotEqual((string)config["id"]!, (string)different["config"]!["id"]!);

        var fetched = (await _api.GetAsync($"model-configs/{config["id"]}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(config.ToJsonString(), fetched.ToJsonString());

        var list = (await _api.GetAsync($"projects/{first["project_id"]}/configs")).ShouldBe(HttpStatusCode.OK).Array;
        Assert.Equal(2, list.Count);
        Assert.All(list, item => Assert.Equal(projectName, (string)item!["project_name"]!));

        // The first config became the active one.
        var project = (await _api.GetAsync($"projects/{first["project_id"]}")).Object;
        Assert.Equal((string)config["id"]!, (string)project["active_config"]!["config"]!["id"]!);
    }

    [Fact]
    public async Task Register_needs_a_project_and_a_model()
    {
        var response = (await _api.PostAsync("model-configs", new JsonObject { ["prompt_template"] = "x" })).ShouldBe(HttpStatusCode.UnprocessableEntity);
        var locations = response.Object["detail"]!.AsArray().Select(e => e!["loc"]!.ToJsonString()).ToList();
        Assert.Contains("[\"body\",\"model\"]", locations);
        Assert.Contains("[\"body\",\"project\"]", locations);
        (await _api.GetAsync("model-configs/config_missing")).ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Deploy_lists_and_removes_per_environment()
    {
        var project = await _api.CreateProjectAsync(Names.Unique("deploy"));
        var projectId = (string)project["id"]!;
        var first = (string)(await _api.RegisterConfigAsync(projectId, "one"))["config"]!["id"]!;
        var second = (string)(await _api.RegisterConfigAsync(projectId, "two"))["config"]!["id"]!;

        var listed = (await _api.GetAsync($"projects/{projectId}/deployed-configs")).ShouldBe(HttpStatusCode.OK).Array;
        Assert.Equal(["production", "staging", "development"], listed.Select(e => (string)e!["environment_name"]!));
        var production = listed[0]!;
        Assert.Equal("env_production", (string)production["environment_id"]!);
        Assert.Equal("default", (string)production["environment_tag"]!);
        Assert.Equal(first, (string)production["model_config_id"]!);
        Assert.Null(listed[1]!["model_config_id"]);

        var deployed = (await _api.PatchAsync($"projects/{projectId}/deploy-config", new JsonObject
        {
            ["config_id"] = second,
            ["environments"] = new JsonArray(new JsonObject { ["id"] = "env_production" }, new JsonObject { ["id"] = "env_staging" }),
        })).ShouldBe(HttpStatusCode.OK).Array;
        Assert.Equal(2, deployed.Count);
        Assert.All(deployed, d => Assert.Equal(second, (string)d!["model_config_id"]!));
        Assert.Equal(projectId, (string)deployed[0]!["project_id"]!);
        Assert.Equal("production", (string)deployed[0]!["environment"]!["name"]!);
        Assert.Equal(second, (string)deployed[0]!["config"]!["id"]!);

        var activeConfig = (await _api.GetAsync($"projects/{projectId}/active-config")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(second, (string)activeConfig["config"]!["id"]!);
        Assert.Equal("env_production", (string)activeConfig["environment_id"]!);

        var removed = (await _api.DeleteAsync($"projects/{projectId}/deployed-config/staging")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal("{}", removed.Text);
        var afterRemoval = (await _api.GetAsync($"projects/{projectId}/deployed-configs")).Array;
        Assert.Null(afterRemoval[1]!["model_config_id"]);

        // Without environments the default (production) is meant.
        var defaultDeploy = (await _api.PatchAsync($"projects/{projectId}/deploy-config", new JsonObject { ["config_id"] = first }))
            .ShouldBe(HttpStatusCode.OK).Array;
        Assert.Equal("production", (string)defaultDeploy.Single()!["environment_name"]!);

        (await _api.PatchAsync($"projects/{projectId}/deploy-config", new JsonObject
        {
            ["config_id"] = first,
            ["environments"] = new JsonArray(new JsonObject { ["id"] = "env_moon" }),
        })).ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Active_config_follows_patch_and_can_be_removed()
    {
        var project = await _api.CreateProjectAsync(Names.Unique("active"));
        var projectId = (string)project["id"]!;
        (await _api.GetAsync($"projects/{projectId}/active-config")).ShouldBe(HttpStatusCode.NotFound);

        var first = (string)(await _api.RegisterConfigAsync(projectId, "one"))["config"]!["id"]!;
        var second = (string)(await _api.RegisterConfigAsync(projectId, "two"))["config"]!["id"]!;
        Assert.Equal(first, (string)(await _api.GetAsync($"projects/{projectId}/active-config")).Object["config"]!["id"]!);

        var patched = (await _api.PatchAsync($"projects/{projectId}", new JsonObject { ["active_config_id"] = second })).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(second, (string)patched["active_config"]!["config"]!["id"]!);

        var staging = (await _api.GetAsync($"projects/{projectId}/active-config?environment=staging")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(second, (string)staging["config"]!["id"]!);

        var cleared = (await _api.DeleteAsync($"projects/{projectId}/active-config")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Null(cleared["active_config"]);
        (await _api.GetAsync($"projects/{projectId}/active-config")).ShouldBe(HttpStatusCode.NotFound);
    }
}
