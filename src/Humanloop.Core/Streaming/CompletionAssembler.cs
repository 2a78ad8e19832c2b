using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Humanloop.Streaming;

/// <summary>
/// Builds the complete <see cref="CompletionResponse"/> from streamed chunks: deltas are joined per
/// sample index, and the stream counts as complete once every expected sample has a finish reason.
/// </summary>
internal sealed class CompletionAssembler(int expectedSamples)
{
    private readonly SortedDictionary<int, SampleState> _samples = new();
    private string? _projectId;
    private string? _sessionId;
    private string? _user;
    private IDictionary? _metadata;
    private readonly List<object?> _providerResponses = [];

    public int ExpectedSamples { get; } = expectedSamples < 1 ? 1 : expectedSamples;

    public void Add(CompletionResponse payload, CompletionData item, string? finishReason)
    {
        _projectId ??= payload.ProjectId;
        _sessionId ??= payload.SessionId;
        _user ??= payload.User;
        _metadata ??= payload.Metadata;
        _providerResponses.AddRange(payload.ProviderResponses);

        if (!_samples.TryGetValue(item.Index, out var sample))
        {
            sample = new SampleState();
            _samples.Add(item.Index, sample);
        }

        sample.Add(item, finishReason, payload.Usage);
    }

    /// <summary>True when every expected sample (and any extra one the server sent) has finished.</summary>
    public bool IsComplete => !UnfinishedSamples.Any();

    /// <summary>The samples that have not finished, for the truncated-stream message.</summary>
    public IEnumerable<int> UnfinishedSamples =>
        Enumerable.Range(0, ExpectedSamples).Union(_samples.Keys)
            .Where(index => !_samples.TryGetValue(index, out var sample) || sample.FinishReason is null)
            .OrderBy(index => index);

    public CompletionResponse Build() => new()
    {
        ProjectId = _projectId,
        NumSamples = ExpectedSamples,
        User = _user,
        SessionId = _sessionId,
        Metadata = _metadata,
        ProviderResponses = _providerResponses.ToArray(),
        Data = _samples.Select(pair => pair.Value.Build(pair.Key)).ToList(),
        Usage = SumUsage(),
    };

    // A sample's final chunk may carry that sample's usage; summing only final chunks also copes with
    // servers that repeat a running total on every chunk. Null when no chunk carried usage.
    private Usage? SumUsage()
    {
        var finals = _samples.Values.Select(sample => sample.FinalUsage).Where(usage => usage is not null).ToList();
        if (finals.Count == 0)
        {
            return null;
        }

        var reasoning = finals.Any(usage => usage!.ReasoningTokens is not null) ? finals.Sum(usage => usage!.ReasoningTokens ?? 0) : (int?)null;
        return new Usage
        {
            PromptTokens = finals.Sum(usage => usage!.PromptTokens),
            GenerationTokens = finals.Sum(usage => usage!.GenerationTokens),
            TotalTokens = finals.Sum(usage => usage!.TotalTokens),
            ReasoningTokens = reasoning,
        };
    }

    private sealed class SampleState
    {
        private readonly StringBuilder _output = new();
        private readonly StringBuilder _rawOutput = new();
        private readonly List<ToolResult> _toolResults = [];
        private string? _id;
        private string? _modelConfigId;
        private IDictionary? _inputs;

        public string? FinishReason { get; private set; }

        public Usage? FinalUsage { get; private set; }

        public void Add(CompletionData item, string? finishReason, Usage? usage)
        {
            _id ??= item.Id;
            _modelConfigId ??= item.ModelConfigId;
            _inputs ??= item.Inputs;
            _output.Append(item.Output);
            _rawOutput.Append(item.RawOutput ?? item.Output);
            if (item.ToolResults is not null)
            {
                _toolResults.AddRange(item.ToolResults);
            }

            if (finishReason is not null)
            {
                FinishReason = finishReason;
                FinalUsage = usage;
            }
        }

        public CompletionData Build(int index) => new()
        {
            Id = _id,
            Index = index,
            Output = _output.ToString().Trim(),
            RawOutput = _rawOutput.ToString(),
            Inputs = _inputs,
            FinishReason = FinishReason,
            ModelConfigId = _modelConfigId,
            ToolResults = _toolResults.ToArray(),
        };
    }
}
