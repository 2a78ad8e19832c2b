using System.Collections.Generic;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Checks;

/// <summary>Flattens what a test passes to a sample check into the samples to check.</summary>
public static class GenerationSamples
{
    /// <summary>
    /// The samples of <paramref name="values"/>: every sample of a <see cref="CompletionResponse"/> or
    /// <see cref="ChatResponse"/>, a <see cref="CompletionData"/> or <see cref="ChatData"/> item as it is,
    /// the chunks of a stream of either kind assembled per sample (after the other values), and strings
    /// as text. PSObject wrappers are looked through.
    /// </summary>
    /// <param name="values">What the test passed, in order.</param>
    /// <exception cref="UncheckableValueException">A value is none of these (null included).</exception>
    public static IReadOnlyList<GenerationSample> From(IEnumerable<object?> values)
    {
        var samples = new List<GenerationSample>();
        var chunks = new List<GenerationChunk>();
        var textIndex = 0;
        foreach (var item in values)
        {
            switch (PowerShellValues.Unwrap(item))
            {
                case IGenerationResult result:
                    samples.AddRange(GenerationSample.OfResult(result));
                    break;
                case GenerationData data:
                    samples.Add(GenerationSample.Of(data, null));
                    break;
                case GenerationChunk chunk:
                    chunks.Add(chunk);
                    break;
                case string text:
                    samples.Add(GenerationSample.OfText(text, textIndex++));
                    break;
                case var other:
                    throw new UncheckableValueException(other);
            }
        }

        samples.AddRange(GenerationSample.OfStream(chunks));
        return samples;
    }
}
