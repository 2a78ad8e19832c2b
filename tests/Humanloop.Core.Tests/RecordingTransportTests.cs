using System.Net;
using Humanloop.Http;
using Humanloop.Tests.Support;
using Xunit;
using static Humanloop.Tests.Support.TestClients;

namespace Humanloop.Tests;

/// <summary>A folder of fixtures for one test, removed afterwards, and clients over recording transports.</summary>
internal sealed class RecordingScratch : IDisposable
{
    public const string Success = """{"project_id":"pr_1","data":[{"id":"data_1","index":0,"output":"A limerick about AI.","raw_output":" A limerick about AI. ","inputs":{"topic":"AI"},"finish_reason":"stop","model_config_id":"config_1"}],"usage":{"prompt_tokens":5,"generation_tokens":7,"total_tokens":12},"provider_responses":[]}""";

    public string Folder { get; } = Directory.CreateTempSubdirectory("humanloop-recording-").FullName;

    public string PathOf(string name) => Path.Combine(Folder, name);

    public static RecordingTransport Open(string path, RecordingMode mode, HttpMessageHandler? network = null, Action<RecordingOptions>? configure = null)
    {
        var options = new RecordingOptions { Mode = mode };
        configure?.Invoke(options);
        return RecordingTransport.Open(path, options, network);
    }

    public static HumanloopClient Client(HttpMessageHandler transport, int maxRetries = 0, string key = Key, Action<HumanloopClientOptions>? configure = null)
    {
        var options = new HumanloopClientOptions
        {
            BaseUri = new Uri("http://127.0.0.1:5080/v4"),
            ApiKey = new HumanloopApiKey(key),
            Transport = transport,
            MaxRetries = maxRetries,
        };
        configure?.Invoke(options);
        return new HumanloopClient(new HttpPipeline(options, new RecordingClock(), () => 0.5));
    }

    public static CompletionDeployedRequest Deployed(string topic = "AI", object? metadata = null) => new()
    {
        ProjectId = "pr_1",
        Environment = "production",
        Inputs = new Dictionary<string, object?> { ["topic"] = topic },
        Metadata = metadata is null ? null : new Dictionary<string, object?> { ["run"] = metadata },
    };

    /// <summary>Records what <paramref name="act"/> sends through a scripted network, and saves the fixture.</summary>
    public static async Task<RecordingSummary> RecordAsync(string path, ScriptedHandler network, Func<HumanloopClient, Task> act, Action<RecordingOptions>? configure = null, int maxRetries = 0, string key = Key)
    {
        var transport = Open(path, RecordingMode.Record, network, configure);
        await act(Client(transport, maxRetries, key));
        return transport.Save();
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

/// <summary>A network that fails the test if anything reaches it.</summary>
internal sealed class NoNetwork : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"Replay reached the network: {request.Method} {request.RequestUri}");
}

public sealed class RecordingTransportTests : IDisposable
{
    private readonly RecordingScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task A_recorded_completion_replays_as_the_same_typed_response_without_the_network()
    {
        var path = _scratch.PathOf("completion.json");
        var network = new ScriptedHandler().ThenRespond(HttpStatusCode.OK, RecordingScratch.Success);
        CompletionResponse? live = null;
        var summary = await RecordingScratch.RecordAsync(path, network, async client => live = await client.CompleteAsync(RecordingScratch.Deployed()));

        var replayed = await RecordingScratch.Client(RecordingScratch.Open(path, RecordingMode.Replay, new NoNetwork()), key: "any-other-key-will-do").CompleteAsync(RecordingScratch.Deployed());

        Assert.Equal((1, 0, 1, true), (summary.Recorded, summary.Replayed, summary.Exchanges, summary.Saved));
        Assert.Single(network.Requests);
        Assert.Equal(live!.Output, replayed.Output);
        Assert.Equal(live.Data[0].Id, replayed.Data[0].Id);
        Assert.Equal(live.Data[0].RawOutput, replayed.Data[0].RawOutput);
        Assert.Equal(live.Data[0].FinishReason, replayed.Data[0].FinishReason);
        Assert.Equal(live.Usage!.TotalTokens, replayed.Usage!.TotalTokens);
        Assert.Equal("AI", replayed.Data[0].Inputs!["topic"]);
    }

    [Fact]
    public async Task A_recorded_429_and_422_come_back_as_the_same_errors()
    {
        var path = _scratch.PathOf("errors.json");
        var network = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.TooManyRequests, """{"detail":"slow down"}""", headers: headers => headers.TryAddWithoutValidation("Retry-After", "3600"))
            .ThenRespond(HttpStatusCode.UnprocessableEntity, """{"detail":[{"loc":["body","inputs","topic"],"msg":"field required","type":"value_error.missing"}]}""");
        var live = new List<HumanloopApiException>();
        await RecordingScratch.RecordAsync(path, network, async client =>
        {
            live.Add(await Assert.ThrowsAsync<HumanloopApiException>(() => client.CompleteAsync(RecordingScratch.Deployed("throttled"))));
            live.Add(await Assert.ThrowsAsync<HumanloopApiException>(() => client.CompleteAsync(RecordingScratch.Deployed("invalid"))));
        });

        var client = RecordingScratch.Client(RecordingScratch.Open(path, RecordingMode.Replay));
        var throttled = await Assert.ThrowsAsync<HumanloopApiException>(() => client.CompleteAsync(RecordingScratch.Deployed("throttled")));
        var invalid = await Assert.ThrowsAsync<HumanloopApiException>(() => client.CompleteAsync(RecordingScratch.Deployed("invalid")));

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal(TimeSpan.FromHours(1), throttled.RetryAfter);
        Assert.Equal(live[0].Message, throttled.Message);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        Assert.Equal(live[1].Message, invalid.Message);
        Assert.Equal("body.inputs.topic", Assert.Single(invalid.Detail.ValidationErrors).Location);
    }

    [Fact]
    public async Task A_recorded_503_then_200_replays_as_such_when_the_client_retries()
    {
        var path = _scratch.PathOf("retry.json");
        var network = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.ServiceUnavailable, """{"detail":"busy"}""")
            .ThenRespond(HttpStatusCode.OK, RecordingScratch.Success);
        await RecordingScratch.RecordAsync(path, network, client => client.CompleteAsync(RecordingScratch.Deployed()), maxRetries: 1);

        var retried = await RecordingScratch.Client(RecordingScratch.Open(path, RecordingMode.Replay), maxRetries: 1).CompleteAsync(RecordingScratch.Deployed());
        var notRetried = await Assert.ThrowsAsync<HumanloopApiException>(() =>
            RecordingScratch.Client(RecordingScratch.Open(path, RecordingMode.Replay), maxRetries: 0).CompleteAsync(RecordingScratch.Deployed()));

        Assert.Equal(2, retried.Attempts);
        Assert.Equal("A limerick about AI.", retried.Output);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notRetried.StatusCode);
        Assert.Equal(1, notRetried.Attempts);
    }

    private static async Task<string> RecordTheSameRequestTwice(RecordingScratch scratch)
    {
        var path = scratch.PathOf("twice.json");
        var network = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.OK, RecordingScratch.Success.Replace("A limerick about AI.", "first"))
            .ThenRespond(HttpStatusCode.OK, RecordingScratch.Success.Replace("A limerick about AI.", "second"));
        await RecordingScratch.RecordAsync(path, network, async client =>
        {
            await client.CompleteAsync(RecordingScratch.Deployed());
            await client.CompleteAsync(RecordingScratch.Deployed());
        });
        return path;
    }

    [Fact]
    public async Task The_same_request_gets_its_recorded_answers_in_order_then_fails_on_a_repeat()
    {
        var path = await RecordTheSameRequestTwice(_scratch);
        var transport = RecordingScratch.Open(path, RecordingMode.Replay);
        var client = RecordingScratch.Client(transport);

        var first = (await client.CompleteAsync(RecordingScratch.Deployed())).Output;
        var second = (await client.CompleteAsync(RecordingScratch.Deployed())).Output;
        var repeat = await Assert.ThrowsAsync<HumanloopRecordingException>(() => client.CompleteAsync(RecordingScratch.Deployed()));

        Assert.Equal(("first", "second"), (first, second));
        Assert.StartsWith($"POST /v4/completion-deployed was sent again, but the 2 recording(s) of it in {path} have all answered already, and repeats are off.", repeat.Message);
        Assert.Contains("AllowRepeats", repeat.Message);
        Assert.Equal((2, 0), (repeat.ClosestExchange, repeat.Differences.Count));
        Assert.Equal((2, 0), (transport.GetSummary().Replayed, transport.GetSummary().Unused));
    }

    [Fact]
    public async Task With_repeats_allowed_the_last_recorded_answer_repeats()
    {
        var path = await RecordTheSameRequestTwice(_scratch);
        var transport = RecordingScratch.Open(path, RecordingMode.Replay, configure: options => options.AllowRepeats = true);
        var client = RecordingScratch.Client(transport);
        var outputs = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            outputs.Add((await client.CompleteAsync(RecordingScratch.Deployed())).Output);
        }

        Assert.Equal(new[] { "first", "second", "second" }, outputs);
        Assert.Equal((3, 0), (transport.GetSummary().Replayed, transport.GetSummary().Unused));
    }

    [Fact]
    public async Task Requests_match_by_content_not_by_call_order()
    {
        var path = _scratch.PathOf("order.json");
        var network = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.OK, RecordingScratch.Success.Replace("A limerick about AI.", "about rivers"))
            .ThenRespond(HttpStatusCode.OK, RecordingScratch.Success.Replace("A limerick about AI.", "about stars"));
        await RecordingScratch.RecordAsync(path, network, async client =>
        {
            await client.CompleteAsync(RecordingScratch.Deployed("rivers"));
            await client.CompleteAsync(RecordingScratch.Deployed("stars"));
        });

        var client = RecordingScratch.Client(RecordingScratch.Open(path, RecordingMode.Replay));

        Assert.Equal("about stars", (await client.CompleteAsync(RecordingScratch.Deployed("stars"))).Output);
        Assert.Equal("about rivers", (await client.CompleteAsync(RecordingScratch.Deployed("rivers"))).Output);
    }

    [Fact]
    public async Task Auto_replays_what_exists_and_records_only_what_is_missing()
    {
        var path = _scratch.PathOf("auto.json");
        await RecordingScratch.RecordAsync(
            path,
            new ScriptedHandler().ThenRespond(HttpStatusCode.OK, RecordingScratch.Success.Replace("A limerick about AI.", "recorded before")),
            client => client.CompleteAsync(RecordingScratch.Deployed("old")));
        var network = new ScriptedHandler().ThenRespond(HttpStatusCode.OK, RecordingScratch.Success.Replace("A limerick about AI.", "recorded now"));

        var transport = RecordingScratch.Open(path, RecordingMode.Auto, network);
        var client = RecordingScratch.Client(transport);
        var old = await client.CompleteAsync(RecordingScratch.Deployed("old"));
        var fresh = await client.CompleteAsync(RecordingScratch.Deployed("new"));
        var summary = transport.Save();

        Assert.Equal(("recorded before", "recorded now"), (old.Output, fresh.Output));
        Assert.Contains("\"new\"", Assert.Single(network.Requests).Body);
        Assert.Equal((1, 1, 0, 2, true), (summary.Replayed, summary.Recorded, summary.Unused, summary.Exchanges, summary.Saved));
        var offline = RecordingScratch.Client(RecordingScratch.Open(path, RecordingMode.Replay));
        Assert.Equal("recorded now", (await offline.CompleteAsync(RecordingScratch.Deployed("new"))).Output);
        Assert.Equal("recorded before", (await offline.CompleteAsync(RecordingScratch.Deployed("old"))).Output);
    }

    [Fact]
    public async Task Auto_writes_nothing_when_everything_replayed()
    {
        var path = _scratch.PathOf("unchanged.json");
        await RecordingScratch.RecordAsync(path, new ScriptedHandler().ThenRespond(HttpStatusCode.OK, RecordingScratch.Success), client => client.CompleteAsync(RecordingScratch.Deployed()));
        File.SetLastWriteTimeUtc(path, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var transport = RecordingScratch.Open(path, RecordingMode.Auto, new NoNetwork());
        await RecordingScratch.Client(transport).CompleteAsync(RecordingScratch.Deployed());
        var summary = transport.Save();

        Assert.False(summary.Saved);
        Assert.Equal(2020, File.GetLastWriteTimeUtc(path).Year);
    }

    [Fact]
    public void Replay_reports_a_missing_fixture_by_name()
    {
        var path = _scratch.PathOf("never-recorded.json");

        var error = Assert.Throws<HumanloopRecordingException>(() => RecordingScratch.Open(path, RecordingMode.Replay));

        Assert.Contains(path, error.Message);
        Assert.Contains("Record", error.Message);
        Assert.Equal(path, error.FixturePath);
    }

    [Fact]
    public async Task A_request_that_never_got_an_answer_is_not_recorded()
    {
        var path = _scratch.PathOf("unreachable.json");
        var network = new ScriptedHandler().ThenThrow(new HttpRequestException("Connection refused"));

        var summary = await RecordingScratch.RecordAsync(path, network, async client =>
            await Assert.ThrowsAsync<HumanloopConnectionException>(() => client.CompleteAsync(RecordingScratch.Deployed())));

        Assert.Equal((0, false), (summary.Recorded, summary.Saved));
        Assert.False(File.Exists(path), "an empty fixture would make Once mode replay nothing from then on");
    }

    [Fact]
    public async Task Record_mode_replaces_what_the_fixture_held()
    {
        var path = _scratch.PathOf("replaced.json");
        await RecordingScratch.RecordAsync(path, new ScriptedHandler().ThenRespond(HttpStatusCode.OK, RecordingScratch.Success), client => client.CompleteAsync(RecordingScratch.Deployed("old")));

        await RecordingScratch.RecordAsync(path, new ScriptedHandler().ThenRespond(HttpStatusCode.OK, RecordingScratch.Success), client => client.CompleteAsync(RecordingScratch.Deployed("new")));

        var text = File.ReadAllText(path);
        Assert.Contains("\"new\"", text);
        Assert.DoesNotContain("\"old\"", text);
    }

    [Fact]
    public async Task Disposing_a_transport_leaves_the_shared_network_handler_usable()
    {
        var shared = HttpClientCache.SharedHandler(null, null);

        RecordingTransport.Open(_scratch.PathOf("shared.json"), new RecordingOptions { Mode = RecordingMode.Record }).Dispose();

        Assert.Same(shared, HttpClientCache.SharedHandler(null, null));
        using var invoker = new HttpMessageInvoker(shared, disposeHandler: false);
        // Port 1 refuses the connection; a disposed handler would throw ObjectDisposedException instead.
        await Assert.ThrowsAsync<HttpRequestException>(() => invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:1/"), CancellationToken.None));
    }
}
