using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Humanloop.Server.Domain;

namespace Humanloop.Server.Providers;

/// <summary>
/// The default provider: no network, deterministic answers. A completion's text comes from
/// <see cref="MockGenerator"/> over the prompt; a chat's from the same generator over the transcript,
/// unless <see cref="MockToolRule"/> calls a tool or quotes tool results; either is graded by <see cref="MockGrader"/> when it is a grading request. Streams send one chunk per
/// token (or per tool-argument fragment), samples interleaved round-robin, with an optional delay
/// per chunk (<c>model_config.other.mock_token_delay_ms</c>, else the server's <c>--mock-token-delay-ms</c>).
/// </summary>
internal sealed class MockProvider(int defaultTokenDelayMs) : IModelProvider
{
    public const string TokenDelayOption = "mock_token_delay_ms";

    public Task<ProviderGeneration> GenerateAsync(ProviderCall call, CancellationToken cancellationToken)
    {
        var generated = Summaries(AnswerAll(call));
        var promptTokens = MockGenerator.CountTokens(Prompt(call));
        return Task.FromResult(new ProviderGeneration(generated, promptTokens, Request(call, stream: false), Response(call, generated, promptTokens), 0));
    }

    public Task<IProviderStream> OpenStreamAsync(ProviderCall call, CancellationToken cancellationToken)
    {
        var delay = call.Config.Other[TokenDelayOption] is JsonValue value && value.TryGetValue(out int perRequest) ? perRequest : defaultTokenDelayMs;
        return Task.FromResult<IProviderStream>(new MockStream(call, AnswerAll(call), Math.Max(0, delay)));
    }

    /// <summary>The text the mock reads: a completion's prompt as it is; a chat as its transcript.</summary>
    private static string Prompt(ProviderCall call) => call.Endpoint == ModelEndpoints.Chat
        ? MockToolRule.Transcript(call.Conversation.Messages)
        : string.Join('\n', call.Conversation.Messages.Select(m => m.Text));

    private static List<(int Index, MockSample Sample)> AnswerAll(ProviderCall call) =>
        call.SampleIndices.Select(i => (i, Answer(call, i))).ToList();

    private static MockSample Answer(ProviderCall call, int sampleIndex)
    {
        if (call.Endpoint == ModelEndpoints.Chat)
        {
            if (MockToolRule.ToolCalls(call.Conversation) is { Count: > 0 } calls)
            {
                return MockSample.Calling(calls);
            }

            if (MockToolRule.ToolResultQuote(call.Conversation.Messages) is { } quote)
            {
                return MockGenerator.Say(call.Config, quote);
            }
        }

        // A completion's prompt is its one user message, so an llm evaluator's prompt template is graded too.
        if (MockGrader.Verdict(call.Conversation.Messages) is { } verdict)
        {
            return MockGenerator.Say(call.Config, verdict);
        }

        return MockGenerator.Generate(call.Config, Prompt(call), sampleIndex, call.RequestSeed);
    }

    private static List<GeneratedSample> Summaries(IEnumerable<(int Index, MockSample Sample)> samples) =>
        samples.Select(s => new GeneratedSample(s.Index, s.Sample.RawOutput, s.Sample.ToolCalls, s.Sample.FinishReason, s.Sample.Pieces().Count)).ToList();

    private static JsonObject Request(ProviderCall call, bool stream)
    {
        var request = new JsonObject { ["model"] = call.Config.Model };
        var conversation = call.Conversation;
        if (call.Endpoint == ModelEndpoints.Chat)
        {
            request["messages"] = ChatMessage.ToJson(conversation.Messages);
            request["tools"] = new JsonArray(conversation.Tools.Select(t => (JsonNode)JsonValue.Create(t.Name)!).ToArray());
            request["tool_choice"] = conversation.ToolChoice?.ToJson();
            request["response_format"] = conversation.ResponseFormat?.DeepClone();
        }
        else
        {
            request["prompt"] = Prompt(call);
        }

        request["n"] = call.SampleIndices.Count;
        request["temperature"] = call.Config.Temperature;
        request["top_p"] = call.Config.TopP;
        request["max_tokens"] = call.Config.MaxTokens;
        request["stop"] = call.Config.Stop?.DeepClone();
        request["seed"] = call.Config.Seed ?? call.RequestSeed;
        request["stream"] = stream;
        return request;
    }

    private static JsonObject Response(ProviderCall call, IReadOnlyList<GeneratedSample> samples, int promptTokens)
    {
        var generationTokens = samples.Sum(s => s.GenerationTokens);
        var chat = call.Endpoint == ModelEndpoints.Chat;
        return new JsonObject
        {
            ["object"] = chat ? "mock.chat.completion" : "mock.completion",
            ["model"] = call.Config.Model,
            ["rule"] = chat
                ? "mock-v1 with mock-tools-v1: tool calls by the documented rule, else quoted tool results, else an echo of the transcript"
                : "mock-v1: echo of the prompt, then seeded vocabulary words",
            ["choices"] = new JsonArray(samples.Select(s => (JsonNode)new JsonObject
            {
                ["index"] = s.Index,
                ["finish_reason"] = s.FinishReason,
                ["generation_tokens"] = s.GenerationTokens,
                ["tool_calls"] = s.ToolCalls.Count == 0 ? null : new JsonArray(s.ToolCalls.Select(c => (JsonNode)JsonValue.Create(c.Function.Name)!).ToArray()),
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

        public int PromptTokens { get; } = MockGenerator.CountTokens(Prompt(call));

        public JsonNode ProviderResponse => Response(call, Summaries(samples), PromptTokens);

        public async IAsyncEnumerable<StreamDelta> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var pieces = samples.Select(s => (s.Index, s.Sample.FinishReason, Pieces: s.Sample.Pieces())).ToList();
            // Every sample sends at least one chunk, so an empty generation still reports its finish reason.
            var rounds = pieces.Max(s => Math.Max(1, s.Pieces.Count));
            for (var round = 0; round < rounds; round++)
            {
                foreach (var (index, finishReason, sample) in pieces)
                {
                    var length = Math.Max(1, sample.Count);
                    if (round >= length)
                    {
                        continue;
                    }

                    if (delayMs > 0)
                    {
                        await Task.Delay(delayMs, cancellationToken);
                    }

                    var (text, fragment) = sample.Count == 0 ? ("", null) : sample[round];
                    var last = round == length - 1;
                    yield return new StreamDelta(index, text, fragment is null ? [] : [fragment], last ? finishReason : null, last ? sample.Count : null);
                }
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
