using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Humanloop.Server.Domain;

namespace Humanloop.Server.Providers;

/// <summary>
/// The default provider: no network, deterministic text from <see cref="MockGenerator"/>. Streams
/// send one chunk per token, samples interleaved round-robin, with an optional delay per token
/// (<c>model_config.other.mock_token_delay_ms</c>, else the server's <c>--mock-token-delay-ms</c>).
/// </summary>
internal sealed class MockProvider(int defaultTokenDelayMs) : ICompletionProvider
{
    public const string TokenDelayOption = "mock_token_delay_ms";

    public Task<ProviderGeneration> GenerateAsync(ProviderCall call, CancellationToken cancellationToken)
    {
        var samples = GenerateAll(call);
        var generated = samples.Select(s => new GeneratedSample(s.Index, s.Sample.RawOutput, s.Sample.FinishReason, s.Sample.Chunks.Count)).ToList();
        var promptTokens = MockGenerator.CountTokens(call.Prompt);
        return Task.FromResult(new ProviderGeneration(generated, promptTokens, Request(call, stream: false), Response(call, generated, promptTokens), 0));
    }

    public Task<IProviderStream> OpenStreamAsync(ProviderCall call, CancellationToken cancellationToken)
    {
        var delay = call.Config.Other[TokenDelayOption] is JsonValue value && value.TryGetValue(out int perRequest) ? perRequest : defaultTokenDelayMs;
        return Task.FromResult<IProviderStream>(new MockStream(call, GenerateAll(call), Math.Max(0, delay)));
    }

    private static List<(int Index, MockSample Sample)> GenerateAll(ProviderCall call) =>
        call.SampleIndices.Select(i => (i, MockGenerator.Generate(call.Config, call.Prompt, i, call.RequestSeed))).ToList();

    private static JsonObject Request(ProviderCall call, bool stream) => new()
    {
        ["model"] = call.Config.Model,
        ["prompt"] = call.Prompt,
        ["n"] = call.SampleIndices.Count,
        ["temperature"] = call.Config.Temperature,
        ["top_p"] = call.Config.TopP,
        ["max_tokens"] = call.Config.MaxTokens,
        ["stop"] = call.Config.Stop?.DeepClone(),
        ["seed"] = call.Config.Seed ?? call.RequestSeed,
        ["stream"] = stream,
    };

    private static JsonObject Response(ProviderCall call, IReadOnlyList<GeneratedSample> samples, int promptTokens)
    {
        var generationTokens = samples.Sum(s => s.GenerationTokens);
        return new JsonObject
        {
            ["object"] = "mock.completion",
            ["model"] = call.Config.Model,
            ["rule"] = "mock-v1: echo of the prompt, then seeded vocabulary words",
            ["choices"] = new JsonArray(samples.Select(s => (JsonNode)new JsonObject
            {
                ["index"] = s.Index,
                ["finish_reason"] = s.FinishReason,
                ["generation_tokens"] = s.GenerationTokens,
            }).ToArray()),
            ["usage"] = new JsonObject
            {
                ["prompt_tokens"] = promptTokens,
                ["completion_tokens"] = generationTokens,
                ["total_tokens"] = promptTokens + generationTokens,
            },
        };
    }

    private sealed class MockStream(ProviderCall call, List<(int Index, MockSample Sample)> samples, int delayMs) : IProviderStream
    {
        public JsonObject ProviderRequest { get; } = Request(call, stream: true);

        public int PromptTokens { get; } = MockGenerator.CountTokens(call.Prompt);

        public JsonNode ProviderResponse => Response(call,
            samples.Select(s => new GeneratedSample(s.Index, s.Sample.RawOutput, s.Sample.FinishReason, s.Sample.Chunks.Count)).ToList(), PromptTokens);

        public async IAsyncEnumerable<StreamDelta> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            // Every sample sends at least one chunk, so an empty generation still reports its finish reason.
            var rounds = samples.Max(s => Math.Max(1, s.Sample.Chunks.Count));
            for (var round = 0; round < rounds; round++)
            {
                foreach (var (index, sample) in samples)
                {
                    var length = Math.Max(1, sample.Chunks.Count);
                    if (round >= length)
                    {
                        continue;
                    }

                    if (delayMs > 0)
                    {
                        await Task.Delay(delayMs, cancellationToken);
                    }

                    var text = sample.Chunks.Count == 0 ? "" : sample.Chunks[round];
                    var last = round == length - 1;
                    yield return new StreamDelta(index, text, last ? sample.FinishReason : null, last ? sample.Chunks.Count : null);
                }
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
