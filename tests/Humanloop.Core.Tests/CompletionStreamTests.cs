using System.Diagnostics;
using Humanloop.Tests.Support;
using Xunit;
using static Humanloop.Tests.Support.TestClients;

namespace Humanloop.Tests;

public class CompletionStreamTests
{
    private static async Task<(List<CompletionChunk> Chunks, CompletionStream Stream)> ReadAll(ScriptedBody body, int? numSamples = null, Action<HumanloopClientOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        var client = Create(new ScriptedHandler().ThenStream(body), configure: configure);
        var stream = await client.CompleteStreamingAsync(new CompletionDeployedRequest { ProjectId = "pr_1", NumSamples = numSamples }, cancellationToken);
        var chunks = new List<CompletionChunk>();
        while (await stream.ReadNextAsync(cancellationToken) is { } chunk)
        {
            chunks.Add(chunk);
        }

        return (chunks, stream);
    }

    private static async Task<(List<CompletionChunk> Delivered, TException Error)> ReadUntilFailure<TException>(ScriptedBody body, int? numSamples = null, Action<HumanloopClientOptions>? configure = null)
        where TException : Exception
    {
        var client = Create(new ScriptedHandler().ThenStream(body), configure: configure);
        using var stream = await client.CompleteStreamingAsync(new CompletionDeployedRequest { ProjectId = "pr_1", NumSamples = numSamples });
        var delivered = new List<CompletionChunk>();
        var error = await Assert.ThrowsAsync<TException>(async () =>
        {
            while (await stream.ReadNextAsync() is { } chunk)
            {
                delivered.Add(chunk);
            }
        });
        return (delivered, error);
    }

    [Fact]
    public async Task Chunks_come_out_in_order_and_assemble_into_the_response()
    {
        var (chunks, stream) = await ReadAll(ScriptedBody.Of(
            Event(Chunk(0, "Hello")),
            Event(Chunk(0, ", ")),
            Event(Chunk(0, "world ", "stop", extra: ""","usage":{"prompt_tokens":3,"generation_tokens":3,"total_tokens":6}"""))));

        Assert.Equal(new[] { "Hello", ", ", "world " }, chunks.Select(c => c.ToString()));
        Assert.Equal(new string?[] { null, null, "stop" }, chunks.Select(c => c.FinishReason));
        Assert.All(chunks, c => Assert.Equal(("data_1", "config_1", "pr_1"), (c.Id, c.ModelConfigId, c.ProjectId)));
        var result = stream.Result;
        Assert.Equal("Hello, world", result.Output);
        Assert.Equal("Hello, world ", result.Data[0].RawOutput);
        Assert.Equal("stop", result.Data[0].FinishReason);
        Assert.Equal(6, result.Usage!.TotalTokens);
        Assert.Equal(3, stream.ChunksDelivered);
    }

    [Fact]
    public async Task Interleaved_samples_are_assembled_by_index()
    {
        var (chunks, stream) = await ReadAll(
            ScriptedBody.Of(
                Event(Chunk(1, "B1", id: "data_b")),
                Event(Chunk(0, "A1", id: "data_a")),
                Event(Chunk(1, "B2", "length", id: "data_b")),
                Event(Chunk(0, "A2", "stop", id: "data_a"))),
            numSamples: 2);

        Assert.Equal(new[] { 1, 0, 1, 0 }, chunks.Select(c => c.Index));
        Assert.Equal(new[] { ("data_a", "A1A2", "stop"), ("data_b", "B1B2", "length") }, stream.Result.Data.Select(d => (d.Id!, d.Output!, d.FinishReason!)));
        Assert.Null(stream.Result.Usage);
    }

    [Fact]
    public async Task The_delivered_chunks_alone_assemble_into_the_samples_the_stream_built()
    {
        const string usage = ""","usage":{"prompt_tokens":2,"generation_tokens":2,"total_tokens":4}""";
        var (chunks, stream) = await ReadAll(
            ScriptedBody.Of(
                Event(Chunk(1, " B1", id: "data_b")),
                Event(Chunk(0, "A1 ", id: "data_a")),
                Event(Chunk(1, "B2", "length", id: "data_b", extra: usage)),
                Event(Chunk(0, "A2", "stop", id: "data_a", extra: usage))),
            numSamples: 2);

        var samples = StreamedSample.Assemble(chunks);

        Assert.Equal(new[] { ("data_b", "B1B2", " B1B2", "length"), ("data_a", "A1 A2", "A1 A2", "stop") }, samples.Select(s => (s.Data.Id!, s.Data.Output!, s.Data.RawOutput!, s.Data.FinishReason!)));
        Assert.All(samples, s => Assert.IsType<CompletionData>(s.Data));
        Assert.Equal(new[] { 4, 4 }, samples.Select(s => s.Usage!.TotalTokens));
        Assert.Equal(stream.Result.Usage!.TotalTokens, Usage.SumOf(samples.Select(s => s.Usage))!.TotalTokens);
        Assert.Equal(new string?[] { null, null, "data_b", "data_a" }, chunks.Select(c => c.FinishedLogId));
    }

    [Fact]
    public async Task The_chunks_of_a_stream_cut_short_assemble_into_the_response_so_far()
    {
        const string usage = ""","usage":{"prompt_tokens":2,"generation_tokens":2,"total_tokens":4}""";
        var (chunks, stream) = await ReadAll(
            ScriptedBody.Of(
                Event(Chunk(0, "A1 ", id: "data_a")),
                Event(Chunk(1, "B1", id: "data_b")),
                Event(Chunk(0, "A2", "stop", id: "data_a", extra: usage)),
                Event(Chunk(1, " B2", "stop", id: "data_b", extra: usage))),
            numSamples: 2);

        var whole = Assert.IsType<CompletionResponse>(StreamedSample.AssembleResponse(chunks));
        var cut = Assert.IsType<CompletionResponse>(StreamedSample.AssembleResponse(chunks.Take(3).ToList()));

        Assert.Equal(stream.Result.Data.Select(d => (d.Id, d.Output, d.FinishReason)), whole.Data.Select(d => (d.Id, d.Output, d.FinishReason)));
        Assert.Equal(stream.Result.Usage!.TotalTokens, whole.Usage!.TotalTokens);
        Assert.Equal("pr_1", cut.ProjectId);
        Assert.Equal(new[] { ("data_a", "A1 A2", (string?)"stop"), ("data_b", "B1", null) }, cut.Data.Select(d => (d.Id!, d.Output!, d.FinishReason)));
        Assert.Equal(4, cut.Usage!.TotalTokens);
        Assert.Throws<ArgumentException>(() => StreamedSample.AssembleResponse([]));
    }

    [Fact]
    public async Task Events_split_at_every_byte_still_make_the_same_chunks()
    {
        var text = Event(Chunk(0, "héllo ")) + ": ping\r\n\r\n" + Event(Chunk(0, "wörld", "stop"));
        var body = new ScriptedBody();
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(text))
        {
            body.Bytes([b]);
        }

        var (chunks, stream) = await ReadAll(body);

        Assert.Equal(new[] { "héllo ", "wörld" }, chunks.Select(c => c.Output));
        Assert.Equal("héllo wörld", stream.Result.Output);
    }

    [Fact]
    public async Task A_stream_that_closes_before_every_sample_finished_is_an_error()
    {
        var (delivered, error) = await ReadUntilFailure<HumanloopStreamException>(
            ScriptedBody.Of(Event(Chunk(0, "a", "stop")), Event(Chunk(1, "b"))),
            numSamples: 3);

        Assert.Equal(2, delivered.Count);
        Assert.Equal(2, error.ChunksDelivered);
        Assert.Contains("sample(s) 1, 2", error.Message);
        Assert.Null(error.RawText);
    }

    [Fact]
    public async Task An_empty_finish_reason_does_not_count_as_finished()
    {
        var (delivered, error) = await ReadUntilFailure<HumanloopStreamException>(ScriptedBody.Of(Event(Chunk(0, "a", finishReason: ""))));

        Assert.Null(Assert.Single(delivered).FinishReason);
        Assert.Contains("before sample(s) 0 finished", error.Message);
    }

    [Fact]
    public async Task An_empty_stream_is_an_error_not_a_silent_end()
    {
        var (delivered, error) = await ReadUntilFailure<HumanloopStreamException>(ScriptedBody.Of());

        Assert.Empty(delivered);
        Assert.Contains("before sample(s) 0 finished", error.Message);
    }

    [Fact]
    public async Task A_stream_cut_inside_an_event_is_reported_as_truncated()
    {
        // The SSE parser drops an event that the stream cut off, as the format says; the unfinished
        // sample is what tells the stream was truncated.
        var (delivered, error) = await ReadUntilFailure<HumanloopStreamException>(ScriptedBody.Of(Event(Chunk(0, "a")), "data: {\"data\": [{\"out"));

        Assert.Single(delivered);
        Assert.Contains("before sample(s) 0 finished", error.Message);
    }

    [Fact]
    public async Task A_malformed_chunk_is_an_error_with_its_raw_text_after_the_good_ones()
    {
        var (delivered, error) = await ReadUntilFailure<HumanloopStreamException>(
            ScriptedBody.Of(Event(Chunk(0, "a")) + Event(Chunk(0, "b")) + "data: {not json\n\n" + Event(Chunk(0, "c", "stop"))));

        Assert.Equal(new[] { "a", "b" }, delivered.Select(c => c.Output));
        Assert.Equal("{not json", error.RawText);
        Assert.Contains("Chunk 3", error.Message);
    }

    [Fact]
    public async Task An_error_event_mid_stream_is_reported_with_the_server_message()
    {
        var (delivered, error) = await ReadUntilFailure<HumanloopStreamException>(
            ScriptedBody.Of(Event(Chunk(0, "a")), Event("""{"detail":{"message":"provider overloaded","origin":"OpenAI"}}""")));

        Assert.Single(delivered);
        Assert.Contains("OpenAI: provider overloaded", error.Message);
    }

    [Theory]
    [InlineData("""{"data":[null]}""", "data[0] is null")]
    [InlineData("""{"data":[{"index":0,"output":"\ud800"}]}""", "not a valid completion chunk")]
    [InlineData("""{"detail":"\ud800"}""", "reported an error")]
    public async Task Chunks_that_parse_but_cannot_be_used_are_stream_errors(string json, string expected)
    {
        var (delivered, error) = await ReadUntilFailure<HumanloopStreamException>(ScriptedBody.Of(Event(Chunk(0, "a")), Event(json)));

        Assert.Single(delivered);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task Events_without_data_items_are_skipped_and_done_markers_end_the_stream()
    {
        var (chunks, stream) = await ReadAll(ScriptedBody.Of(
            Event("""{"data":[],"provider_responses":[]}"""),
            Event(Chunk(0, "x", "stop")),
            "data: [DONE]\n\n",
            Event(Chunk(0, "after done"))));

        Assert.Equal("x", Assert.Single(chunks).Output);
        Assert.Equal("x", stream.Result.Output);
    }

    [Fact]
    public async Task A_connection_reset_mid_stream_keeps_what_was_delivered()
    {
        var (delivered, error) = await ReadUntilFailure<HumanloopStreamException>(new ScriptedBody().Text(Event(Chunk(0, "a"))).Reset());

        Assert.Single(delivered);
        Assert.Contains("connection was lost after 1 chunk", error.Message);
        Assert.IsType<IOException>(error.InnerException);
    }

    [Fact]
    public async Task A_stalled_stream_fails_with_a_timeout_after_the_idle_limit()
    {
        var stopwatch = Stopwatch.StartNew();
        var (delivered, error) = await ReadUntilFailure<HumanloopTimeoutException>(
            new ScriptedBody().Text(Event(Chunk(0, "a"))).Stall(),
            configure: options => options.StreamIdleTimeout = TimeSpan.FromMilliseconds(300));

        Assert.Single(delivered);
        Assert.Contains("sent nothing for 0.3 s after 1 chunk", error.Message);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Slow_but_steady_events_do_not_trip_the_idle_timeout()
    {
        var body = new ScriptedBody()
            .Text(Event(Chunk(0, "a"))).Pause(TimeSpan.FromMilliseconds(100))
            .Text(Event(Chunk(0, "b"))).Pause(TimeSpan.FromMilliseconds(100))
            .Text(Event(Chunk(0, "c", "stop")));

        var (chunks, _) = await ReadAll(body, configure: options => options.StreamIdleTimeout = TimeSpan.FromMilliseconds(1000));

        Assert.Equal(3, chunks.Count);
    }

    [Fact]
    public async Task The_idle_limit_still_applies_after_many_reads_with_the_same_token_and_with_a_new_one()
    {
        // Each read reuses the last read's timer: after hundreds of quick reads the limit must still fire,
        // and a read given another token must still be cancellable by it.
        var body = new ScriptedBody();
        for (var i = 0; i < 300; i++)
        {
            body.Text(Event(Chunk(0, "w" + i)));
        }

        // Two stalls: the read cancelled by the second token ends the first.
        var client = Create(new ScriptedHandler().ThenStream(body.Stall().Stall()), configure: options => options.StreamIdleTimeout = TimeSpan.FromMilliseconds(300));
        using var stream = await client.CompleteStreamingAsync(new CompletionDeployedRequest());
        using var first = new CancellationTokenSource();
        for (var i = 0; i < 300; i++)
        {
            Assert.NotNull(await stream.ReadNextAsync(first.Token));
        }

        using var second = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.ReadNextAsync(second.Token));

        var stopwatch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<HumanloopTimeoutException>(() => stream.ReadNextAsync(first.Token));
        Assert.Contains("sent nothing for 0.3 s after 300 chunk", error.Message);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Cancelling_a_stalled_stream_stops_the_read_and_closes_the_body()
    {
        var body = new ScriptedBody().Text(Event(Chunk(0, "a"))).Stall();
        var client = Create(new ScriptedHandler().ThenStream(body));
        using var stream = await client.CompleteStreamingAsync(new CompletionDeployedRequest());
        using var cancellation = new CancellationTokenSource();
        Assert.NotNull(await stream.ReadNextAsync(cancellation.Token));

        var pending = stream.ReadNextAsync(cancellation.Token);
        await Task.Delay(100);
        Assert.False(pending.IsCompleted);
        var stopwatch = Stopwatch.StartNew();
        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"took {stopwatch.Elapsed}");
        stream.Dispose();
        Assert.True(body.Disposed);
    }

    [Fact]
    public async Task Cancellation_is_honoured_between_buffered_chunks()
    {
        var client = Create(new ScriptedHandler().ThenStream(ScriptedBody.Of(Event(Chunk(0, "a")) + Event(Chunk(0, "b")) + Event(Chunk(0, "c", "stop")))));
        using var stream = await client.CompleteStreamingAsync(new CompletionDeployedRequest());
        using var cancellation = new CancellationTokenSource();
        await stream.ReadNextAsync(cancellation.Token);

        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.ReadNextAsync(cancellation.Token));
    }

    [Fact]
    public async Task The_result_is_unavailable_until_the_stream_has_ended()
    {
        var client = Create(new ScriptedHandler().ThenStream(ScriptedBody.Of(Event(Chunk(0, "a", "stop")))));
        using var stream = await client.CompleteStreamingAsync(new CompletionDeployedRequest());

        Assert.Throws<InvalidOperationException>(() => stream.Result);
    }
}
