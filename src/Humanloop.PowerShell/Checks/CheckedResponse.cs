using System.Collections.Generic;
using System.Linq;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Checks;

/// <summary>
/// One response as the run-fact checks see it (token counts, how long it took), with its samples kept
/// apart: a <see cref="CompletionResponse"/> or <see cref="ChatResponse"/>, or the chunks of a stream.
/// </summary>
public sealed class CheckedResponse
{
    private CheckedResponse(Usage? usage, System.TimeSpan? duration, IReadOnlyList<GenerationSample> samples)
    {
        Usage = usage;
        Duration = duration;
        Samples = samples;
    }

    /// <summary>The response's token counts; null when the server reported none.</summary>
    public Usage? Usage { get; }

    /// <summary>
    /// How long the call took, from the request's first byte sent to the response's last byte read; null
    /// for the chunks of a stream, which do not carry it (the assembled response, from -ResponseVariable, does).
    /// </summary>
    public System.TimeSpan? Duration { get; }

    /// <summary>The response's samples, in order.</summary>
    public IReadOnlyList<GenerationSample> Samples { get; }

    /// <summary>The ids of the logs the response wrote, one per sample that has one.</summary>
    public IReadOnlyList<string> LogIds => Samples.Select(sample => sample.LogId).OfType<string>().Distinct().ToList();

    /// <summary>
    /// The responses in <paramref name="values"/>: each <see cref="CompletionResponse"/> or
    /// <see cref="ChatResponse"/> with its own counts, and all chunks given taken as one streamed response
    /// (after the others) whose counts are the sum of its samples' final chunks.
    /// </summary>
    /// <param name="values">What the test passed, in order; PSObject wrappers are looked through.</param>
    /// <exception cref="UncheckableValueException">A value is neither a response nor a chunk: only those carry run facts.</exception>
    public static IReadOnlyList<CheckedResponse> From(IEnumerable<object?> values)
    {
        var responses = new List<CheckedResponse>();
        var chunks = new List<GenerationChunk>();
        foreach (var item in values)
        {
            switch (PowerShellValues.Unwrap(item))
            {
                case IGenerationResult result:
                    responses.Add(new CheckedResponse(result.Usage, result.Duration, GenerationSample.OfResult(result).ToList()));
                    break;
                case GenerationChunk chunk:
                    chunks.Add(chunk);
                    break;
                case var other:
                    throw new UncheckableValueException(other);
            }
        }

        if (chunks.Count > 0)
        {
            var streamed = GenerationSample.OfStream(chunks).ToList();
            responses.Add(new CheckedResponse(Usage.SumOf(streamed.Select(sample => sample.Usage)), null, streamed));
        }

        return responses;
    }
}
