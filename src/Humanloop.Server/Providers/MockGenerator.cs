using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Humanloop.Server.Domain;

namespace Humanloop.Server.Providers;

/// <summary>
/// A mock generation: the text chunks (one per token, each a word with its leading space) or the
/// tool calls, and why it ended.
/// </summary>
internal sealed record MockSample(IReadOnlyList<string> Chunks, string FinishReason, IReadOnlyList<ToolCall> ToolCalls)
{
    /// <summary>Streamed tool-call arguments come in pieces of at most this many characters.</summary>
    public const int ArgumentFragmentLength = 6;

    public string RawOutput => string.Concat(Chunks);

    public static MockSample Calling(IReadOnlyList<ToolCall> calls) => new([], "tool_call", calls);

    /// <summary>
    /// What a stream sends, one event each: the text chunks, then each tool call's arguments in
    /// fragments, every fragment carrying the call's id and name. Also the generation token count.
    /// </summary>
    public IReadOnlyList<(string Text, ToolCall? Fragment)> Pieces()
    {
        var pieces = Chunks.Select(chunk => (chunk, (ToolCall?)null)).ToList();
        foreach (var call in ToolCalls)
        {
            pieces.AddRange(Fragments(call.Function.Arguments).Select(f => ("", (ToolCall?)ToolCall.Of(call.Id, call.Function.Name, f))));
        }

        return pieces;
    }

    private static IEnumerable<string> Fragments(string arguments)
    {
        var start = 0;
        do
        {
            var length = Math.Min(ArgumentFragmentLength, arguments.Length - start);
            // Never split a surrogate pair: each fragment must be valid UTF-16 text on its own.
            if (start + length < arguments.Length && char.IsHighSurrogate(arguments[start + length - 1]))
            {
                length--;
            }

            yield return arguments.Substring(start, length);
            start += length;
        }
        while (start < arguments.Length);
    }
}

/// <summary>
/// The mock provider's text, a pure function of the rendered prompt, the config and the sample
/// index, identical on every machine (SHA-256 and SplitMix64, no platform hashing). The rule is
/// documented in docs/server.md; change it only together with that page.
/// </summary>
internal static class MockGenerator
{
    private const string RuleVersion = "mock-v1";

    private static readonly string[] Vocabulary =
    [
        "the", "model", "answers", "with", "a", "clear", "and", "careful", "summary", "of", "each", "point",
        "data", "signal", "pattern", "shows", "that", "our", "test", "passes", "quickly", "today", "because", "every",
        "input", "matters", "here", "local", "server", "writes", "steady", "tokens", "for", "review", "next", "step",
        "simple", "result", "holds", "true", "under", "load", "so", "we", "keep", "going", "until", "done",
        "bright", "river", "stone", "window", "garden", "paper", "light", "music", "green", "quiet", "north", "harbor",
        "silver", "morning", "story", "bridge",
    ];

    public static int CountTokens(string text) =>
        text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    public static MockSample Generate(ModelConfigContent config, string prompt, int sampleIndex, int? requestSeed)
    {
        var random = new SplitMix64(SeedFor(config, prompt, sampleIndex, requestSeed));
        var tokens = new List<string> { "Echo:" };
        tokens.AddRange(prompt.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        var generated = 8 + (int)(random.Next() % 33);
        for (var i = 0; i < generated; i++)
        {
            tokens.Add(Vocabulary[random.Next() % (ulong)Vocabulary.Length]);
        }

        tokens[^1] += ".";
        return Limit(config, tokens);
    }

    /// <summary>A fixed text (its words, one token each), cut by the config's stop sequences and max_tokens like any answer.</summary>
    public static MockSample Say(ModelConfigContent config, string text) =>
        Limit(config, text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static MockSample Limit(ModelConfigContent config, IEnumerable<string> tokens)
    {
        var chunks = tokens.Select(t => " " + t).ToList();
        var finishReason = "stop";

        var cut = FirstStop(string.Concat(chunks), config.StopSequences);
        if (cut is not null)
        {
            chunks = CutAt(chunks, cut.Value);
        }

        if (config.MaxTokens > 0 && chunks.Count > config.MaxTokens)
        {
            chunks = chunks.Take(config.MaxTokens).ToList();
            finishReason = "length";
        }

        return new MockSample(chunks, finishReason, []);
    }

    /// <summary>
    /// Hash of everything that decides the text. At temperature 0 the sample index is left out, so
    /// all samples of a request are identical, as a greedy model's would be.
    /// </summary>
    private static ulong SeedFor(ModelConfigContent config, string prompt, int sampleIndex, int? requestSeed)
    {
        var seed = config.Seed ?? requestSeed ?? 0;
        var index = config.Temperature == 0 ? 0 : sampleIndex;
        var material = string.Join('\n',
            RuleVersion,
            config.Model,
            config.Temperature.ToString("R", CultureInfo.InvariantCulture),
            config.TopP.ToString("R", CultureInfo.InvariantCulture),
            seed.ToString(CultureInfo.InvariantCulture),
            index.ToString(CultureInfo.InvariantCulture),
            prompt);
        return BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(material)));
    }

    private static int? FirstStop(string text, IReadOnlyList<string> stops)
    {
        int? first = null;
        foreach (var stop in stops)
        {
            var at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (first is null || at < first))
            {
                first = at;
            }
        }

        return first;
    }

    /// <summary>Keeps the text before <paramref name="length"/> characters; the chunk that crosses it is shortened.</summary>
    private static List<string> CutAt(List<string> chunks, int length)
    {
        var kept = new List<string>();
        var used = 0;
        foreach (var chunk in chunks)
        {
            if (used + chunk.Length <= length)
            {
                kept.Add(chunk);
                used += chunk.Length;
                continue;
            }

            if (length > used)
            {
                kept.Add(chunk[..(length - used)]);
            }

            break;
        }

        return kept;
    }

    private struct SplitMix64(ulong state)
    {
        private ulong _state = state;

        public ulong Next()
        {
            _state += 0x9E3779B97F4A7C15UL;
            var z = _state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
