using System.Net;
using Humanloop.Recording;
using Humanloop.Tests.Support;
using Xunit;
using static Humanloop.Tests.Support.TestClients;

namespace Humanloop.Tests;

public sealed class RecordingFixtureTests : IDisposable
{
    private readonly RecordingScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static ScriptedHandler Network() => new ScriptedHandler()
        .ThenRespond(HttpStatusCode.OK, RecordingScratch.Success)
        .ThenRespond(HttpStatusCode.ServiceUnavailable, "<html>maintenance é</html>", "text/html")
        .ThenStream(ScriptedBody.Of(Event(Chunk(0, "Hel")), Event(Chunk(0, "lo", "stop"))));

    private static async Task Exercise(HumanloopClient client)
    {
        await client.CompleteAsync(RecordingScratch.Deployed("first", metadata: 1));
        await Assert.ThrowsAsync<HumanloopApiException>(() => client.CompleteAsync(RecordingScratch.Deployed("second")));
        using var stream = await client.CompleteStreamingAsync(RecordingScratch.Deployed("third"));
        while (await stream.ReadNextAsync() is not null)
        {
        }
    }

    [Fact]
    public async Task Recording_the_same_exchanges_twice_gives_byte_identical_files()
    {
        var first = _scratch.PathOf("first.json");
        var second = _scratch.PathOf("second.json");

        await RecordingScratch.RecordAsync(first, Network(), Exercise);
        await RecordingScratch.RecordAsync(second, Network(), Exercise);

        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
    }

    [Fact]
    public async Task A_fixture_is_sorted_indented_json_with_one_exchange_per_entry()
    {
        var path = _scratch.PathOf("layout.json");

        await RecordingScratch.RecordAsync(path, Network(), Exercise);

        var text = File.ReadAllText(path);
        Assert.DoesNotContain("\r", text);
        Assert.EndsWith("}\n", text);
        Assert.StartsWith("{\n  \"exchanges\": [\n    {\n      \"request\": {\n        \"body\": {\n          \"environment\": \"production\",\n          \"inputs\": {", text);
        Assert.EndsWith("  ],\n  \"version\": 1\n}\n", text);
        var exchanges = FixtureFile.Parse(text, path);
        Assert.Equal(3, exchanges.Count);
        Assert.True(exchanges[0].Request.Body!.IsJson);
        Assert.Equal("<html>maintenance é</html>", exchanges[1].Response.Body!.Text);
        Assert.Contains("\"body_text\": \"<html>maintenance é</html>\"", text);
        Assert.Equal(new[] { "Hel", "lo" }, exchanges[2].Response.Events!.Select(e => e.Data.Json!["data"]![0]!["output"]!.GetValue<string>()));
        Assert.All(exchanges[2].Response.Events!, item => Assert.Null(item.DelayMs));
        Assert.Equal(new[] { "content-type" }, exchanges[0].Response.Headers.Keys);
        Assert.Equal(new[] { "accept", "x-api-key" }, exchanges[0].Request.Headers.Keys);
    }

    [Fact]
    public async Task Writing_what_was_read_changes_nothing()
    {
        var path = _scratch.PathOf("round-trip.json");
        await RecordingScratch.RecordAsync(path, Network(), Exercise);
        var text = File.ReadAllText(path);

        Assert.Equal(text, FixtureFile.ToText(FixtureFile.Parse(text, path)));
    }

    [Theory]
    [InlineData("""{ "exchanges": [], "version": 2 }""", "\"version\" must be 1")]
    [InlineData("""{ "exchanges": [{ "request": { "methd": "POST", "path": "/v4/x" }, "response": { "status": 200 } }], "version": 1 }""", "exchange 1, request has an unknown field \"methd\"")]
    [InlineData("""{ "exchanges": [{ "request": { "path": "/v4/x" }, "response": { "status": 200 } }], "version": 1 }""", "exchange 1, request: \"method\" is missing")]
    [InlineData("""{ "exchanges": [{ "request": { "method": "GET", "path": "v4/x" }, "response": { "status": 200 } }], "version": 1 }""", "\"path\" must start with /")]
    [InlineData("""{ "exchanges": [{ "request": { "method": "GET", "path": "/v4/x" }, "response": { "status": 99 } }], "version": 1 }""", "exchange 1, response: \"status\" must be an HTTP status")]
    [InlineData("""{ "exchanges": [{ "request": { "method": "GET", "path": "/v4/x" }, "response": { "status": 200, "events": [{ "delay_ms": -1, "data": {} }] } }], "version": 1 }""", "event 1: \"delay_ms\" must be a whole number")]
    [InlineData("""{ "exchanges": [{ "request": { "method": "GET", "path": "/v4/x" }, "response": { "status": 200, "body": {}, "events": [] } }], "version": 1 }""", "both a body and events")]
    [InlineData("""{ "exchanges": [ """, "is not valid JSON")]
    public void A_broken_fixture_is_reported_with_the_place(string text, string expected)
    {
        var path = _scratch.PathOf("broken.json");
        File.WriteAllText(path, text);

        var error = Assert.Throws<HumanloopRecordingException>(() => RecordingScratch.Open(path, RecordingMode.Replay));

        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task A_hand_edited_fixture_may_carry_comments_and_trailing_commas()
    {
        var path = _scratch.PathOf("commented.json");
        File.WriteAllText(path, $$"""
            {
              // A canned answer for every completion.
              "exchanges": [
                { "request": { "method": "POST", "path": "/v4/completion*", },
                  "response": { "status": 200, "body": {{RecordingScratch.Success}}, }, },
              ],
              "version": 1,
            }
            """);

        var response = await RecordingScratch.Client(RecordingScratch.Open(path, RecordingMode.Replay)).CompleteAsync(RecordingScratch.Deployed());

        Assert.Equal("A limerick about AI.", response.Output);
    }
}
