using System.Text.Json.Nodes;

namespace Humanloop.Server.Tests.Infrastructure;

/// <summary>
/// A deliberately strict reader of the server's SSE framing: every event must be exactly
/// <c>data: </c> + one line of JSON + a blank line, with nothing else in the body.
/// </summary>
internal static class SseParser
{
    public static IReadOnlyList<string> EventPayloads(string body)
    {
        var payloads = new List<string>();
        var rest = body;
        while (rest.Length > 0)
        {
            Assert.StartsWith("data: ", rest);
            var end = rest.IndexOf("\n\n", StringComparison.Ordinal);
            Assert.True(end > 0, $"Event without a terminating blank line: {rest}");
            var payload = rest["data: ".Length..end];
            Assert.DoesNotContain('\n', payload);
            Assert.DoesNotContain('\r', payload);
            payloads.Add(payload);
            rest = rest[(end + 2)..];
        }

        return payloads;
    }

    public static IReadOnlyList<JsonObject> Events(string body) =>
        EventPayloads(body).Select(p => JsonNode.Parse(p)!.AsObject()).ToList();
}
