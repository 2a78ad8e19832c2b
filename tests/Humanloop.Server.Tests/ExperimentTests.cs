using System.Net;
using System.Text.Json.Nodes;
using Humanloop.Server.Tests.Infrastructure;

namespace Humanloop.Server.Tests;

public sealed class ExperimentTests(InMemoryServerFixture fixture) : IClassFixture<InMemoryServerFixture>
{
    private readonly ApiClient _api = fixture.Api;

    private static JsonArray GoodRating() => new(new JsonObject { ["type"] = "rating", ["value"] = "good" });

    private async Task<(string ProjectId, string A, string B)> ProjectWithTwoConfigsAsync(ApiClient api)
    {
        var project = await api.CreateProjectAsync(Names.Unique("experiment"));
        var projectId = (string)project["id"]!;
        var a = (string)(await api.RegisterConfigAsync(projectId, "Answer politely: {{question}}"))["config"]!["id"]!;
        var b = (string)(await api.RegisterConfigAsync(projectId, "Answer tersely: {{question}}"))["config"]!["id"]!;
        return (projectId, a, b);
    }

    [Fact]
    public async Task Create_list_update_sample_and_delete()
    {
        var (projectId, a, b) = await ProjectWithTwoConfigsAsync(_api);
        var created = (await _api.PostAsync($"projects/{projectId}/experiments", new JsonObject
        {
            ["name"] = "tone",
            ["positive_labels"] = GoodRating(),
            ["config_ids"] = new JsonArray(a, b),
        })).ShouldBe(HttpStatusCode.OK).Object;

        var experimentId = (string)created["id"]!;
        Assert.StartsWith("exp_", experimentId);
        Assert.Equal(projectId, (string)created["project_id"]!);
        Assert.Equal("Initialized", (string)created["status"]!);
        Assert.StartsWith("metric_", (string)created["metric"]!["id"]!);
        Assert.Equal("good", (string)created["positive_labels"]![0]!["value"]!);
        var configs = created["configs"]!.AsArray();
        Assert.Equal([a, b], configs.Select(c => (string)c!["id"]!));
        Assert.All(configs, c =>
        {
            Assert.True((bool)c!["active"]!);
            Assert.Equal(0, (int)c["trials_count"]!);
            Assert.Equal(0.5, (double)c["mean"]!, 6);
            Assert.True((double)c["spread"]! > 0);
            Assert.Equal("model", (string)c["config"]!["type"]!);
            Assert.NotNull(c["display_name"]);
        });

        var listed = (await _api.GetAsync($"projects/{projectId}/experiments")).ShouldBe(HttpStatusCode.OK).Array;
        Assert.Equal(experimentId, (string)listed.Single()!["id"]!);

        var updated = (await _api.PatchAsync($"experiments/{experimentId}", new JsonObject
        {
            ["name"] = "tone v2",
            ["config_ids_to_deregister"] = new JsonArray(b),
        })).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal("tone v2", (string)updated["name"]!);
        Assert.False((bool)updated["configs"]!.AsArray().Single(c => (string)c!["id"]! == b)!["active"]!);

        // Only active configs are sampled.
        for (var i = 0; i < 5; i++)
        {
            var sample = (await _api.GetAsync($"experiments/{experimentId}/model-config")).ShouldBe(HttpStatusCode.OK).Object;
            Assert.Equal(a, (string)sample["config"]!["id"]!);
            Assert.Equal(experimentId, (string)sample["experiment_id"]!);
            Assert.StartsWith("trial_", (string)sample["trial_id"]!);
        }

        var reactivated = (await _api.PatchAsync($"experiments/{experimentId}", new JsonObject { ["config_ids_to_register"] = new JsonArray(b) })).Object;
        Assert.All(reactivated["configs"]!.AsArray(), c => Assert.True((bool)c!["active"]!));

        var fetched = (await _api.GetAsync($"experiments/{experimentId}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal("tone v2", (string)fetched["name"]!);

        (await _api.DeleteAsync($"experiments/{experimentId}")).ShouldBe(HttpStatusCode.NoContent);
        (await _api.GetAsync($"experiments/{experimentId}")).ShouldBe(HttpStatusCode.NotFound);
        (await _api.DeleteAsync($"experiments/{experimentId}")).ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Missing_positive_labels_are_tolerated_and_unknown_configs_are_404()
    {
        var (projectId, a, _) = await ProjectWithTwoConfigsAsync(_api);
        var created = (await _api.PostAsync($"projects/{projectId}/experiments", new JsonObject { ["name"] = "no labels", ["config_ids"] = new JsonArray(a) }))
            .ShouldBe(HttpStatusCode.OK).Object;
        Assert.Empty(created["positive_labels"]!.AsArray());

        (await _api.PostAsync($"projects/{projectId}/experiments", new JsonObject { ["name"] = "bad", ["config_ids"] = new JsonArray("config_nope") }))
            .ShouldBe(HttpStatusCode.NotFound);
        (await _api.PostAsync("projects/pr_nope/experiments", new JsonObject { ["name"] = "x" })).ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_experiment_without_active_configs_cannot_be_sampled()
    {
        var (projectId, _, _) = await ProjectWithTwoConfigsAsync(_api);
        var experiment = (await _api.PostAsync($"projects/{projectId}/experiments", new JsonObject { ["name"] = "empty" })).Object;
        var response = (await _api.PostAsync("completion-experiment", new JsonObject { ["experiment_id"] = experiment["id"]!.DeepClone() }))
            .ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("[\"body\",\"experiment_id\"]", response.Object["detail"]![0]!["loc"]!.ToJsonString());
    }

    [Fact]
    public async Task Set_active_experiment_is_served_by_completion_deployed_and_logged_as_trials()
    {
        var (projectId, a, b) = await ProjectWithTwoConfigsAsync(_api);
        var experiment = (await _api.PostAsync($"projects/{projectId}/experiments", new JsonObject
        {
            ["name"] = "deployed",
            ["positive_labels"] = GoodRating(),
            ["config_ids"] = new JsonArray(a, b),
            ["set_active"] = true,
        })).ShouldBe(HttpStatusCode.OK).Object;
        var experimentId = (string)experiment["id"]!;

        var project = (await _api.GetAsync($"projects/{projectId}")).Object;
        Assert.Equal(experimentId, (string)project["active_experiment"]!["id"]!);
        Assert.Null(project["active_config"]);

        var completion = (await _api.PostAsync("completion-deployed", new JsonObject
        {
            ["project_id"] = projectId,
            ["inputs"] = new JsonObject { ["question"] = "why?" },
            ["num_samples"] = 4,
        })).ShouldBe(HttpStatusCode.OK).Object;
        foreach (var item in completion["data"]!.AsArray())
        {
            Assert.Contains((string)item!["model_config_id"]!, new[] { a, b });
            var log = (await _api.GetAsync($"logs/{item["id"]}")).Object;
            Assert.Equal(experimentId, (string)log["experiment_id"]!);
            Assert.StartsWith("trial_", (string)log["trial_id"]!);
            Assert.Equal("production", (string)log["environment"]!);
        }

        // The active config of an environment serving an experiment is a sampled trial.
        var activeConfig = (await _api.GetAsync($"projects/{projectId}/active-config")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Contains((string)activeConfig["config"]!["id"]!, new[] { a, b });
        Assert.Equal(experimentId, (string)activeConfig["experiment_id"]!);
        Assert.StartsWith("trial_", (string)activeConfig["trial_id"]!);

        var after = (await _api.GetAsync($"projects/{projectId}/experiments")).Array.Single()!;
        Assert.Equal("In progress", (string)after["status"]!);
        Assert.Equal(4, after["configs"]!.AsArray().Sum(c => (int)c!["trials_count"]!));

        var deactivated = (await _api.DeleteAsync($"projects/{projectId}/active-experiment")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Null(deactivated["active_experiment"]);
    }

    [Fact]
    public async Task Registering_a_config_to_an_experiment_by_name_and_activating_it_by_patch()
    {
        var (projectId, a, _) = await ProjectWithTwoConfigsAsync(_api);
        var experimentId = (string)(await _api.PostAsync($"projects/{projectId}/experiments", new JsonObject { ["name"] = "named", ["config_ids"] = new JsonArray(a) }))
            .ShouldBe(HttpStatusCode.OK).Object["id"]!;

        var registered = await _api.RegisterConfigAsync(projectId, "Answer in French: {{question}}", extra: new JsonObject { ["experiment"] = "named" });
        Assert.Equal(experimentId, (string)registered["experiment_id"]!);
        var experiment = (await _api.GetAsync($"experiments/{experimentId}")).Object;
        Assert.Equal(2, experiment["configs"]!.AsArray().Count);

        (await _api.PostAsync("model-configs", new JsonObject { ["project_id"] = projectId, ["model"] = "m", ["experiment"] = "no such experiment" }))
            .ShouldBe(HttpStatusCode.NotFound);

        var patched = (await _api.PatchAsync($"projects/{projectId}", new JsonObject { ["active_experiment_id"] = experimentId })).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal(experimentId, (string)patched["active_experiment"]!["id"]!);
        Assert.Null(patched["active_config"]);
    }

    [Fact]
    public async Task Streaming_an_experiment_finishes_every_sample_with_its_sampled_config()
    {
        var (projectId, a, b) = await ProjectWithTwoConfigsAsync(_api);
        var experimentId = (string)(await _api.PostAsync($"projects/{projectId}/experiments", new JsonObject { ["name"] = "streamed", ["config_ids"] = new JsonArray(a, b) }))
            .ShouldBe(HttpStatusCode.OK).Object["id"]!;

        var (response, body) = await _api.PostRawAsync("completion-experiment", new JsonObject
        {
            ["experiment_id"] = experimentId,
            ["inputs"] = new JsonObject { ["question"] = "when?" },
            ["num_samples"] = 6,
            ["stream"] = true,
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = SseBody.Events(body).Select(e => e["data"]![0]!).ToList();
        Assert.Equal([0, 1, 2, 3, 4, 5], items.Select(i => (int)i["index"]!).Distinct().Order());
        foreach (var sample in items.GroupBy(i => (int)i["index"]!))
        {
            Assert.Single(sample, i => i["finish_reason"] is not null);
            var log = (await _api.GetAsync($"logs/{sample.First()["id"]}")).ShouldBe(HttpStatusCode.OK).Object;
            Assert.Equal((string)sample.First()["model_config_id"]!, (string)log["config_id"]!);
            Assert.Equal(string.Concat(sample.Select(i => (string)i["output"]!)), (string)log["raw_output"]!);
            var template = (string)log["config"]!["prompt_template"]!;
            Assert.StartsWith(" Echo: " + template.Replace("{{question}}", "when?"), (string)log["raw_output"]!);
        }
    }

    [Fact]
    public async Task Thompson_sampling_favours_the_config_with_positive_feedback()
    {
        // Its own server with a fixed seed, so the sampled sequence is the same on every run; it allows 200 samples a
        // request (over the default limit) so one request shows the posterior's pull.
        var options = TestServers.InMemory(seed: 42) with { Limits = new Humanloop.Server.Http.RequestLimits { MaxNumSamples = 200 } };
        await using var server = await TestServers.StartAsync(options);
        using var api = new ApiClient(server, TestServers.ApiKey);
        var (projectId, a, b) = await ProjectWithTwoConfigsAsync(api);
        var experimentId = (string)(await api.PostAsync($"projects/{projectId}/experiments", new JsonObject
        {
            ["name"] = "bandit",
            ["positive_labels"] = GoodRating(),
            ["config_ids"] = new JsonArray(a, b),
        })).ShouldBe(HttpStatusCode.OK).Object["id"]!;

        async Task<List<(string LogId, string ConfigId)>> SampleAsync(int count)
        {
            var response = (await api.PostAsync("completion-experiment", new JsonObject
            {
                ["experiment_id"] = experimentId,
                ["inputs"] = new JsonObject { ["question"] = "how?" },
                ["num_samples"] = count,
            })).ShouldBe(HttpStatusCode.OK).Object;
            return response["data"]!.AsArray().Select(d => ((string)d!["id"]!, (string)d["model_config_id"]!)).ToList();
        }

        // Without feedback the configs are sampled uniformly.
        var exploration = await SampleAsync(30);
        var explorationA = exploration.Count(s => s.ConfigId == a);
        Assert.InRange(explorationA, 8, 22);

        // A is liked, B is not (one exception each, so neither posterior is degenerate).
        var feedback = new JsonArray();
        var seenA = 0;
        var seenB = 0;
        foreach (var (logId, configId) in exploration)
        {
            var isA = configId == a;
            var exception = isA ? seenA++ == 0 : seenB++ == 0;
            var value = isA != exception ? "good" : "bad";
            feedback.Add(new JsonObject { ["type"] = "rating", ["value"] = value, ["data_id"] = logId });
        }

        var recorded = (await api.PostAsync("feedback", feedback)).ShouldBe(HttpStatusCode.OK).Array;
        Assert.Equal(30, recorded.Count);

        var exploitation = await SampleAsync(200);
        var exploitationA = exploitation.Count(s => s.ConfigId == a);
        Assert.True(exploitationA >= 180, $"A was sampled {exploitationA} of 200 times");

        var experiment = (await api.GetAsync($"experiments/{experimentId}")).ShouldBe(HttpStatusCode.OK).Object;
        var configA = experiment["configs"]!.AsArray().Single(c => (string)c!["id"]! == a)!;
        var configB = experiment["configs"]!.AsArray().Single(c => (string)c!["id"]! == b)!;
        Assert.Equal(explorationA + exploitationA, (int)configA["trials_count"]!);
        Assert.Equal(230 - explorationA - exploitationA, (int)configB["trials_count"]!);
        Assert.True((double)configA["mean"]! > 0.75, $"mean A {configA["mean"]}");
        Assert.True((double)configB["mean"]! < 0.25, $"mean B {configB["mean"]}");

        // The posterior of A: Beta(1 + (n - 1), 1 + 1) where n is A's exploration trials.
        var alpha = 1.0 + (explorationA - 1);
        var beta = 2.0;
        Assert.Equal(alpha / (alpha + beta), (double)configA["mean"]!, 9);
        Assert.Equal(Math.Sqrt(alpha * beta / ((alpha + beta) * (alpha + beta) * (alpha + beta + 1))), (double)configA["spread"]!, 9);
    }
}
