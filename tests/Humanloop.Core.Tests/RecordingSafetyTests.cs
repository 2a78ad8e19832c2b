using System.Net;
using Humanloop.Recording;
using Humanloop.Tests.Support;
using Xunit;

namespace Humanloop.Tests;

/// <summary>A recording run that went wrong never costs the fixture it would have replaced.</summary>
public sealed class RecordingSafetyTests : IDisposable
{
    private readonly RecordingScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    /// <summary>A fixture of three good exchanges, as a maintainer committed it; returns its bytes.</summary>
    private async Task<byte[]> RecordThreeGoodExchanges(string path)
    {
        var network = new ScriptedHandler();
        for (var i = 0; i < 3; i++)
        {
            network.ThenRespond(HttpStatusCode.OK, RecordingScratch.Success);
        }

        await RecordingScratch.RecordAsync(path, network, async client =>
        {
            foreach (var topic in new[] { "one", "two", "three" })
            {
                await client.CompleteAsync(RecordingScratch.Deployed(topic));
            }
        });
        return File.ReadAllBytes(path);
    }

    private static ScriptedHandler Rejecting(HttpStatusCode status, int times)
    {
        var network = new ScriptedHandler();
        for (var i = 0; i < times; i++)
        {
            network.ThenRespond(status, """{"detail":"Invalid API key."}""");
        }

        return network;
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    public async Task Record_with_a_rejected_key_keeps_the_fixture_it_would_replace(HttpStatusCode status)
    {
        var path = _scratch.PathOf("three.json");
        var before = await RecordThreeGoodExchanges(path);

        var summary = await RecordingScratch.RecordAsync(path, Rejecting(status, 3), async client =>
        {
            foreach (var topic in new[] { "one", "two", "three" })
            {
                await Assert.ThrowsAsync<HumanloopApiException>(() => client.CompleteAsync(RecordingScratch.Deployed(topic)));
            }
        });

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.False(summary.Saved);
        Assert.True(summary.Refused);
        Assert.Equal((3, 3), (summary.Recorded, summary.Exchanges));
        Assert.Contains($"{(int)status}", summary.NotSavedReason);
        Assert.Contains("3 exchange(s)", summary.NotSavedReason);
    }

    [Fact]
    public async Task Record_that_sent_nothing_keeps_the_fixture_instead_of_emptying_it()
    {
        var path = _scratch.PathOf("three.json");
        var before = await RecordThreeGoodExchanges(path);

        // As with no key: the client refuses before anything is sent, so nothing is recorded.
        var summary = RecordingScratch.Open(path, RecordingMode.Record, new NoNetwork()).Save();

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal((false, true, 0, 3), (summary.Saved, summary.Refused, summary.Recorded, summary.Exchanges));
        Assert.Contains("nothing was recorded", summary.NotSavedReason);
    }

    [Fact]
    public async Task Auto_that_got_a_401_adds_nothing_to_the_fixture()
    {
        var path = _scratch.PathOf("three.json");
        var before = await RecordThreeGoodExchanges(path);
        var transport = RecordingScratch.Open(path, RecordingMode.Auto, Rejecting(HttpStatusCode.Unauthorized, 1));

        await Assert.ThrowsAsync<HumanloopApiException>(() => RecordingScratch.Client(transport).CompleteAsync(RecordingScratch.Deployed("four")));
        var summary = transport.Save();

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal((false, true, 3), (summary.Saved, summary.Refused, summary.Exchanges));
    }

    [Fact]
    public async Task Record_may_write_a_401_into_a_new_fixture_on_purpose()
    {
        var path = _scratch.PathOf("unauthorized.json");

        var summary = await RecordingScratch.RecordAsync(path, Rejecting(HttpStatusCode.Unauthorized, 1), async client =>
            await Assert.ThrowsAsync<HumanloopApiException>(() => client.CompleteAsync(RecordingScratch.Deployed())));

        Assert.True(summary.Saved);
        Assert.Null(summary.NotSavedReason);
        Assert.Contains("\"status\": 401", File.ReadAllText(path));
    }

    [Fact]
    public async Task Saving_leaves_only_the_fixture_in_its_folder()
    {
        var path = _scratch.PathOf("alone.json");

        await RecordThreeGoodExchanges(path);
        await RecordThreeGoodExchanges(path);

        Assert.Equal(new[] { path }, Directory.GetFiles(_scratch.Folder));
    }

    [Fact]
    public async Task A_write_that_fails_before_the_rename_leaves_the_previous_file_and_no_temporary_file()
    {
        var path = _scratch.PathOf("kept.json");
        var before = await RecordThreeGoodExchanges(path);
        string? temporary = null;

        var error = Assert.Throws<HumanloopRecordingException>(() => FixtureFile.Save(path, "{ \"half\": ", written =>
        {
            temporary = written;
            throw new IOException("The disk went away.");
        }));

        Assert.Contains("The disk went away.", error.Message);
        Assert.Equal(_scratch.Folder, Path.GetDirectoryName(temporary));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(_scratch.Folder));
    }

    [Fact]
    public async Task Once_records_a_missing_fixture_then_only_replays_it()
    {
        var path = _scratch.PathOf("once.json");
        var first = RecordingScratch.Open(path, RecordingMode.Once, new ScriptedHandler().ThenRespond(HttpStatusCode.OK, RecordingScratch.Success));
        await RecordingScratch.Client(first).CompleteAsync(RecordingScratch.Deployed("old"));
        var recorded = first.Save();

        var second = RecordingScratch.Open(path, RecordingMode.Once, new NoNetwork());
        var client = RecordingScratch.Client(second, key: "any");
        var replayed = await client.CompleteAsync(RecordingScratch.Deployed("old"));
        var unknown = await Assert.ThrowsAsync<HumanloopRecordingException>(() => client.CompleteAsync(RecordingScratch.Deployed("new")));
        var summary = second.Save();

        Assert.Equal((RecordingMode.Record, 1, true), (first.EffectiveMode, recorded.Recorded, recorded.Saved));
        Assert.Equal((RecordingMode.Once, RecordingMode.Replay), (second.Mode, second.EffectiveMode));
        Assert.Equal("A limerick about AI.", replayed.Output);
        Assert.Contains("inputs.topic: recorded \"old\", sent \"new\"", unknown.Message);
        Assert.Equal((false, false, 1), (summary.Saved, summary.Refused, summary.Replayed));
        Assert.Contains("Once", summary.NotSavedReason);
    }

    [Fact]
    public async Task Requiring_every_exchange_to_be_used_names_the_unused_ones_after_the_save()
    {
        var path = _scratch.PathOf("three.json");
        await RecordThreeGoodExchanges(path);
        var transport = RecordingScratch.Open(path, RecordingMode.Replay, configure: options => options.RequireAllUsed = true);
        await RecordingScratch.Client(transport).CompleteAsync(RecordingScratch.Deployed("two"));

        var error = Assert.Throws<HumanloopRecordingException>(() => transport.Save());

        Assert.StartsWith($"2 of 3 recorded exchange(s) in {path} were never replayed, and the recording requires every one to be used:", error.Message);
        Assert.Contains("\n  exchange 1: POST /v4/completion-deployed {\"environment\":\"production\",\"inputs\":{\"topic\":\"one\"},", error.Message);
        Assert.Contains("\n  exchange 3: POST /v4/completion-deployed {", error.Message);
        Assert.DoesNotContain("exchange 2:", error.Message);
        Assert.Equal((1, 2), (error.Summary!.Replayed, error.Summary.Unused));
    }
}
