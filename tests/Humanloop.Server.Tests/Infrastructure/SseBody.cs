using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json.Nodes;

namespace Humanloop.Server.Tests.Infrastructure;

/// <summary>
/// Reads the server's SSE bodies with the framework's <see cref="SseParser"/>, then holds the
/// server to its own strict framing: every event exactly <c>data: </c> + one line of JSON + a blank
/// line, with nothing else in the body (no comments, ids, event names, CRs or multi-line data).
/// Writing the parsed events back in that framing must give the body again.
/// </summary>
internal static class SseBody
{
    public static IReadOnlyList<string> EventPayloads(string body)
    {
        var payloads = SseParser.Create(new MemoryStream(Encoding.UTF8.GetBytes(body))).Enumerate().Select(e => e.Data).ToList();
        Assert.Equal(body, string.Concat(payloads.Select(p => "data: " + p + "\n\n")));
        return payloads;
    }

    public static IReadOnlyList<JsonObject> Events(string body) =>
        EventPayloads(body).Select(p => JsonNode.Parse(p)!.AsObject()).ToList();
}
