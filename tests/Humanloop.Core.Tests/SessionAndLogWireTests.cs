using System.Net;
using System.Net.Http;
using Humanloop.Tests.Support;
using Xunit;

namespace Humanloop.Tests;

/// <summary>The Sessions group and the written side of the Logs group, against the 2024-07-12 spec's names.</summary>
public class SessionAndLogWireTests
{
    private const string SessionJson = """
        {"id":"sesh_1","reference_id":"run-7","projects":[{"id":"pr_1","name":"agent","type":"prompt"},{"id":"pr_2","name":"tools","type":"prompt"}],
         "datapoints_count":3,"first_inputs":{"goal":"trip"},"last_output":"booked",
         "created_at":"2026-11-30T10:00:00Z","updated_at":"2026-11-30T10:05:00Z"}
        """;

    private const string LogJson = """{"id":"data_1","project_id":"pr_1","output":"fixed","error":null,"duration":2.5,"config":{"id":"config_1","type":"model","model":"m"}}""";

    private static string LogPage(int page, int total, params string[] logs) =>
        $$"""{"records":[{{string.Join(",", logs)}}],"page":{{page}},"size":100,"total":{{total}}}""";

    private static string SessionLog(string id, string? sessionId) =>
        "{\"id\":\"" + id + "\",\"session_id\":" + (sessionId is null ? "null" : "\"" + sessionId + "\"") + ",\"config\":{\"id\":\"config_1\",\"type\":\"model\",\"model\":\"m\"}}";

    [Fact]
    public async Task Create_posts_without_a_body_and_reads_the_id()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.Created, """{"id":"sesh_9"}""");
        var client = TestClients.Create(handler);

        var session = await client.CreateSessionAsync();

        Assert.Equal(HttpMethod.Post, handler.Requests[0].Method);
        Assert.EndsWith("/v4/sessions", handler.Requests[0].Uri.AbsolutePath);
        Assert.Null(handler.Requests[0].Body);
        Assert.Equal("sesh_9", session.Id);
    }

    [Fact]
    public async Task Get_and_list_read_the_session_fields_and_list_pages_count_from_one()
    {
        var handler = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.OK, SessionJson)
            .ThenRespond(HttpStatusCode.OK, $$"""{"records":[{{SessionJson}}],"page":1,"size":10,"total":1}""");
        var client = TestClients.Create(handler);

        var session = await client.GetSessionAsync("sesh_1");
        var page = await client.ListSessionsAsync("pr 1", 1, 10);

        Assert.EndsWith("/v4/sessions/sesh_1", handler.Requests[0].Uri.AbsolutePath);
        Assert.Equal("run-7", session.ReferenceId);
        Assert.Equal(["agent", "tools"], session.Projects.Select(project => project.Name));
        Assert.Equal(3, session.DatapointsCount);
        Assert.Equal("trip", session.FirstInputs!["goal"]);
        Assert.Equal("booked", session.LastOutput);
        Assert.Equal("?project_id=pr%201&page=1&size=10", handler.Requests[1].Uri.Query);
        Assert.Equal("sesh_1", Assert.Single(page.Records).Id);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.ListSessionsAsync("pr_1", 0, 10));
    }

    [Fact]
    public async Task A_sessions_logs_are_read_from_every_project_it_names_page_by_page_keeping_only_its_own()
    {
        var handler = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.OK, SessionJson)
            .ThenRespond(HttpStatusCode.OK, LogPage(0, 3, SessionLog("data_1", "sesh_1"), SessionLog("data_x", null)))
            .ThenRespond(HttpStatusCode.OK, LogPage(1, 3, SessionLog("data_2", "sesh_1")))
            .ThenRespond(HttpStatusCode.OK, LogPage(0, 2, SessionLog("data_3", "sesh_1"), SessionLog("data_y", "sesh_other")));
        var client = TestClients.Create(handler);

        var logs = await client.ListSessionLogsAsync("sesh_1");

        Assert.Equal(["data_1", "data_2", "data_3"], logs.Select(log => log.Id));
        Assert.Equal("?project_id=pr_1&page=0&size=100", handler.Requests[1].Uri.Query);
        Assert.Equal("?project_id=pr_1&page=1&size=100", handler.Requests[2].Uri.Query);
        Assert.Equal("?project_id=pr_2&page=0&size=100", handler.Requests[3].Uri.Query);
        Assert.Equal(4, handler.Requests.Count);
    }

    [Fact]
    public async Task Add_log_sends_the_spec_fields_and_an_inline_config_with_its_type()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.OK, """{"id":"data_1","project_id":"pr_1","session_id":"sesh_1"}""");
        var client = TestClients.Create(handler);

        var created = await client.AddLogAsync(new LogRequest
        {
            Project = "agent",
            SessionId = "sesh_1",
            ParentId = "data_0",
            ReferenceId = "step-2",
            Inputs = new System.Collections.Hashtable { ["q"] = "hi" },
            Output = "hello",
            Config = new ModelConfigChatRequest { Provider = "mock", Model = "m", ChatTemplate = [new ChatMessage { Role = "system", Content = "Be {{tone}}" }] },
            Duration = 1.25,
            PromptTokens = 4,
            OutputTokens = 2,
            PromptCost = 0.001,
            CreatedAt = new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero),
        });

        Assert.EndsWith("/v4/logs", handler.Requests[0].Uri.AbsolutePath);
        Assert.Equal(
            string.Concat(
                """{"project":"agent","session_id":"sesh_1","parent_id":"data_0","inputs":{"q":"hi"},"reference_id":"step-2","output":"hello", """.TrimEnd(),
                """ "config":{"chat_template":[{"role":"system","content":"Be {{tone}}"}],"provider":"mock","model":"m","type":"model"}, """.Trim(),
                """ "duration":1.25,"prompt_tokens":4,"output_tokens":2,"prompt_cost":0.001,"created_at":"2026-11-30T10:00:00+00:00"}""".TrimStart()),
            handler.Requests[0].Body);
        Assert.Equal("data_1", created.Id);
        Assert.Equal("sesh_1", created.SessionId);
    }

    [Fact]
    public async Task Update_by_id_and_by_reference_patch_the_three_fields_and_read_the_log()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.OK, LogJson).ThenRespond(HttpStatusCode.OK, LogJson);
        var client = TestClients.Create(handler);

        var byId = await client.UpdateLogAsync("data_1", new UpdateLogRequest { Output = "fixed", Duration = 2.5 });
        var byReference = await client.UpdateLogByReferenceAsync("step 2/a", new UpdateLogRequest { Error = "timed out" });

        Assert.Equal(HttpMethod.Patch, handler.Requests[0].Method);
        Assert.EndsWith("/v4/logs/data_1", handler.Requests[0].Uri.AbsolutePath);
        Assert.Equal("""{"output":"fixed","duration":2.5}""", handler.Requests[0].Body);
        Assert.EndsWith("/v4/logs", handler.Requests[1].Uri.AbsolutePath);
        Assert.Equal("?reference_id=step%202%2Fa", handler.Requests[1].Uri.Query);
        Assert.Equal("""{"error":"timed out"}""", handler.Requests[1].Body);
        Assert.Equal("fixed", byId.Output);
        Assert.Equal(2.5, byReference.Duration);
    }

    [Fact]
    public async Task Delete_repeats_id_in_the_query_and_needs_at_least_one()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.NoContent, string.Empty);
        var client = TestClients.Create(handler);

        await client.DeleteLogsAsync(["data_1", "data 2"]);

        Assert.Equal(HttpMethod.Delete, handler.Requests[0].Method);
        Assert.Equal("?id=data_1&id=data%202", handler.Requests[0].Uri.Query);
        Assert.Null(handler.Requests[0].Body);
        await Assert.ThrowsAsync<ArgumentException>(() => client.DeleteLogsAsync([]));
        await Assert.ThrowsAsync<ArgumentException>(() => client.DeleteLogsAsync([" "]));
    }

    [Fact]
    public async Task Feedback_can_be_unset_without_a_value()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.OK, """{"id":"ann_1","data_id":"data_1","type":"rating","value":null}""");
        var client = TestClients.Create(handler);

        await client.AddFeedbackAsync(new FeedbackRequest { LogId = "data_1", Type = "rating", Unset = true });

        Assert.Equal("""{"type":"rating","data_id":"data_1","unset":true}""", handler.Requests[0].Body);
    }
}
