using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Humanloop.Http;
using Humanloop.Streaming;
using Humanloop.Tests.Support;
using Xunit;

namespace Humanloop.Tests;

/// <summary>
/// Seeded-random property tests of everything that reads bytes from the network: the SSE decoder, the
/// completion stream, the non-streaming JSON path and the error-body parser. Every case has its own seed,
/// derived from the test's base seed and the case number, and a failure names it, so any failure can be
/// replayed alone with <see cref="Case"/>. No new packages: plain <see cref="Random"/> with fixed seeds.
/// </summary>
public class PropertyTests
{
    // Each read gets a per-case deadline far above what a case needs, so a hang fails instead of stalling the suite.
    private static readonly TimeSpan CaseDeadline = TimeSpan.FromSeconds(10);

    // ------------------------------------------------------------------------------------------------
    // SseDecoder
    // ------------------------------------------------------------------------------------------------

    [Fact]
    public void Valid_sse_streams_decode_to_the_generated_events_however_they_are_split()
    {
        ForEachCase(baseSeed: 1_000, count: 1_500, (random, seed) =>
        {
            var stream = SseStreamGenerator.Generate(random);
            var decoded = DecodeInPieces(stream.Bytes, RandomCuts(random, stream.Bytes.Length));

            Check.That(decoded.Pending is null, seed, stream.Bytes, $"a clean stream left a pending event: {decoded.Pending}");
            Check.Equal(stream.Expected, decoded.Events, seed, stream.Bytes, "the decoded events differ from the generated ones");
        });
    }

    [Fact]
    public void Random_bytes_never_throw_and_decode_the_same_whole_or_split()
    {
        ForEachCase(baseSeed: 2_000, count: 2_000, (random, seed) =>
        {
            var bytes = RandomSseishBytes(random, random.Next(0, 400));
            AssertSplitInvariant(random, seed, bytes);
        });
    }

    [Fact]
    public void Mutated_sse_streams_never_throw_and_decode_the_same_whole_or_split()
    {
        ForEachCase(baseSeed: 3_000, count: 2_000, (random, seed) =>
        {
            var stream = SseStreamGenerator.Generate(random);
            var bytes = ByteMutator.Mutate(random, stream.Bytes, stream.EventRanges, 1 + random.Next(4));
            AssertSplitInvariant(random, seed, bytes);
        });
    }

    private static void AssertSplitInvariant(Random random, int seed, byte[] bytes)
    {
        var whole = DecodeInPieces(bytes, []);
        var split = DecodeInPieces(bytes, RandomCuts(random, bytes.Length));
        var byteByByte = DecodeInPieces(bytes, Enumerable.Range(1, Math.Max(0, bytes.Length - 1)).ToArray());

        Check.Equal(whole.Events, split.Events, seed, bytes, "random split changed the events");
        Check.Equal(whole.Events, byteByByte.Events, seed, bytes, "byte-by-byte feeding changed the events");
        Check.That(whole.Pending == split.Pending && whole.Pending == byteByByte.Pending, seed, bytes, "splitting changed the pending text");

        // A CR always ends a line, so no dispatched data can contain one.
        Check.That(whole.Events.All(e => e.Data.IndexOf('\r') < 0), seed, bytes, "event data contains a CR");
    }

    private static (List<DecodedEvent> Events, string? Pending) DecodeInPieces(byte[] bytes, int[] cuts)
    {
        var decoder = new SseDecoder();
        var events = new List<SseEvent>();
        var start = 0;
        foreach (var cut in cuts.Append(bytes.Length))
        {
            decoder.Feed(bytes, start, cut - start, events);
            start = cut;
        }

        var pending = decoder.Finish();
        return (events.Select(e => new DecodedEvent(e.Data)).ToList(), pending);
    }

    // ------------------------------------------------------------------------------------------------
    // CompletionStream
    // ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Valid_completion_streams_deliver_every_delta_and_assemble_them_per_sample()
    {
        await ForEachCaseAsync(baseSeed: 4_000, count: 400, async (random, seed) =>
        {
            var stream = CompletionStreamGenerator.Generate(random);
            var outcome = await ReadStream(stream.Bytes, RandomCuts(random, stream.Bytes.Length), stream.SampleCount, faults: null);

            Check.That(outcome.Error is null, seed, stream.Bytes, $"a valid stream failed: {outcome.Error}");
            var delivered = outcome.Chunks.Select(c => new ExpectedChunk(c.Index, c.Output, c.FinishReason)).ToList();
            Check.Equal(stream.Chunks, delivered, seed, stream.Bytes, "the delivered chunks differ from the generated ones");

            var result = outcome.Result!;
            Check.Equal(Enumerable.Range(0, stream.SampleCount).ToList(), result.Data.Select(d => d.Index).ToList(), seed, stream.Bytes, "the assembled samples");
            foreach (var sample in result.Data)
            {
                var deltas = string.Concat(stream.Chunks.Where(c => c.Index == sample.Index).Select(c => c.Output));
                Check.That(sample.RawOutput == deltas, seed, stream.Bytes, $"sample {sample.Index}: raw output '{sample.RawOutput}' is not the concatenated deltas '{deltas}'");
                Check.That(sample.Output == deltas.Trim(), seed, stream.Bytes, $"sample {sample.Index}: output '{sample.Output}' is not the trimmed deltas");
                Check.That(sample.FinishReason == stream.Chunks.Last(c => c.Index == sample.Index).FinishReason, seed, stream.Bytes, $"sample {sample.Index}: wrong finish reason");
                Check.That(sample.Id == CompletionStreamGenerator.SampleId(sample.Index), seed, stream.Bytes, $"sample {sample.Index}: wrong id {sample.Id}");
            }
        });
    }

    [Fact]
    public async Task Mutated_completion_streams_end_in_a_consistent_result_or_a_humanloop_error()
    {
        var outcomes = new Dictionary<string, int>();
        await ForEachCaseAsync(baseSeed: 5_000, count: 600, async (random, seed) =>
        {
            var stream = CompletionStreamGenerator.Generate(random, mutateJson: random.Next(2) == 0);
            var bytes = random.Next(4) == 0 ? stream.Bytes : ByteMutator.Mutate(random, stream.Bytes, stream.EventRanges, 1 + random.Next(3));
            var faults = TransportFault.Pick(random, bytes.Length);
            var outcome = await ReadStream(bytes, RandomCuts(random, bytes.Length), stream.SampleCount, faults);
            Tally(outcomes, outcome.Error?.GetType().Name ?? "success");

            switch (outcome.Error)
            {
                case null:
                    AssertConsistentResult(outcome, stream.SampleCount, seed, bytes);
                    break;
                case HumanloopStreamException streamError:
                    Check.That(streamError.ChunksDelivered == outcome.Chunks.Count, seed, bytes, $"the error says {streamError.ChunksDelivered} chunks were delivered, but {outcome.Chunks.Count} were");
                    break;
                case HumanloopTimeoutException:
                    Check.That(faults?.Kind == TransportFaultKind.Stall, seed, bytes, "an idle timeout without a stall");
                    break;
                default:
                    Check.Fail(seed, bytes, $"the stream failed with {outcome.Error.GetType().FullName}, not a Humanloop stream or timeout error: {outcome.Error}");
                    break;
            }

            // A connection lost before the last event's data arrived must never pass as a complete result.
            if (faults is not null && bytes == stream.Bytes && faults.Offset < stream.LastEventJsonEnd)
            {
                Check.That(outcome.Error is not null, seed, bytes, $"a stream that hit a {faults.Kind} at byte {faults.Offset} ended without an error");
            }
        });

        // The mutations must leave enough streams intact, and break enough, for both branches to be tested.
        AssertCovered(outcomes, "success", nameof(HumanloopStreamException), nameof(HumanloopTimeoutException));
    }

    [Fact]
    public async Task Truncating_a_valid_stream_anywhere_before_its_last_event_is_always_an_error()
    {
        await ForEachCaseAsync(baseSeed: 6_000, count: 300, async (random, seed) =>
        {
            var stream = CompletionStreamGenerator.Generate(random);

            // Cut strictly before the final event's JSON ends: at least one sample cannot have finished.
            var lastEventDataEnd = stream.LastEventJsonEnd;
            var bytes = stream.Bytes.AsSpan(0, random.Next(0, lastEventDataEnd)).ToArray();
            var outcome = await ReadStream(bytes, RandomCuts(random, bytes.Length), stream.SampleCount, faults: null);

            Check.That(outcome.Error is HumanloopStreamException, seed, bytes, $"a truncated stream ended with {outcome.Error?.GetType().Name ?? "success"}");
        });
    }

    private static void AssertConsistentResult(StreamOutcome outcome, int sampleCount, int seed, byte[] bytes)
    {
        var result = outcome.Result;
        Check.That(result is not null, seed, bytes, "no result after a clean end");
        var delivered = outcome.Chunks.GroupBy(c => c.Index).ToDictionary(g => g.Key, g => g.ToList());
        for (var index = 0; index < sampleCount; index++)
        {
            Check.That(delivered.ContainsKey(index), seed, bytes, $"sample {index} had no chunk, yet the stream ended cleanly");
        }

        foreach (var sample in result!.Data)
        {
            var chunks = delivered[sample.Index];
            var text = string.Concat(chunks.Select(c => c.Output));
            Check.That(sample.Output == text.Trim(), seed, bytes, $"sample {sample.Index}: output '{sample.Output}' is not the delivered deltas '{text}'");
            Check.That(sample.FinishReason is not null, seed, bytes, $"sample {sample.Index} has no finish reason, yet the stream ended cleanly");
            Check.That(chunks.Any(c => c.FinishReason is not null), seed, bytes, $"sample {sample.Index} finished without a chunk saying so");
        }
    }

    private sealed record StreamOutcome(List<CompletionChunk> Chunks, CompletionResponse? Result, Exception? Error);

    private static async Task<StreamOutcome> ReadStream(byte[] bytes, int[] cuts, int sampleCount, TransportFault? faults)
    {
        // The body is the bytes in pieces, up to the fault's offset when there is one, then the fault.
        var end = faults?.Offset ?? bytes.Length;
        var body = new ScriptedBody();
        var start = 0;
        foreach (var cut in cuts.Where(c => c < end).Append(end))
        {
            body.Bytes(bytes[start..cut]);
            start = cut;
        }

        _ = faults?.Kind switch
        {
            TransportFaultKind.Reset => body.Reset(),
            TransportFaultKind.Stall => body.Stall(),
            _ => body,
        };

        var client = TestClients.Create(new ScriptedHandler().ThenStream(body), maxRetries: 0, configure: options =>
        {
            // Short enough that a stalled case costs little; reads of the scripted body finish at once otherwise.
            options.StreamIdleTimeout = faults?.Kind == TransportFaultKind.Stall ? TimeSpan.FromMilliseconds(60) : TimeSpan.FromSeconds(5);
        });
        var chunks = new List<CompletionChunk>();
        var request = new CompletionDeployedRequest { ProjectId = "pr_1", NumSamples = sampleCount == 1 ? null : sampleCount };
        using var stream = await client.CompleteStreamingAsync(request).WaitAsync(CaseDeadline);
        try
        {
            while (await stream.ReadNextAsync().WaitAsync(CaseDeadline) is { } chunk)
            {
                chunks.Add(chunk);
            }

            return new StreamOutcome(chunks, stream.Result, null);
        }
        catch (TimeoutException hang)
        {
            throw new InvalidOperationException($"The stream hung: no outcome within {CaseDeadline.TotalSeconds} s.", hang);
        }
        catch (Exception exception)
        {
            return new StreamOutcome(chunks, null, exception);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Non-streaming completions and error bodies
    // ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Valid_completion_responses_parse_into_the_generated_values()
    {
        await ForEachCaseAsync(baseSeed: 7_000, count: 400, async (random, seed) =>
        {
            var model = CompletionResponseGenerator.Generate(random);
            var bytes = Encoding.UTF8.GetBytes(JsonText.Write(model.Json, random));
            var (result, error) = await Complete(bytes, HttpStatusCode.OK, "application/json");

            Check.That(error is null, seed, bytes, $"a valid response failed: {error}");
            Check.Equal(model.Samples, result!.Data.Select(d => new ExpectedSample(d.Index, d.Id, d.Output, d.FinishReason)).ToList(), seed, bytes, "the parsed samples");
            Check.That(result.Usage?.TotalTokens == model.TotalTokens, seed, bytes, "the parsed usage");
            Check.Equal(model.MetadataKeys, result.Metadata?.Keys.Cast<string>().ToList() ?? [], seed, bytes, "the metadata keys");
        });
    }

    [Fact]
    public async Task Mutated_completion_responses_parse_or_fail_with_a_response_error()
    {
        var outcomes = new Dictionary<string, int>();
        await ForEachCaseAsync(baseSeed: 8_000, count: 1_200, async (random, seed) =>
        {
            var model = CompletionResponseGenerator.Generate(random);
            for (var mutations = random.Next(1, 4); mutations > 0; mutations--)
            {
                JsonMutator.Mutate(random, model.Json);
            }

            var bytes = Encoding.UTF8.GetBytes(JsonText.Write(model.Json, random));
            if (random.Next(3) == 0)
            {
                bytes = ByteMutator.Mutate(random, bytes, [], 1 + random.Next(2));
            }

            var contentType = random.Next(5) == 0 ? "text/html" : "application/json";
            var (result, error) = await Complete(bytes, HttpStatusCode.OK, contentType);
            Tally(outcomes, error?.GetType().Name ?? "success");
            switch (error)
            {
                case null:
                    // What the cmdlets and PowerShell's formatter read must be readable.
                    Check.That(result!.ToString() is not null && result.Data.All(d => d.ToString() is not null), seed, bytes, "the result cannot be shown");
                    break;
                case HumanloopResponseException responseError:
                    Check.That(responseError.RawBody is not null && responseError.RawBody.Length <= 4000, seed, bytes, "the error does not carry the (bounded) raw body");
                    break;
                default:
                    Check.Fail(seed, bytes, $"parsing failed with {error.GetType().FullName}, not a HumanloopResponseException: {error}");
                    break;
            }
        });

        AssertCovered(outcomes, "success", nameof(HumanloopResponseException));
    }

    [Fact]
    public async Task Random_and_mutated_error_bodies_become_api_errors_with_the_status()
    {
        HttpStatusCode[] statuses = [HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized, HttpStatusCode.NotFound, HttpStatusCode.Conflict, HttpStatusCode.UnprocessableEntity, HttpStatusCode.TooManyRequests, HttpStatusCode.InternalServerError, HttpStatusCode.BadGateway];
        await ForEachCaseAsync(baseSeed: 9_000, count: 1_200, async (random, seed) =>
        {
            var bytes = ErrorBodyGenerator.Generate(random);
            var status = statuses[random.Next(statuses.Length)];
            var contentType = random.Next(4) switch { 0 => "text/html", 1 => "text/plain", _ => "application/json" };

            var (_, error) = await Complete(bytes, status, contentType);

            if (error is not HumanloopApiException apiError)
            {
                Check.Fail(seed, bytes, $"an error body gave {error?.GetType().FullName ?? "success"}, not a HumanloopApiException: {error}");
                return;
            }

            Check.That(apiError.StatusCode == status && apiError.Attempts == 1, seed, bytes, $"status {apiError.StatusCode} after {apiError.Attempts} attempt(s)");
            Check.That(apiError.Detail.Message is not null && apiError.Message.Contains(((int)status).ToString(), StringComparison.Ordinal), seed, bytes, $"message '{apiError.Message}'");
            Check.That(apiError.Detail.RawBody is null || apiError.Detail.RawBody.Length <= 4001, seed, bytes, "the raw body is not bounded");
        });
    }

    [Fact]
    public void The_error_body_parser_never_throws_on_random_bytes()
    {
        ForEachCase(baseSeed: 10_000, count: 2_000, (random, seed) =>
        {
            var bytes = random.Next(2) == 0 ? ErrorBodyGenerator.Generate(random) : RandomJsonishBytes(random, random.Next(0, 200));
            var detail = ErrorResponseParser.ParseDetail(random.Next(2) == 0 ? "application/json" : null, bytes);

            Check.That(detail.Message is not null && detail.ValidationErrors is not null, seed, bytes, "the detail is incomplete");
        });
    }

    private static async Task<(CompletionResponse? Result, Exception? Error)> Complete(byte[] body, HttpStatusCode status, string contentType)
    {
        var handler = new ScriptedHandler().Then((_, _) =>
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            return Task.FromResult(new HttpResponseMessage(status) { Content = content });
        });
        var client = TestClients.Create(handler, maxRetries: 0);
        try
        {
            return (await client.CompleteAsync(new CompletionDeployedRequest { ProjectId = "pr_1" }).WaitAsync(CaseDeadline), null);
        }
        catch (TimeoutException hang)
        {
            throw new InvalidOperationException($"The request hung: no outcome within {CaseDeadline.TotalSeconds} s.", hang);
        }
        catch (Exception exception)
        {
            return (null, exception);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Case runner and checks
    // ------------------------------------------------------------------------------------------------

    /// <summary>Replays one case by its seed; handy while debugging a reported failure.</summary>
    internal static Random Case(int seed) => new(seed);

    private static void ForEachCase(int baseSeed, int count, Action<Random, int> body) =>
        ForEachCaseAsync(baseSeed, count, (random, seed) =>
        {
            body(random, seed);
            return Task.CompletedTask;
        }).GetAwaiter().GetResult();

    private static async Task ForEachCaseAsync(int baseSeed, int count, Func<Random, int, Task> body)
    {
        for (var i = 0; i < count; i++)
        {
            var seed = baseSeed + i;
            try
            {
                await body(Case(seed), seed);
            }
            catch (PropertyFailedException)
            {
                throw;
            }
            catch (Exception exception)
            {
                throw new PropertyFailedException($"Case seed {seed} threw {exception.GetType().FullName}: {exception.Message}", exception);
            }
        }
    }

    private static void Tally(Dictionary<string, int> outcomes, string outcome) =>
        outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;

    private static void AssertCovered(Dictionary<string, int> outcomes, params string[] expected)
    {
        var tally = string.Join(", ", outcomes.Select(pair => $"{pair.Key} {pair.Value}"));
        foreach (var outcome in expected)
        {
            Assert.True(outcomes.GetValueOrDefault(outcome) >= 5, $"Too few cases ended in {outcome} for the property to mean much: {tally}");
        }
    }

    private sealed class PropertyFailedException(string message, Exception? inner = null) : Exception(message, inner);

    private static class Check
    {
        public static void That(bool condition, int seed, byte[] input, string what)
        {
            if (!condition)
            {
                Fail(seed, input, what);
            }
        }

        public static void Equal<T>(IReadOnlyList<T> expected, IReadOnlyList<T> actual, int seed, byte[] input, string what)
        {
            if (expected.SequenceEqual(actual))
            {
                return;
            }

            var firstDifference = Enumerable.Range(0, Math.Min(expected.Count, actual.Count)).FirstOrDefault(i => !Equals(expected[i], actual[i]), Math.Min(expected.Count, actual.Count));
            Fail(seed, input, $"{what}: {expected.Count} expected, {actual.Count} actual; first difference at {firstDifference}: " +
                $"expected {(firstDifference < expected.Count ? expected[firstDifference] : "(none)")}, actual {(firstDifference < actual.Count ? actual[firstDifference] : "(none)")}");
        }

        public static void Fail(int seed, byte[] input, string what) =>
            throw new PropertyFailedException($"Property failed for case seed {seed}: {what}\nInput ({input.Length} bytes): {Escape(input)}");

        private static string Escape(byte[] input)
        {
            var text = new StringBuilder();
            foreach (var value in input.Take(2_000))
            {
                text.Append(value switch
                {
                    (byte)'\n' => "\\n",
                    (byte)'\r' => "\\r",
                    (byte)'\\' => "\\\\",
                    >= 0x20 and < 0x7F => ((char)value).ToString(),
                    _ => $"\\x{value:X2}",
                });
            }

            return input.Length > 2_000 ? text.Append("…").ToString() : text.ToString();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Generators
    // ------------------------------------------------------------------------------------------------

    /// <summary>Cut points for feeding bytes in pieces: none, a few, or many (every byte is tested separately).</summary>
    private static int[] RandomCuts(Random random, int length)
    {
        if (length <= 1)
        {
            return [];
        }

        var count = random.Next(4) switch
        {
            0 => 0,
            1 => random.Next(1, 3),
            2 => random.Next(1, Math.Min(length, 20)),
            _ => random.Next(1, length),
        };
        return Enumerable.Range(0, count).Select(_ => random.Next(1, length)).Distinct().Order().ToArray();
    }

    private static readonly byte[][] SseFragments =
        [.. new[] { "data", "data:", "data: ", "event:", "id:", "retry:", ":", " ", "{", "}", "\"", "x", "é", "🎉", "[DONE]" }.Select(Encoding.UTF8.GetBytes),
         [(byte)'\n'], [(byte)'\r'], [(byte)'\r', (byte)'\n'], [0xEF, 0xBB, 0xBF], [0xFF], [0xC3], [0xF0, 0x9F], [0x00]];

    /// <summary>Bytes drawn mostly from the pieces SSE is made of, so random input still reaches every branch.</summary>
    private static byte[] RandomSseishBytes(Random random, int length)
    {
        var bytes = new List<byte>(length);
        while (bytes.Count < length)
        {
            if (random.Next(4) == 0)
            {
                bytes.Add((byte)random.Next(256));
            }
            else
            {
                bytes.AddRange(SseFragments[random.Next(SseFragments.Length)]);
            }
        }

        return bytes.ToArray();
    }

    private static readonly byte[][] JsonFragments =
        [.. new[] { "{", "}", "[", "]", ":", ",", "\"", "\"detail\"", "\"error\"", "\"message\"", "\"loc\"", "\"msg\"", "null", "1", "-0", "1e400", "true", "<title>", "</title>", "\\u00", "\\" }.Select(Encoding.UTF8.GetBytes),
         [0xEF, 0xBB, 0xBF], [0xFF], [0xC3], [0x00]];

    private static byte[] RandomJsonishBytes(Random random, int length)
    {
        var bytes = new List<byte>(length);
        while (bytes.Count < length)
        {
            if (random.Next(4) == 0)
            {
                bytes.Add((byte)random.Next(256));
            }
            else
            {
                bytes.AddRange(JsonFragments[random.Next(JsonFragments.Length)]);
            }
        }

        return bytes.ToArray();
    }

    /// <summary>Random text with multi-byte characters (never a lone surrogate) and JSON-hostile ones.</summary>
    private static string RandomText(Random random, int maxLength, bool allowLineBreaks)
    {
        string[] pieces = ["a", "b", "z", "Q", "0", " ", " ", "  ", ".", ",", "\"", "\\", ":", "{", "}", "/", "é", "ß", "日本", "🎉", "\t", "\u00A0", "\u2028", "\0"];
        var text = new StringBuilder();
        var length = random.Next(0, maxLength + 1);
        while (text.Length < length)
        {
            text.Append(allowLineBreaks && random.Next(12) == 0 ? (random.Next(2) == 0 ? "\n" : "\r\n") : pieces[random.Next(pieces.Length)]);
        }

        return text.ToString();
    }

    private sealed record DecodedEvent(string Data);

    private sealed record GeneratedSseStream(byte[] Bytes, List<DecodedEvent> Expected, List<(int Start, int End)> EventRanges);

    /// <summary>
    /// Writes SSE streams from a model of the format (fields, comments, unknown fields, BOM, every line
    /// ending) and says which events a correct decoder dispatches, independently of the decoder.
    /// </summary>
    private static class SseStreamGenerator
    {
        public static GeneratedSseStream Generate(Random random)
        {
            var bytes = new List<byte>();
            var expected = new List<DecodedEvent>();
            var ranges = new List<(int, int)>();
            var previousEnding = "";
            string? lastId = null;

            void WriteLine(string line)
            {
                // A CR followed by LF is one line ending, so an empty line after a CR must not end in LF alone.
                string[] endings = previousEnding == "\r" && line.Length == 0 ? ["\r", "\r\n"] : ["\n", "\r\n", "\r"];
                previousEnding = endings[random.Next(endings.Length)];
                bytes.AddRange(Encoding.UTF8.GetBytes(line + previousEnding));
            }

            if (random.Next(5) == 0)
            {
                bytes.AddRange(new byte[] { 0xEF, 0xBB, 0xBF });
            }

            for (var eventCount = random.Next(0, 6); eventCount > 0; eventCount--)
            {
                var start = bytes.Count;
                string? eventType = null;
                var dataLines = new List<string>();
                for (var fieldCount = random.Next(1, 6); fieldCount > 0; fieldCount--)
                {
                    switch (random.Next(10))
                    {
                        case 0:
                            WriteLine(":" + RandomText(random, 20, allowLineBreaks: false));
                            break;
                        case 1:
                            eventType = RandomText(random, 8, allowLineBreaks: false);
                            WriteLine("event: " + eventType);
                            break;
                        case 2:
                            // As for data, one space after the colon is dropped, so a value that starts with one needs it.
                            var id = RandomText(random, 8, allowLineBreaks: false);
                            WriteLine((id.StartsWith(' ') || random.Next(2) == 0 ? "id: " : "id:") + id);
                            if (!id.Contains('\0'))
                            {
                                lastId = id;
                            }

                            break;
                        case 3:
                            WriteLine(random.Next(2) == 0 ? "retry: 1000" : "x-unknown: " + RandomText(random, 8, allowLineBreaks: false));
                            break;
                        case 4:
                            // A field name alone is that field with an empty value.
                            WriteLine("data");
                            dataLines.Add("");
                            break;
                        default:
                            var value = RandomText(random, 40, allowLineBreaks: false);
                            var withSpace = value.StartsWith(' ') || random.Next(2) == 0;
                            WriteLine((withSpace ? "data: " : "data:") + value);
                            dataLines.Add(value);
                            break;
                    }
                }

                WriteLine("");
                if (random.Next(6) == 0)
                {
                    WriteLine("");
                }

                ranges.Add((start, bytes.Count));
                if (dataLines.Count > 0)
                {
                    expected.Add(new DecodedEvent(string.Join("\n", dataLines)));
                }
            }

            return new GeneratedSseStream(bytes.ToArray(), expected, ranges);
        }
    }

    /// <summary>Byte-level damage: flips, truncation, deletions, stray line breaks and colons, bad UTF-8, repeated events.</summary>
    private static class ByteMutator
    {
        private static readonly byte[][] Insertions =
            [.. new[] { "\r", "\n", "\r\n", "\n\n", ":", ":x\n", "data:", "data: [DONE]\n\n", "data: {}\n\n", "data: {\"detail\":\"boom\"}\n\n", "event: error\n" }.Select(Encoding.UTF8.GetBytes),
             [0xFF], [0xC3], [0xEF, 0xBB, 0xBF], [0x00]];

        public static byte[] Mutate(Random random, byte[] input, List<(int Start, int End)> eventRanges, int count)
        {
            var bytes = input.ToList();
            for (var i = 0; i < count; i++)
            {
                var position = random.Next(bytes.Count + 1);
                switch (random.Next(7))
                {
                    case 0 when bytes.Count > 0:
                        var flipAt = random.Next(bytes.Count);
                        bytes[flipAt] = random.Next(2) == 0 ? (byte)(bytes[flipAt] ^ (1 << random.Next(8))) : (byte)random.Next(256);
                        break;
                    case 1:
                        bytes.RemoveRange(position, bytes.Count - position);
                        break;
                    case 2 when bytes.Count > 0:
                        var length = Math.Min(random.Next(1, 16), bytes.Count - position);
                        bytes.RemoveRange(position, length);
                        break;
                    case 3 when eventRanges.Count > 0:
                        // Repeat a whole event (the ranges refer to the original, which stays a fine source).
                        var (start, end) = eventRanges[random.Next(eventRanges.Count)];
                        bytes.InsertRange(Math.Min(end, bytes.Count), input[start..end]);
                        break;
                    default:
                        bytes.InsertRange(position, Insertions[random.Next(Insertions.Length)]);
                        break;
                }
            }

            return bytes.ToArray();
        }
    }

    private sealed record ExpectedChunk(int Index, string Output, string? FinishReason);

    private sealed record GeneratedCompletionStream(byte[] Bytes, int SampleCount, List<ExpectedChunk> Chunks, List<(int Start, int End)> EventRanges, int LastEventJsonEnd);

    /// <summary>v4 completion streams: 1–3 interleaved samples, random deltas, every sample ending with a finish reason.</summary>
    private static class CompletionStreamGenerator
    {
        public static string SampleId(int index) => $"data_{index}";

        public static GeneratedCompletionStream Generate(Random random, bool mutateJson = false)
        {
            var sampleCount = random.Next(1, 4);
            var remaining = Enumerable.Range(0, sampleCount).Select(_ => random.Next(1, 7)).ToArray();
            var chunks = new List<ExpectedChunk>();
            while (remaining.Any(r => r > 0))
            {
                var candidates = Enumerable.Range(0, sampleCount).Where(i => remaining[i] > 0).ToArray();
                var index = candidates[random.Next(candidates.Length)];
                remaining[index]--;
                var finish = remaining[index] == 0 ? new[] { "stop", "length", "tool_call" }[random.Next(3)] : null;
                chunks.Add(new ExpectedChunk(index, RandomText(random, 12, allowLineBreaks: true), finish));
            }

            var bytes = new List<byte>();
            var ranges = new List<(int, int)>();
            var lastEventJsonEnd = 0;
            var newline = new[] { "\n", "\r\n" }[random.Next(2)];
            foreach (var chunk in chunks)
            {
                if (random.Next(8) == 0)
                {
                    bytes.AddRange(Encoding.UTF8.GetBytes(": keep-alive" + newline + newline));
                }

                var json = ChunkJson(random, chunk);
                if (mutateJson && random.Next(3) == 0)
                {
                    JsonMutator.Mutate(random, json);
                }

                var start = bytes.Count;
                bytes.AddRange(Encoding.UTF8.GetBytes((random.Next(10) == 0 ? "event: completion" + newline : "") + "data: " + JsonText.Write(json, random)));
                lastEventJsonEnd = bytes.Count;
                bytes.AddRange(Encoding.UTF8.GetBytes(newline + newline));
                ranges.Add((start, bytes.Count));
            }

            return new GeneratedCompletionStream(bytes.ToArray(), sampleCount, chunks, ranges, lastEventJsonEnd);
        }

        private static JsonObjectNode ChunkJson(Random random, ExpectedChunk chunk)
        {
            var item = new JsonObjectNode()
                .Add("id", SampleId(chunk.Index))
                .Add("index", new JsonRaw(chunk.Index.ToString()))
                .Add("output", chunk.Output);
            if (random.Next(3) != 0)
            {
                item.Add("raw_output", chunk.Output);
            }

            item.Add("inputs", new JsonObjectNode().Add("topic", RandomText(random, 6, allowLineBreaks: false)))
                .Add("finish_reason", chunk.FinishReason is null ? JsonRaw.Null : chunk.FinishReason)
                .Add("model_config_id", "config_1");

            var payload = new JsonObjectNode()
                .Add("project_id", "pr_1")
                .Add("data", new List<object?> { item })
                .Add("provider_responses", new List<object?>());
            if (chunk.FinishReason is not null)
            {
                payload.Add("usage", new JsonObjectNode().Add("prompt_tokens", new JsonRaw("3")).Add("generation_tokens", new JsonRaw("4")).Add("total_tokens", new JsonRaw("7")));
            }

            if (random.Next(4) == 0)
            {
                payload.Add("x_unknown_" + random.Next(100), new JsonObjectNode().Add("nested", new List<object?> { JsonRaw.Null, "x", new JsonRaw("1.5") }));
            }

            return payload;
        }
    }

    private sealed record ExpectedSample(int Index, string? Id, string? Output, string? FinishReason);

    private sealed record GeneratedCompletionResponse(JsonObjectNode Json, List<ExpectedSample> Samples, int TotalTokens, List<string> MetadataKeys);

    /// <summary>Non-streamed v4 completion responses with random samples, usage, metadata and provider payloads.</summary>
    private static class CompletionResponseGenerator
    {
        public static GeneratedCompletionResponse Generate(Random random)
        {
            var samples = new List<ExpectedSample>();
            var data = new List<object?>();
            var sampleCount = random.Next(1, 4);
            for (var index = 0; index < sampleCount; index++)
            {
                var output = RandomText(random, 30, allowLineBreaks: true);
                var sample = new ExpectedSample(index, $"data_{random.Next(1_000_000)}", output, new[] { "stop", "length", null }[random.Next(3)]);
                samples.Add(sample);
                data.Add(new JsonObjectNode()
                    .Add("id", sample.Id)
                    .Add("index", new JsonRaw(index.ToString()))
                    .Add("output", output)
                    .Add("raw_output", " " + output)
                    .Add("inputs", new JsonObjectNode().Add("topic", RandomText(random, 10, allowLineBreaks: false)))
                    .Add("finish_reason", sample.FinishReason is null ? JsonRaw.Null : sample.FinishReason)
                    .Add("model_config_id", "config_1")
                    .Add("tool_results", new List<object?>()));
            }

            var metadataKeys = Enumerable.Range(0, random.Next(0, 4)).Select(i => $"key{i}_{random.Next(100)}").ToList();
            var metadata = new JsonObjectNode();
            foreach (var key in metadataKeys)
            {
                metadata.Add(key, RandomJsonValue(random, depth: 2, validOnly: true));
            }

            var total = random.Next(0, 100_000);
            var json = new JsonObjectNode()
                .Add("project_id", "pr_" + random.Next(1000))
                .Add("num_samples", new JsonRaw(samples.Count.ToString()))
                .Add("data", data)
                .Add("usage", new JsonObjectNode().Add("prompt_tokens", new JsonRaw("1")).Add("generation_tokens", new JsonRaw((total - 1).ToString())).Add("total_tokens", new JsonRaw(total.ToString())))
                .Add("metadata", metadata)
                .Add("provider_responses", new List<object?> { RandomJsonValue(random, depth: 3, validOnly: true) })
                .Add("provider_request", new JsonObjectNode().Add("model", "gpt-4o").Add("temperature", new JsonRaw("0.7")))
                .Add("session_id", JsonRaw.Null);
            return new GeneratedCompletionResponse(json, samples, total, metadataKeys);
        }
    }

    /// <summary>Error bodies in every shape servers send: FastAPI detail (string, array, object), OpenAI error objects, HTML, text, damaged JSON.</summary>
    private static class ErrorBodyGenerator
    {
        public static byte[] Generate(Random random)
        {
            var text = random.Next(7) switch
            {
                0 => JsonText.Write(new JsonObjectNode().Add("detail", RandomText(random, 40, allowLineBreaks: true)), random),
                1 => JsonText.Write(new JsonObjectNode().Add("detail", new List<object?>
                {
                    new JsonObjectNode().Add("loc", new List<object?> { "body", "model_config", new JsonRaw("0") }).Add("msg", RandomText(random, 20, allowLineBreaks: false)).Add("type", "type_error"),
                    RandomJsonValue(random, depth: 2),
                }), random),
                2 => JsonText.Write(new JsonObjectNode().Add("detail", new JsonObjectNode().Add("type", "x").Add("message", RandomJsonValue(random, depth: 2)).Add("code", RandomJsonValue(random, depth: 1)).Add("origin", "OpenAI")), random),
                3 => JsonText.Write(new JsonObjectNode().Add("error", new JsonObjectNode().Add("message", RandomText(random, 20, allowLineBreaks: false)).Add("type", "invalid_request_error")), random),
                4 => $"<html><head><title>{RandomText(random, 30, allowLineBreaks: true)}</title></head><body>{RandomText(random, 300, allowLineBreaks: true)}</body></html>",
                5 => RandomText(random, 50, allowLineBreaks: true),
                _ => JsonText.Write(MutatedErrorObject(random), random),
            };
            var bytes = Encoding.UTF8.GetBytes(text);
            return random.Next(3) == 0 ? ByteMutator.Mutate(random, bytes, [], 1 + random.Next(3)) : bytes;
        }

        private static JsonObjectNode MutatedErrorObject(Random random)
        {
            var json = new JsonObjectNode().Add("detail", new List<object?> { new JsonObjectNode().Add("loc", new List<object?> { "body" }).Add("msg", "m") }).Add("message", "x");
            for (var mutations = random.Next(1, 4); mutations > 0; mutations--)
            {
                JsonMutator.Mutate(random, json);
            }

            return json;
        }
    }

    // ------------------------------------------------------------------------------------------------
    // A tiny JSON tree that the tests build, damage and print themselves, so that they can produce text a
    // serializer never would: numbers out of range, duplicate keys, nesting past the reader's depth limit.
    // ------------------------------------------------------------------------------------------------

    /// <summary>Literal JSON text: numbers, true/false/null, or anything else inserted verbatim.</summary>
    private sealed record JsonRaw(string Text)
    {
        public static readonly JsonRaw Null = new("null");
    }

    private sealed class JsonObjectNode
    {
        public List<KeyValuePair<string, object?>> Members { get; } = [];

        public JsonObjectNode Add(string name, object? value)
        {
            Members.Add(new KeyValuePair<string, object?>(name, value));
            return this;
        }
    }

    // Literals any JSON reader accepts into a free-form value, and literals that some readers reject or
    // that do not fit the typed fields (out-of-range numbers, nesting past the depth limit, a lone surrogate).
    private static readonly string[] ValidRawValues =
        ["null", "true", "false", "0", "-1", "1.5", "-0.0", "1E2", "2147483648", "9223372036854775808", "0.000000000000000000001", "[null]", "[{}]", "{\"detail\":\"inner\"}", "\"\\u0000\""];

    private static readonly string[] HostileRawValues =
        [.. ValidRawValues, "-2147483649", "1e400", "-1e400", new string('[', 80) + new string(']', 80), "{\"data\":null}", "\"\\ud800\""];

    private static object? RandomJsonValue(Random random, int depth, bool validOnly = false)
    {
        switch (random.Next(depth > 0 ? 6 : 3))
        {
            case 0:
                var pool = validOnly ? ValidRawValues : HostileRawValues;
                return new JsonRaw(pool[random.Next(pool.Length)]);
            case 1:
            case 2:
                return RandomText(random, 15, allowLineBreaks: true);
            case 3:
                return Enumerable.Range(0, random.Next(0, 4)).Select(_ => RandomJsonValue(random, depth - 1, validOnly)).ToList();
            default:
                var node = new JsonObjectNode();
                for (var i = random.Next(0, 4); i > 0; i--)
                {
                    node.Add(new[] { "data", "index", "output", "detail", "msg", "loc", "message", "type", "a", "A" }[random.Next(10)], RandomJsonValue(random, depth - 1, validOnly));
                }

                return node;
        }
    }

    /// <summary>Structural damage to a JSON tree: a value replaced by one of another type, a member removed, duplicated or renamed.</summary>
    private static class JsonMutator
    {
        public static void Mutate(Random random, JsonObjectNode root)
        {
            var slots = new List<(object Parent, int Index)>();
            Collect(root, slots);
            if (slots.Count == 0)
            {
                root.Add("data", RandomJsonValue(random, depth: 2));
                return;
            }

            var (parent, index) = slots[random.Next(slots.Count)];
            switch (random.Next(5))
            {
                case 0 or 1:
                    Set(parent, index, RandomJsonValue(random, depth: 2));
                    break;
                case 2:
                    RemoveAt(parent, index);
                    break;
                case 3:
                    Duplicate(parent, index);
                    break;
                default:
                    if (parent is JsonObjectNode renamed)
                    {
                        var member = renamed.Members[index];
                        var name = random.Next(2) == 0 ? member.Key.ToUpperInvariant() : member.Key + "_";
                        renamed.Members[index] = new KeyValuePair<string, object?>(name, member.Value);
                    }
                    else
                    {
                        Set(parent, index, JsonRaw.Null);
                    }

                    break;
            }
        }

        private static void Collect(object node, List<(object, int)> slots)
        {
            switch (node)
            {
                case JsonObjectNode obj:
                    for (var i = 0; i < obj.Members.Count; i++)
                    {
                        slots.Add((obj, i));
                        if (obj.Members[i].Value is { } value)
                        {
                            Collect(value, slots);
                        }
                    }

                    break;
                case List<object?> list:
                    for (var i = 0; i < list.Count; i++)
                    {
                        slots.Add((list, i));
                        if (list[i] is { } item)
                        {
                            Collect(item, slots);
                        }
                    }

                    break;
            }
        }

        private static void Set(object parent, int index, object? value)
        {
            if (parent is JsonObjectNode obj)
            {
                obj.Members[index] = new KeyValuePair<string, object?>(obj.Members[index].Key, value);
            }
            else
            {
                ((List<object?>)parent)[index] = value;
            }
        }

        private static void RemoveAt(object parent, int index)
        {
            if (parent is JsonObjectNode obj)
            {
                obj.Members.RemoveAt(index);
            }
            else
            {
                ((List<object?>)parent).RemoveAt(index);
            }
        }

        private static void Duplicate(object parent, int index)
        {
            if (parent is JsonObjectNode obj)
            {
                obj.Members.Insert(index, obj.Members[index]);
            }
            else
            {
                var list = (List<object?>)parent;
                list.Insert(index, list[index]);
            }
        }
    }

    private static class JsonText
    {
        private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        /// <summary>Prints the tree; strings are escaped either conservatively or with raw UTF-8, at random.</summary>
        public static string Write(object? node, Random random)
        {
            var text = new StringBuilder();
            Write(text, node, random.Next(2) == 0 ? Relaxed : JsonSerializerOptions.Default);
            return text.ToString();
        }

        private static void Write(StringBuilder text, object? node, JsonSerializerOptions options)
        {
            switch (node)
            {
                case null:
                    text.Append("null");
                    break;
                case JsonRaw raw:
                    text.Append(raw.Text);
                    break;
                case string value:
                    text.Append(JsonSerializer.Serialize(value, options));
                    break;
                case JsonObjectNode obj:
                    text.Append('{');
                    for (var i = 0; i < obj.Members.Count; i++)
                    {
                        text.Append(i > 0 ? "," : "").Append(JsonSerializer.Serialize(obj.Members[i].Key, options)).Append(':');
                        Write(text, obj.Members[i].Value, options);
                    }

                    text.Append('}');
                    break;
                case List<object?> list:
                    text.Append('[');
                    for (var i = 0; i < list.Count; i++)
                    {
                        text.Append(i > 0 ? "," : "");
                        Write(text, list[i], options);
                    }

                    text.Append(']');
                    break;
                default:
                    throw new InvalidOperationException($"Not a JSON tree node: {node.GetType()}");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Transport faults for the stream tests
    // ------------------------------------------------------------------------------------------------

    private enum TransportFaultKind
    {
        Reset,
        Stall,
    }

    /// <summary>A connection reset or a stall at a byte offset of the body.</summary>
    private sealed record TransportFault(TransportFaultKind Kind, int Offset)
    {
        // Stalls cost one idle timeout each, so they are rare; resets are free.
        public static TransportFault? Pick(Random random, int length) => random.Next(40) switch
        {
            0 or 1 or 2 or 3 => new TransportFault(TransportFaultKind.Reset, random.Next(0, length + 1)),
            4 => new TransportFault(TransportFaultKind.Stall, random.Next(0, length + 1)),
            _ => null,
        };
    }
}
