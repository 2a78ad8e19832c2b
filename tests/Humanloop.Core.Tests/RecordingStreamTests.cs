using System.Diagnostics;
using Humanloop.Recording;
using Humanloop.Tests.Support;
using Xunit;
using static Humanloop.Tests.Support.TestClients;

namespace Humanloop.Tests;

public sealed class RecordingStreamTests : IDisposable
{
    private static readonly string Usage = ""","usage":{"prompt_tokens":3,"generation_tokens":2,"total_tokens":5}""";

    private readonly RecordingScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static async Task<(List<CompletionChunk> Chunks, CompletionResponse Result)> ReadAll(HumanloopClient client, CompletionRequestBase request, CancellationToken cancellationToken = default)
    {
        using var stream = await client.CompleteStreamingAsync(request, cancellationToken);
        var chunks = new List<CompletionChunk>();
        while (await stream.ReadNextAsync(cancellationToken) is { } chunk)
        {
            chunks.Add(chunk);
        }

        return (chunks, stream.Result);
    }

    private string StreamFixture(string events, string extra = "")
    {
        var path = _scratch.PathOf(Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, $$"""
            { "exchanges": [ { "request": { "method": "POST", "path": "/v4/completion-deployed" },
                               "response": { "status": 200, "headers": { "content-type": "text/event-stream" }, "events": [ {{events}} ]{{extra}} } } ],
              "version": 1 }
            """);
        return path;
    }

    [Fact]
    public async Task A_recorded_stream_replays_chunk_by_chunk_with_the_same_result()
    {
        var path = _scratch.PathOf("stream.json");
        var network = new ScriptedHandler().ThenStream(ScriptedBody.Of(
            Event(Chunk(0, "A")), Event(Chunk(1, "B")), Event(Chunk(1, "b", "length", id: "data_2", extra: Usage)), Event(Chunk(0, "a", "stop", extra: Usage))));
        var request = RecordingScratch.Deployed();
        request.NumSamples = 2;
        var live = (Chunks: new List<CompletionChunk>(), Result: (CompletionResponse?)null);
        await RecordingScratch.RecordAsync(path, network, async client => live = await ReadAll(client, request));

        var replayed = await ReadAll(RecordingScratch.Client(RecordingScratch.Open(path, RecordingMode.Replay, new NoNetwork())), request);

        Assert.Equal(live.Chunks.Select(c => (c.Index, c.Id, c.Output, c.FinishReason)), replayed.Chunks.Select(c => (c.Index, c.Id, c.Output, c.FinishReason)));
        Assert.Equal(new[] { "Aa", "Bb" }, replayed.Result.Data.Select(d => d.Output));
        Assert.Equal(live.Result!.Usage!.TotalTokens, replayed.Result.Usage!.TotalTokens);
    }

    [Fact]
    public async Task Recording_passes_each_chunk_on_as_it_arrives()
    {
        var path = _scratch.PathOf("tee.json");
        var body = ScriptedBody.Of(Event(Chunk(0, "first"))).Stall();
        var transport = RecordingScratch.Open(path, RecordingMode.Record, new ScriptedHandler().ThenStream(body));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        using var stream = await RecordingScratch.Client(transport).CompleteStreamingAsync(RecordingScratch.Deployed(), stop.Token);
        var first = await stream.ReadNextAsync(stop.Token);

        // The server has not finished (it stalls): the chunk came through before the end of the stream.
        Assert.Equal("first", first!.Output);
        Assert.False(stop.IsCancellationRequested);
        stream.Dispose();
        var summary = transport.Save();
        Assert.Equal(1, summary.Recorded);
        var recorded = FixtureFile.Parse(File.ReadAllText(path), path)[0].Response;
        Assert.Equal(StreamEnd.Abandoned, recorded.StreamEnd);
        Assert.Single(recorded.Events!);
    }

    [Fact]
    public async Task Pacing_stores_the_delays_when_recording_and_waits_them_when_replaying()
    {
        var path = _scratch.PathOf("paced.json");
        var network = new ScriptedHandler().ThenStream(new ScriptedBody()
            .Text(Event(Chunk(0, "slow")))
            .Pause(TimeSpan.FromMilliseconds(500))
            .Text(Event(Chunk(0, "er", "stop"))));
        await RecordingScratch.RecordAsync(path, network, client => ReadAll(client, RecordingScratch.Deployed()), options => options.Pacing = true);
        var delays = FixtureFile.Parse(File.ReadAllText(path), path)[0].Response.Events!.Select(e => e.DelayMs!.Value).ToList();

        var paced = Stopwatch.StartNew();
        await ReadAll(RecordingScratch.Client(RecordingScratch.Open(path, RecordingMode.Replay, configure: options => options.Pacing = true)), RecordingScratch.Deployed());
        paced.Stop();
        var unpaced = Stopwatch.StartNew();
        await ReadAll(RecordingScratch.Client(RecordingScratch.Open(path, RecordingMode.Replay)), RecordingScratch.Deployed());
        unpaced.Stop();

        Assert.Equal(2, delays.Count);
        Assert.InRange(delays[1], 480, 10_000);
        Assert.True(paced.ElapsedMilliseconds >= delays.Sum() - 20, $"paced replay took {paced.ElapsedMilliseconds} ms for {delays.Sum()} ms of delays");
        Assert.True(unpaced.ElapsedMilliseconds < delays[1], $"unpaced replay took {unpaced.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task A_paced_replay_stops_at_once_when_cancelled()
    {
        var path = StreamFixture($$"""{ "data": {{Chunk(0, "soon")}} }, { "data": {{Chunk(0, " later", "stop")}}, "delay_ms": 60000 }""");
        var client = RecordingScratch.Client(RecordingScratch.Open(path, RecordingMode.Replay, configure: options => options.Pacing = true));
        using var cancel = new CancellationTokenSource();
        using var stream = await client.CompleteStreamingAsync(RecordingScratch.Deployed());
        Assert.Equal("soon", (await stream.ReadNextAsync(cancel.Token))!.Output);
        var watch = Stopwatch.StartNew();

        cancel.CancelAfter(100);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.ReadNextAsync(cancel.Token));

        Assert.InRange(watch.ElapsedMilliseconds, 0, 5000);
    }

    [Fact]
    public async Task A_stream_the_client_abandoned_replays_as_a_stall_that_the_idle_timeout_ends()
    {
        var path = StreamFixture($$"""{ "data": {{Chunk(0, "partial")}} }""", """, "stream_end": "abandoned" """);
        var client = RecordingScratch.Client(RecordingScratch.Open(path, RecordingMode.Replay), configure: options => options.StreamIdleTimeout = TimeSpan.FromMilliseconds(300));
        using var stream = await client.CompleteStreamingAsync(RecordingScratch.Deployed());

        Assert.Equal("partial", (await stream.ReadNextAsync())!.Output);
        var error = await Assert.ThrowsAsync<HumanloopTimeoutException>(() => stream.ReadNextAsync());

        Assert.Contains("after 1 chunk(s)", error.Message);
    }

    [Fact]
    public async Task A_broken_connection_is_recorded_and_replayed_as_the_same_failure()
    {
        var path = _scratch.PathOf("reset.json");
        var network = new ScriptedHandler().ThenStream(ScriptedBody.Of(Event(Chunk(0, "cut"))).Reset());
        await RecordingScratch.RecordAsync(path, network, async client =>
            await Assert.ThrowsAsync<HumanloopStreamException>(() => ReadAll(client, RecordingScratch.Deployed())));

        var error = await Assert.ThrowsAsync<HumanloopStreamException>(() => ReadAll(RecordingScratch.Client(RecordingScratch.Open(path, RecordingMode.Replay)), RecordingScratch.Deployed()));

        Assert.Contains("The connection was lost after 1 chunk(s): Connection reset by peer (scripted).", error.Message);
        Assert.Contains("\"stream_end\": \"failed\"", File.ReadAllText(path));
    }

    [Fact]
    public async Task A_malformed_chunk_and_a_truncated_event_replay_as_the_same_errors()
    {
        var path = _scratch.PathOf("malformed.json");
        var network = new ScriptedHandler()
            .ThenStream(ScriptedBody.Of(Event(Chunk(0, "good")), "data: {\"data\": [ {\"output\": \"x\"\n\n"))
            .ThenStream(ScriptedBody.Of(Event(Chunk(0, "good")), "data: {\"data\""));
        var live = new List<HumanloopStreamException>();
        await RecordingScratch.RecordAsync(path, network, async client =>
        {
            live.Add(await Assert.ThrowsAsync<HumanloopStreamException>(() => ReadAll(client, RecordingScratch.Deployed("malformed"))));
            live.Add(await Assert.ThrowsAsync<HumanloopStreamException>(() => ReadAll(client, RecordingScratch.Deployed("truncated"))));
        });
        var client = RecordingScratch.Client(RecordingScratch.Open(path, RecordingMode.Replay));

        var malformed = await Assert.ThrowsAsync<HumanloopStreamException>(() => ReadAll(client, RecordingScratch.Deployed("malformed")));
        var truncated = await Assert.ThrowsAsync<HumanloopStreamException>(() => ReadAll(client, RecordingScratch.Deployed("truncated")));

        Assert.Equal(live[0].RawText, malformed.RawText);
        Assert.Equal(live[0].Message, malformed.Message);
        Assert.Equal(live[1].Message, truncated.Message);
        Assert.Contains("before sample(s) 0 finished", truncated.Message);
    }

    [Fact]
    public void Events_are_written_back_as_data_lines()
    {
        var multiLine = new RecordedEvent(RecordedBody.FromText("one\ntwo"));
        var cut = new RecordedEvent(RecordedBody.FromText("{\"data\"")) { Unterminated = true };

        Assert.Equal("data: one\ndata: two\n\n", System.Text.Encoding.UTF8.GetString(ReplayStream.Encode(multiLine)));
        Assert.Equal("data: {\"data\"", System.Text.Encoding.UTF8.GetString(ReplayStream.Encode(cut)));
    }
}
