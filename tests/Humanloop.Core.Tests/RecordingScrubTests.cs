using System.Net;
using Humanloop.Tests.Support;
using Xunit;
using static Humanloop.Tests.Support.TestClients;

namespace Humanloop.Tests;

public sealed class RecordingScrubTests : IDisposable
{
    private readonly RecordingScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static string Canary(string prefix) => prefix + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task A_canary_api_key_never_reaches_the_fixture_even_when_the_server_echoes_it()
    {
        var key = Canary("hl_canary_");
        var path = _scratch.PathOf("canary.json");
        var network = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.OK, RecordingScratch.Success.Replace("A limerick about AI.", "your key is " + key))
            .ThenRespond(HttpStatusCode.Unauthorized, $$"""{"detail":"key {{key}} is not valid"}""")
            .ThenStream(ScriptedBody.Of(Event(Chunk(0, "echo " + key, "stop"))));

        await RecordingScratch.RecordAsync(path, network, async client =>
        {
            await client.CompleteAsync(RecordingScratch.Deployed("one"));
            await Assert.ThrowsAsync<HumanloopApiException>(() => client.CompleteAsync(RecordingScratch.Deployed("two")));
            using var stream = await client.CompleteStreamingAsync(RecordingScratch.Deployed("three"));
            while (await stream.ReadNextAsync() is not null)
            {
            }
        }, key: key);

        var text = File.ReadAllText(path);
        Assert.Equal(key, network.Requests[0].Headers["X-API-KEY"]);
        Assert.DoesNotContain(key, text);
        Assert.Contains("\"x-api-key\": \"****\"", text);
        Assert.Contains("your key is ****", text);
        Assert.Contains("key **** is not valid", text);
        Assert.Contains("echo ****", text);
    }

    [Fact]
    public async Task Provider_keys_are_masked_in_the_request_and_wherever_the_response_repeats_them()
    {
        var providerKey = Canary("sk-canary-");
        var path = _scratch.PathOf("provider.json");
        var network = new ScriptedHandler().ThenRespond(HttpStatusCode.OK, RecordingScratch.Success.Replace("\"provider_responses\":[]", $$"""
            "provider_responses":[],"provider_request":{"api_key":"{{providerKey}}","model":"gpt-4o"}
            """));
        var request = RecordingScratch.Deployed();
        request.ProviderApiKeys = new Dictionary<string, string> { ["openai"] = providerKey };

        await RecordingScratch.RecordAsync(path, network, client => client.CompleteAsync(request));

        var text = File.ReadAllText(path);
        Assert.DoesNotContain(providerKey, text);
        Assert.Contains("\"openai\": \"****\"", text);
        Assert.Contains("\"api_key\": \"****\"", text);

        // Replay masks the sent request the same way before comparing, so the real key still matches.
        var replayed = await RecordingScratch.Client(RecordingScratch.Open(path, RecordingMode.Replay)).CompleteAsync(request);
        Assert.Equal("A limerick about AI.", replayed.Output);
    }

    [Fact]
    public async Task Named_fields_are_masked_in_bodies_and_headers_at_any_depth()
    {
        var email = Canary("jordan-") + "@example.com";
        var path = _scratch.PathOf("fields.json");
        var network = new ScriptedHandler().ThenRespond(
            HttpStatusCode.TooManyRequests,
            $$$"""{"detail":"slow down","customer":{"email":"{{{email}}}","tier":"gold"}}""",
            headers: headers => headers.TryAddWithoutValidation("Retry-After", "3600"));
        var request = RecordingScratch.Deployed();
        request.Inputs!["email"] = email;

        await RecordingScratch.RecordAsync(path, network, client => Assert.ThrowsAsync<HumanloopApiException>(() => client.CompleteAsync(request)),
            options => options.ScrubFields.Add("email"));

        var text = File.ReadAllText(path);
        Assert.DoesNotContain(email, text);
        Assert.Contains("\"email\": \"****\"", text);
        Assert.Contains("\"tier\": \"gold\"", text);

        var headerPath = _scratch.PathOf("header.json");
        await RecordingScratch.RecordAsync(headerPath, new ScriptedHandler().ThenRespond(HttpStatusCode.TooManyRequests, "{}", headers: headers => headers.TryAddWithoutValidation("Retry-After", "3600")),
            client => Assert.ThrowsAsync<HumanloopApiException>(() => client.CompleteAsync(RecordingScratch.Deployed())),
            options => options.ScrubFields.Add("Retry-After"));
        Assert.Contains("\"retry-after\": \"****\"", File.ReadAllText(headerPath));
    }

    [Fact]
    public async Task Patterns_are_masked_in_strings_text_bodies_headers_and_stream_events()
    {
        var path = _scratch.PathOf("patterns.json");
        var network = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.BadGateway, "<html><title>upstream ssn 123-45-6789</title></html>", "text/html")
            .ThenStream(ScriptedBody.Of(Event(Chunk(0, "ssn 987-65-4321", "stop"))));
        var request = RecordingScratch.Deployed("ssn 555-12-3456");

        await RecordingScratch.RecordAsync(path, network, async client =>
        {
            await Assert.ThrowsAsync<HumanloopApiException>(() => client.CompleteAsync(request));
            using var stream = await client.CompleteStreamingAsync(RecordingScratch.Deployed("stream"));
            while (await stream.ReadNextAsync() is not null)
            {
            }
        }, options => options.ScrubPatterns.Add(@"\d{3}-\d{2}-\d{4}"));

        var text = File.ReadAllText(path);
        Assert.DoesNotMatch(@"\d{3}-\d{2}-\d{4}", text);
        Assert.Contains("\"topic\": \"ssn ****\"", text);
        Assert.Contains("upstream ssn ****", text);
        Assert.Contains("ssn ****", text);
        var replayed = await Assert.ThrowsAsync<HumanloopApiException>(() => RecordingScratch.Client(RecordingScratch.Open(path, RecordingMode.Replay, configure: options => options.ScrubPatterns.Add(@"\d{3}-\d{2}-\d{4}"))).CompleteAsync(request));
        Assert.Equal(HttpStatusCode.BadGateway, replayed.StatusCode);
    }

    [Fact]
    public void An_invalid_pattern_is_rejected_by_name()
    {
        var options = new RecordingOptions { Mode = RecordingMode.Record };
        options.ScrubPatterns.Add("sk-[a-z");

        var error = Assert.Throws<ArgumentException>(() => RecordingTransport.Open(_scratch.PathOf("bad.json"), options));

        Assert.Contains("ScrubPatterns contains 'sk-[a-z', which is not a valid regular expression", error.Message);
    }
}
