using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Humanloop.Server.Domain;

/// <summary>
/// A key-order-independent JSON text and its SHA-256, so that two configs that differ only in the
/// order of their <c>other</c> keys deduplicate to one stored config.
/// </summary>
internal static class CanonicalJson
{
    public static string Write(JsonNode? node)
    {
        return Canonicalize(node)?.ToJsonString() ?? "null";
    }

    public static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static JsonNode? Canonicalize(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Canonicalize(p.Value)))),
        JsonArray array => new JsonArray(array.Select(Canonicalize).ToArray()),
        null => null,
        _ => node.DeepClone(),
    };
}
