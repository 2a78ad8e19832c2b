using System.Net;
using System.Net.Http;
using Humanloop.Tests.Support;
using Xunit;

namespace Humanloop.Tests;

/// <summary>
/// Prompts as files (serialize, deserialize, export) and the project operations of issue 13 (export, feedback
/// types, the active config and experiment, positive labels), against the 2024-07-12 spec's names.
/// </summary>
public class PromptAndProjectWireTests
{
    private const string PromptText = "---\nmodel: m\n---\nAbout {{topic}}\n";

    private const string ProjectJson = """
        {"id":"pr_1","name":"agent","users":[],"data_count":0,"team_id":"tm_1","created_at":"2026-11-30T10:00:00Z","updated_at":"2026-11-30T10:00:00Z",
         "feedback_types":[{"type":"rating","values":[{"value":"good","sentiment":"positive"}]}]}
        """;

    [Fact]
    public async Task Serialize_sends_the_config_itself_and_reads_a_json_string()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.OK, System.Text.Json.JsonSerializer.Serialize(PromptText));
        var client = TestClients.Create(handler);

        var text = await client.SerializeModelConfigAsync(new ModelConfigCompletionRequest { Model = "m", PromptTemplate = "About {{topic}}", Temperature = 0.5 });

        Assert.EndsWith("/v4/model-configs/serialize", handler.Requests[0].Uri.AbsolutePath);
        Assert.Equal("""{"prompt_template":"About {{topic}}","model":"m","temperature":0.5}""", handler.Requests[0].Body);
        Assert.Equal(PromptText, text);
    }

    [Fact]
    public async Task Deserialize_wraps_the_text_in_config_and_reads_a_model_config()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.OK, """{"id":"config_1","type":"model","model":"m","prompt_template":"About {{topic}}"}""");
        var client = TestClients.Create(handler);

        var config = await client.DeserializeModelConfigAsync(PromptText);

        Assert.EndsWith("/v4/model-configs/deserialize", handler.Requests[0].Uri.AbsolutePath);
        Assert.Equal("""{"config":"---\nmodel: m\n---\nAbout {{topic}}\n"}""", handler.Requests[0].Body);
        Assert.Equal("About {{topic}}", config.PromptTemplate);
    }

    [Fact]
    public async Task Export_posts_without_a_body_and_reads_a_json_string_or_prompt_text()
    {
        var handler = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.OK, System.Text.Json.JsonSerializer.Serialize(PromptText))
            .ThenRespond(HttpStatusCode.OK, PromptText, "text/prompt");
        var client = TestClients.Create(handler);

        var fromJson = await client.ExportModelConfigAsync("config_1");
        var fromText = await client.ExportModelConfigAsync("config/2");

        Assert.Equal(HttpMethod.Post, handler.Requests[0].Method);
        Assert.EndsWith("/v4/model-configs/config_1/export", handler.Requests[0].Uri.AbsolutePath);
        Assert.Null(handler.Requests[0].Body);
        Assert.EndsWith("/v4/model-configs/config%2F2/export", handler.Requests[1].Uri.AbsoluteUri);
        Assert.Equal(PromptText, fromJson);
        Assert.Equal(PromptText, fromText);
    }

    [Fact]
    public async Task Export_of_a_project_pages_from_zero_and_keeps_each_logs_json_on_one_line()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.OK, """
            {"records":[
              {"id":"data_1","output":"caf\u00e9","metric_values":[{"a":1}],
               "config":{"id":"config_1","type":"model","model":"m"}},
              {"id":"data_2","config":{"id":"config_1","type":"model","model":"m"}}],
             "page":0,"size":2,"total":5}
            """);
        var client = TestClients.Create(handler);

        var page = await client.ExportProjectLogsAsync("pr_1", 0, 2);

        Assert.Equal(HttpMethod.Post, handler.Requests[0].Method);
        Assert.EndsWith("/v4/projects/pr_1/export", handler.Requests[0].Uri.AbsolutePath);
        Assert.Equal("?page=0&size=2", handler.Requests[0].Uri.Query);
        Assert.Null(handler.Requests[0].Body);
        Assert.Equal(5, page.Total);
        Assert.Equal("café", page.Records[0].Log.Output);
        Assert.Equal("""{"id":"data_1","output":"café","metric_values":[{"a":1}],"config":{"id":"config_1","type":"model","model":"m"}}""", page.Records[0].Json);
        Assert.Equal("""{"id":"data_2","config":{"id":"config_1","type":"model","model":"m"}}""", page.Records[1].Json);
    }

    [Fact]
    public async Task Feedback_types_are_created_one_at_a_time_and_changed_as_a_list()
    {
        var handler = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.Created, """{"type":"tone","values":[{"value":"warm","sentiment":"positive"}]}""")
            .ThenRespond(HttpStatusCode.OK, """[{"type":"rating","values":[{"value":"good","sentiment":"positive"},{"value":"meh","sentiment":"neutral"}]}]""");
        var client = TestClients.Create(handler);

        var created = await client.CreateFeedbackTypeAsync("pr_1", new FeedbackTypeRequest
        {
            Type = "tone",
            Class = FeedbackClasses.Select,
            Values = [new FeedbackLabel { Value = "warm", Sentiment = LabelSentiments.Positive }],
        });
        var changed = await client.UpdateFeedbackTypesAsync("pr_1", [new FeedbackTypeRequest { Type = "rating", Values = [new FeedbackLabel { Value = "meh" }] }]);

        Assert.EndsWith("/v4/projects/pr_1/feedback-types", handler.Requests[0].Uri.AbsolutePath);
        Assert.Equal("""{"type":"tone","values":[{"value":"warm","sentiment":"positive"}],"class":"select"}""", handler.Requests[0].Body);
        Assert.Equal(HttpMethod.Patch, handler.Requests[1].Method);
        Assert.Equal("""[{"type":"rating","values":[{"value":"meh"}]}]""", handler.Requests[1].Body);
        Assert.Equal("positive", Assert.Single(created.Values!).Sentiment);
        Assert.Equal(["good", "meh"], Assert.Single(changed).Values!.Select(value => value.Value));
        await Assert.ThrowsAsync<ArgumentException>(() => client.UpdateFeedbackTypesAsync("pr_1", []));
    }

    [Fact]
    public async Task The_active_config_is_read_and_the_active_config_and_experiment_removed_per_environment()
    {
        var handler = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.OK, """
                {"project_id":"pr_1","project_name":"agent","created_at":"2026-11-30T10:00:00Z","updated_at":"2026-11-30T10:00:00Z","last_used":"2026-11-30T10:00:00Z",
                 "config":{"id":"config_1","type":"model","model":"m"},"trial_id":"trial_1","environment_id":"env_1"}
                """)
            .ThenRespond(HttpStatusCode.OK, ProjectJson)
            .ThenRespond(HttpStatusCode.OK, ProjectJson);
        var client = TestClients.Create(handler);

        var active = await client.GetActiveModelConfigAsync("pr_1", "staging area");
        await client.DeactivateModelConfigAsync("pr_1");
        var project = await client.DeactivateExperimentAsync("pr_1", "production");

        Assert.Equal(HttpMethod.Get, handler.Requests[0].Method);
        Assert.EndsWith("/v4/projects/pr_1/active-config", handler.Requests[0].Uri.AbsolutePath);
        Assert.Equal("?environment=staging%20area", handler.Requests[0].Uri.Query);
        Assert.Equal("config_1", active.Config!.Id);
        Assert.Equal("trial_1", active.TrialId);
        Assert.Equal(HttpMethod.Delete, handler.Requests[1].Method);
        Assert.EndsWith("/v4/projects/pr_1/active-config", handler.Requests[1].Uri.AbsoluteUri);
        Assert.EndsWith("/v4/projects/pr_1/active-experiment?environment=production", handler.Requests[2].Uri.AbsoluteUri);
        Assert.Equal("agent", project.Name);
    }

    [Fact]
    public async Task A_project_update_sends_the_whole_list_of_positive_labels()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.OK, ProjectJson);
        var client = TestClients.Create(handler);

        await client.UpdateProjectAsync("pr_1", new UpdateProjectRequest { PositiveLabels = [new PositiveLabel { Type = "rating", Value = "good" }] });

        Assert.Equal("""{"positive_labels":[{"type":"rating","value":"good"}]}""", handler.Requests[0].Body);
    }
}
