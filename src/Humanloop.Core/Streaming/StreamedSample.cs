using System;
using System.Collections.Generic;
using System.Linq;
using Humanloop.Streaming;

namespace Humanloop;

/// <summary>
/// One sample put together from the chunks of a stream, joined exactly as the stream joins its own
/// response: for code that holds only the chunks, such as a test given what a streaming cmdlet wrote.
/// </summary>
public sealed class StreamedSample
{
    private StreamedSample(GenerationData data, Usage? usage)
    {
        Data = data;
        Usage = usage;
    }

    /// <summary>The sample: a <see cref="CompletionData"/>, or a <see cref="ChatData"/> with its tool calls joined.</summary>
    public GenerationData Data { get; }

    /// <summary>The token counts of the chunk that finished the sample; null when it carried none or the sample did not finish.</summary>
    public Usage? Usage { get; }

    /// <summary>
    /// Assembles <paramref name="chunks"/> per sample, in the order the samples first appear. Chunks of one
    /// kind with the same <see cref="GenerationChunk.Index"/> and <see cref="GenerationChunk.Id"/> are one
    /// sample, so the chunks of several streams may be passed together.
    /// </summary>
    /// <param name="chunks">Chunks in the order they were read.</param>
    /// <exception cref="ArgumentException">A chunk is null.</exception>
    public static IReadOnlyList<StreamedSample> Assemble(IEnumerable<GenerationChunk> chunks)
    {
        var samples = new Dictionary<(Type Kind, int Index, string? Id), (GenerationChunk First, SampleAssembly Assembly)>();
        var order = new List<(Type Kind, int Index, string? Id)>();
        foreach (var chunk in chunks)
        {
            if (chunk is null)
            {
                throw new ArgumentException("A chunk to assemble is null.", nameof(chunks));
            }

            var key = (chunk.GetType(), chunk.Index, chunk.Id);
            if (!samples.TryGetValue(key, out var sample))
            {
                sample = (chunk, chunk.NewSample());
                samples.Add(key, sample);
                order.Add(key);
            }

            sample.Assembly.Add(chunk.ToItem(), string.IsNullOrEmpty(chunk.FinishReason) ? null : chunk.FinishReason, chunk.Usage);
        }

        return order.Select(key =>
        {
            var (first, assembly) = samples[key];
            return new StreamedSample(first.Build(assembly, key.Index), assembly.FinalUsage);
        }).ToList();
    }

    /// <summary>
    /// The response the chunks of one stream make so far: what a stream that was stopped had delivered. A
    /// sample that had not finished has no <see cref="GenerationData.FinishReason"/>; the usage is that of
    /// the samples that finished. Completion chunks make a <see cref="CompletionResponse"/>, chat chunks a
    /// <see cref="ChatResponse"/>.
    /// </summary>
    /// <param name="chunks">The chunks of one stream (of one kind), in the order they were read; at least one.</param>
    /// <exception cref="ArgumentException">There are no chunks, a chunk is null, or the chunks are of both kinds.</exception>
    public static IGenerationResult AssembleResponse(IReadOnlyList<GenerationChunk> chunks)
    {
        if (chunks.Count == 0)
        {
            throw new ArgumentException("There are no chunks to assemble a response from.", nameof(chunks));
        }

        var samples = Assemble(chunks);
        var first = chunks[0];
        var usage = Usage.SumOf(samples.Select(sample => sample.Usage));
        return first switch
        {
            CompletionChunk when samples.All(sample => sample.Data is CompletionData) => new CompletionResponse
            {
                ProjectId = first.ProjectId,
                SessionId = first.SessionId,
                Data = samples.Select(sample => (CompletionData)sample.Data).ToList(),
                Usage = usage,
            },
            ChatChunk when samples.All(sample => sample.Data is ChatData) => new ChatResponse
            {
                ProjectId = first.ProjectId,
                SessionId = first.SessionId,
                Data = samples.Select(sample => (ChatData)sample.Data).ToList(),
                Usage = usage,
            },
            _ => throw new ArgumentException("The chunks of one response are all completion chunks or all chat chunks.", nameof(chunks)),
        };
    }
}
