using System.Collections.Generic;
using System.Linq;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Checks;

/// <summary>
/// The token counts of one response, which a token budget is checked against, with the samples they
/// were spent on kept apart.
/// </summary>
public sealed class ResponseTokens
{
    private ResponseTokens(Usage? usage, IReadOnlyList<GenerationSample> samples)
    {
        Usage = usage;
        Samples = samples;
    }

    /// <summary>The response's token counts; null when the server reported none.</summary>
    public Usage? Usage { get; }

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
    /// <exception cref="UncheckableValueException">A value is neither a response nor a chunk: only those carry token counts.</exception>
    public static IReadOnlyList<ResponseTokens> From(IEnumerable<object?> values)
    {
        var responses = new List<ResponseTokens>();
        var chunks = new List<GenerationChunk>();
        foreach (var item in values)
        {
            switch (PowerShellValues.Unwrap(item))
            {
                case IGenerationResult result:
                    responses.Add(new ResponseTokens(result.Usage, GenerationSample.OfResult(result).ToList()));
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
            responses.Add(new ResponseTokens(Usage.SumOf(streamed.Select(sample => sample.Usage)), streamed));
        }

        return responses;
    }
}
