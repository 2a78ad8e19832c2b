using System.Net;
using Humanloop.Recording;
using Humanloop.Tests.Support;
using Xunit;

namespace Humanloop.Tests;

public sealed class RecordingMatcherTests : IDisposable
{
    private const string RecordedRequestBody = """{ "inputs": { "topic": "AI", "date": "2026-01-01" }, "environment": "production", "project_id": "pr_1" }""";

    private readonly RecordingScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private string HandWritten(string requestJson)
    {
        var file = _scratch.PathOf(Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(file, $$"""
            {
              "exchanges": [
                { "request": {{requestJson}},
                  "response": { "status": 200, "body": {{RecordingScratch.Success}} } }
              ],
              "version": 1
            }
            """);
        return file;
    }

    private string Fixture(string body) => HandWritten($$"""{ "method": "POST", "path": "/v4/completion-deployed", "body": {{body}} }""");

    private static CompletionDeployedRequest Request(string topic = "AI", string date = "2026-01-01", Action<CompletionDeployedRequest>? change = null)
    {
        var request = new CompletionDeployedRequest
        {
            ProjectId = "pr_1",
            Environment = "production",
            Inputs = new Dictionary<string, object?> { ["topic"] = topic, ["date"] = date },
        };
        change?.Invoke(request);
        return request;
    }

    private static Task<CompletionResponse> Replay(string path, CompletionRequestBase request, Action<RecordingOptions>? configure = null) =>
        RecordingScratch.Client(RecordingScratch.Open(path, RecordingMode.Replay, configure: configure)).CompleteAsync(request);

    [Fact]
    public async Task Key_order_and_number_spelling_do_not_matter()
    {
        var path = Fixture("""{ "num_samples": 2.0, "inputs": { "date": "2026-01-01", "topic": "AI" }, "project_id": "pr_1", "environment": "production" }""");

        var response = await Replay(path, Request(change: request => request.NumSamples = 2));

        Assert.Equal("A limerick about AI.", response.Output);
    }

    [Fact]
    public async Task Metadata_is_ignored_by_default()
    {
        var path = _scratch.PathOf("metadata.json");
        await RecordingScratch.RecordAsync(path, new ScriptedHandler().ThenRespond(HttpStatusCode.OK, RecordingScratch.Success), client => client.CompleteAsync(RecordingScratch.Deployed(metadata: "run-1")));

        var response = await Replay(path, RecordingScratch.Deployed(metadata: "run-2"));

        Assert.Equal("A limerick about AI.", response.Output);
    }

    [Fact]
    public async Task Any_other_difference_is_a_mismatch()
    {
        var path = Fixture(RecordedRequestBody);

        await Assert.ThrowsAsync<HumanloopRecordingException>(() => Replay(path, Request(change: request => request.User = "jordan")));
        await Assert.ThrowsAsync<HumanloopRecordingException>(() => Replay(path, Request(date: "2026-02-02")));
        Assert.Equal("A limerick about AI.", (await Replay(path, Request())).Output);
    }

    [Theory]
    [InlineData("inputs.date")]
    [InlineData("date")]
    [InlineData("inputs.*")]
    public async Task Ignored_fields_are_left_out_of_matching(string rule)
    {
        var path = Fixture(RecordedRequestBody);

        var response = await Replay(path, Request(topic: rule == "inputs.*" ? "ML" : "AI", date: "2026-02-02"), options => options.IgnoreFields.Add(rule));

        Assert.Equal("A limerick about AI.", response.Output);
    }

    [Fact]
    public async Task A_dotted_rule_starts_at_the_root_while_a_plain_name_matches_at_any_depth()
    {
        var path = Fixture(RecordedRequestBody);

        // "topic" alone would ignore inputs.topic; "topic.x" names a root field that does not exist.
        await Assert.ThrowsAsync<HumanloopRecordingException>(() => Replay(path, Request(topic: "ML"), options => options.IgnoreFields.Add("topic.x")));
        Assert.Equal("A limerick about AI.", (await Replay(path, Request(topic: "ML"), options => options.IgnoreFields.Add("TOPIC"))).Output);
    }

    [Fact]
    public async Task A_mismatch_names_the_closest_recording_and_each_difference()
    {
        var path = _scratch.PathOf("closest.json");
        var network = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.OK, RecordingScratch.Success)
            .ThenRespond(HttpStatusCode.OK, RecordingScratch.Success);
        await RecordingScratch.RecordAsync(path, network, async client =>
        {
            await client.CompleteAsync(new CompletionModelConfigRequest { ModelConfigId = "config_1", Inputs = new Dictionary<string, object?> { ["topic"] = "ML" } });
            await client.CompleteAsync(RecordingScratch.Deployed("AI"));
        });

        var error = await Assert.ThrowsAsync<HumanloopRecordingException>(() => Replay(path, new CompletionDeployedRequest
        {
            ProjectId = "pr_1",
            Environment = "production",
            NumSamples = 2,
            Inputs = new Dictionary<string, object?> { ["topic"] = "ML" },
        }));

        Assert.StartsWith($"No recording in {path} matches POST /v4/completion-deployed.", error.Message);
        Assert.Contains("The closest is exchange 2 of 2 (POST /v4/completion-deployed), which differs in:", error.Message);
        Assert.Equal(new[] { "inputs.topic: recorded \"AI\", sent \"ML\"", "num_samples: recorded nothing, sent 2" }, error.Differences);
        Assert.Contains("  inputs.topic: recorded \"AI\", sent \"ML\"", error.Message);
        Assert.Equal(2, error.ClosestExchange);
        Assert.Equal("POST /v4/completion-deployed", error.Request);
    }

    [Fact]
    public async Task A_mismatch_reaches_the_caller_as_the_recording_error_and_is_not_retried()
    {
        var path = Fixture(RecordedRequestBody);
        var client = RecordingScratch.Client(RecordingScratch.Open(path, RecordingMode.Replay), maxRetries: 3);

        var error = await Assert.ThrowsAsync<HumanloopRecordingException>(() => client.CompleteAsync(Request(topic: "ML")));

        Assert.Equal(1, error.Attempts);
    }

    [Fact]
    public async Task An_empty_fixture_says_so()
    {
        var path = _scratch.PathOf("empty.json");
        File.WriteAllText(path, """{ "exchanges": [], "version": 1 }""");

        var error = await Assert.ThrowsAsync<HumanloopRecordingException>(() => Replay(path, Request()));

        Assert.Contains("holds no recordings", error.Message);
        Assert.Null(error.ClosestExchange);
    }

    [Fact]
    public async Task A_hand_written_wildcard_answers_any_method_path_and_body()
    {
        var path = HandWritten("""{ "method": "*", "path": "/v4/*" }""");

        var response = await Replay(path, new CompletionExperimentRequest { ExperimentId = "exp_1", Inputs = new Dictionary<string, object?> { ["x"] = 1 } });

        Assert.Equal("A limerick about AI.", response.Output);
    }

    [Fact]
    public async Task A_path_prefix_does_not_match_another_path()
    {
        var path = HandWritten("""{ "method": "POST", "path": "/v4/completion-model*" }""");

        var error = await Assert.ThrowsAsync<HumanloopRecordingException>(() => Replay(path, Request()));

        Assert.Contains("path: recorded /v4/completion-model*, sent /v4/completion-deployed", error.Message);
    }

    [Theory]
    [InlineData("", "empty field name")]
    [InlineData("inputs..date", "'inputs..date', which has an empty segment")]
    [InlineData("*", "would match every field")]
    public void Unusable_ignore_rules_are_rejected_by_name(string rule, string expected)
    {
        var options = new RecordingOptions();
        options.IgnoreFields.Add(rule);

        var error = Assert.Throws<ArgumentException>(() => RecordingTransport.Open(_scratch.PathOf("rules.json"), options));

        Assert.Contains("IgnoreFields", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Differences_compare_arrays_item_by_item_and_name_type_changes()
    {
        var recorded = new MatchKey("POST", "/v4/x", RecordedBody.FromString("""{"stop":["a","b"],"n":1,"flag":true}"""));
        var sent = new MatchKey("POST", "/v4/x", RecordedBody.FromString("""{"stop":["a","c"],"n":"1","flag":true}"""));

        var differences = RequestMatcher.Differences(recorded, sent);

        Assert.Equal(new[] { "n: recorded 1, sent \"1\"", "stop[1]: recorded \"b\", sent \"c\"" }, differences);
    }
}
