using System.Net;
using Humanloop.Tests.Support;
using Xunit;
using static Humanloop.Tests.Support.TestClients;

namespace Humanloop.Tests;

/// <summary>Results carry how long the call took, from the first byte sent to the last byte read.</summary>
public class DurationTests
{
    [Fact]
    public async Task A_whole_response_counts_the_wait_for_the_server()
    {
        var handler = new ScriptedHandler().Then(async (_, token) =>
        {
            await Task.Delay(200, token);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(Success) };
        });

        var response = await Create(handler).CompleteAsync(new CompletionDeployedRequest { ProjectId = "pr_1" });

        Assert.InRange(response.Duration, TimeSpan.FromMilliseconds(190), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_stream_counts_until_its_last_event()
    {
        var body = new ScriptedBody().Text(Event(Chunk(0, "a"))).Pause(TimeSpan.FromMilliseconds(250)).Text(Event(Chunk(0, "b", "stop")));
        using var stream = await Create(new ScriptedHandler().ThenStream(body)).CompleteStreamingAsync(new CompletionDeployedRequest { ProjectId = "pr_1" });
        while (await stream.ReadNextAsync() is not null)
        {
        }

        Assert.InRange(stream.Result.Duration, TimeSpan.FromMilliseconds(240), TimeSpan.FromSeconds(30));
    }
}
