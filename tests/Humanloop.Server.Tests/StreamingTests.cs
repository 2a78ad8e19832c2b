using System.Net;
using System.Text.Json.Nodes;
using Humanloop.Server.Tests.Infrastructure;

namespace Humanloop.Server.Tests;

public sealed class StreamingTests(InMemoryServerFixture fixture) : IClassFixture<InMemoryServerFixture>
{
    private readonly ApiClient _api = fixture.Api;

    private static JsonObject StreamRequest(string project, int samples) => new()
    {
        ["project"] = project,
        ["model_config"] = new JsonObject { ["model"] = "gpt-4o", ["provider"] = "mock", ["prompt_template"] = "tell me about {{topic}}" },
        ["inputs"] = new JsonObject { ["topic"] = "rivers" },
        ["num_samples"] = samples,
        ["stream"] = true,
    };

    [Fact]
    public async Task Stream_is_data_only_sse_whose_deltas_rebuild_each_logged_raw_output()
    {
        var (response, body) = await _api.PostRawAsync("completion", StreamRequest(Names.Unique("stream"), samples: 3));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.True(response.Headers.CacheControl!.NoCache);
        Assert.DoesNotContain("[DONE]", body);

        var events = SseBody.Events(body);
        Assert.All(events, e => Assert.Single(e["data"]!.AsArray()));
        var items = events.Select(e => e["data"]![0]!.AsObject()).ToList();

        // Interleaved round-robin: the first three events are indexes 0, 1, 2.
        Assert.Equal([0, 1, 2], items.Take(3).Select(i => (int)i["index"]!));

        foreach (var group in items.GroupBy(i => (int)i["index"]!))
        {
            var chunks = group.ToList();
            Assert.Single(chunks.Select(c => (string)c["id"]!).Distinct());
            Assert.All(chunks.SkipLast(1), c => Assert.Null(c["finish_reason"]));
            Assert.Equal("stop", (string)chunks[^1]["finish_reason"]!);
            Assert.All(chunks, c => Assert.StartsWith(" ", (string)c["output"]!));

            var streamed = string.Concat(chunks.Select(c => (string)c["output"]!));
            var log = (await _api.GetAsync($"logs/{chunks[0]["id"]}")).ShouldBe(HttpStatusCode.OK).Object;
            Assert.Equal(streamed, (string)log["raw_output"]!);
            Assert.Equal(streamed.Trim(), (string)log["output"]!);
            Assert.Equal(chunks.Count, (int)log["output_tokens"]!);
            Assert.Equal(4, (int)log["prompt_tokens"]!);
        }

        // Only each sample's last event carries usage, and it is that sample's.
        var withUsage = events.Where(e => e["usage"] is not null).ToList();
        Assert.Equal(3, withUsage.Count);
        Assert.All(withUsage, e => Assert.NotNull(e["data"]![0]!["finish_reason"]));
    }

    [Fact]
    public async Task Streamed_text_equals_the_non_streamed_text_for_the_same_request()
    {
        var project = Names.Unique("same");
        var (_, body) = await _api.PostRawAsync("completion", StreamRequest(project, samples: 1));
        var streamed = string.Concat(SseBody.Events(body).Select(e => (string)e["data"]![0]!["output"]!));

        var plain = StreamRequest(project, samples: 1);
        plain["stream"] = false;
        var response = (await _api.PostAsync("completion", plain)).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal((string)response["data"]![0]!["raw_output"]!, streamed);
    }

    [Fact]
    public async Task Stream_stops_at_max_tokens_with_length()
    {
        var request = StreamRequest(Names.Unique("short"), samples: 1);
        request["model_config"]!["max_tokens"] = 3;
        var (_, body) = await _api.PostRawAsync("completion", request);
        var events = SseBody.Events(body);
        Assert.Equal(3, events.Count);
        Assert.Equal("length", (string)events[^1]["data"]![0]!["finish_reason"]!);
        Assert.Equal(3, (int)events[^1]["usage"]!["generation_tokens"]!);
    }

    [Fact]
    public async Task Errors_before_the_stream_starts_are_ordinary_json_responses()
    {
        var request = StreamRequest(Names.Unique("bad"), samples: 1);
        request["inputs"] = new JsonObject();
        var (response, body) = await _api.PostRawAsync("completion", request);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("\"inputs\",\"topic\"", body);
    }

    [Fact]
    public async Task Per_request_token_delay_paces_the_stream()
    {
        var request = StreamRequest(Names.Unique("slow"), samples: 1);
        request["model_config"]!["max_tokens"] = 5;
        request["model_config"]!["other"] = new JsonObject { ["mock_token_delay_ms"] = 40 };
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var (_, body) = await _api.PostRawAsync("completion", request);
        Assert.Equal(5, SseBody.Events(body).Count);
        Assert.True(stopwatch.ElapsedMilliseconds >= 180, $"took {stopwatch.ElapsedMilliseconds} ms");
    }
}
