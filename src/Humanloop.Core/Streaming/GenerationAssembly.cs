using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Humanloop.Streaming;

/// <summary>What a <see cref="GenerationStream{TChunk, TResponse}"/> needs from the kind of generation it reads.</summary>
internal interface IStreamAssembly<TChunk, TResponse>
{
    /// <summary>Whether every expected sample (and any extra one the server sent) has finished.</summary>
    bool IsComplete { get; }

    /// <summary>The samples that have not finished, for the truncated-stream message.</summary>
    IEnumerable<int> UnfinishedSamples { get; }

    /// <summary>
    /// Reads one event's data (its UTF-8 bytes), adds it to the samples and appends the chunks it makes;
    /// false when the event carried no sample data.
    /// </summary>
    /// <exception cref="JsonException">The data is not the kind's JSON.</exception>
    /// <exception cref="WireProblemException">The JSON is well formed but unusable.</exception>
    bool Accept(System.ReadOnlySpan<byte> data, Queue<TChunk> chunks);

    /// <summary>The whole response, once the stream is complete.</summary>
    TResponse Build();
}

/// <summary>Valid JSON whose content cannot be used (a null list item, say).</summary>
internal sealed class WireProblemException(string problem) : System.Exception(problem)
{
}

/// <summary>
/// Assembles a streamed generation of one kind: every event's data is that kind's response with one item
/// per sample delta; deltas are joined per sample index, and the stream is complete once every expected
/// sample has a finish reason. The kind adds only its wire type and how one sample is assembled.
/// </summary>
internal sealed class GenerationAssembly<TData, TChunk, TResponse>(
    int expectedSamples,
    JsonTypeInfo<TResponse> wireType,
    System.Func<SampleAssembly> newSample) : IStreamAssembly<TChunk, TResponse>
    where TData : GenerationData, new()
    where TChunk : GenerationChunk, new()
    where TResponse : GenerationResponse<TData>, new()
{
    private readonly SortedDictionary<int, SampleAssembly> _samples = new();
    private readonly List<object?> _providerResponses = [];
    private readonly int _expectedSamples = expectedSamples < 1 ? 1 : expectedSamples;
    private TResponse? _first;

    public bool IsComplete => !UnfinishedSamples.Any();

    public IEnumerable<int> UnfinishedSamples =>
        Enumerable.Range(0, _expectedSamples).Union(_samples.Keys)
            .Where(index => !_samples.TryGetValue(index, out var sample) || sample.FinishReason is null)
            .OrderBy(index => index);

    public bool Accept(System.ReadOnlySpan<byte> data, Queue<TChunk> chunks)
    {
        var payload = JsonSerializer.Deserialize(data, wireType);
        if (payload is IWireResponse checkable && checkable.FindProblem() is { } problem)
        {
            throw new WireProblemException(problem);
        }

        if (payload is null || payload.Data.Count == 0)
        {
            return false;
        }

        _first ??= payload;
        _providerResponses.AddRange(payload.ProviderResponses);
        foreach (var item in payload.Data)
        {
            // An empty finish reason is taken as none, so it cannot make a cut stream look complete.
            var finishReason = string.IsNullOrEmpty(item.FinishReason) ? null : item.FinishReason;
            var usage = finishReason is null ? null : payload.Usage;
            if (!_samples.TryGetValue(item.Index, out var sample))
            {
                sample = newSample();
                _samples.Add(item.Index, sample);
            }

            sample.Add(item, finishReason, usage);
            var chunk = new TChunk
            {
                Index = item.Index,
                Id = item.Id,
                Output = item.Output ?? string.Empty,
                FinishReason = finishReason,
                ModelConfigId = item.ModelConfigId,
                ProjectId = payload.ProjectId,
                SessionId = payload.SessionId,
                ToolResults = item.ToolResults,
                Usage = usage,
            };
            chunk.TakeKindFields(item);
            chunks.Enqueue(chunk);
        }

        return true;
    }

    public TResponse Build() => new()
    {
        ProjectId = _first?.ProjectId,
        NumSamples = _expectedSamples,
        User = _first?.User,
        SessionId = _first?.SessionId,
        Metadata = _first?.Metadata,
        ProviderResponses = _providerResponses.ToArray(),
        Data = _samples.Select(pair => pair.Value.Build<TData>(pair.Key)).ToList(),
        Usage = Usage.SumOf(_samples.Values.Select(sample => sample.FinalUsage)),
    };
}

/// <summary>
/// One sample of a stream being assembled: text deltas joined, the first id and config kept, the finish
/// reason and usage of its last chunk. A kind with more to join (chat tool calls) extends it.
/// </summary>
internal class SampleAssembly
{
    private readonly System.Text.StringBuilder _output = new();
    private readonly System.Text.StringBuilder _rawOutput = new();
    private readonly List<ToolResult> _toolResults = [];
    private string? _id;
    private string? _modelConfigId;
    private IDictionary? _inputs;

    public string? FinishReason { get; private set; }

    public Usage? FinalUsage { get; private set; }

    public void Add(GenerationData item, string? finishReason, Usage? usage)
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

        AddDelta(item);
        if (finishReason is not null)
        {
            FinishReason = finishReason;
            FinalUsage = usage;
        }
    }

    public TData Build<TData>(int index)
        where TData : GenerationData, new()
    {
        var data = new TData
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
        Complete(data);
        return data;
    }

    /// <summary>Takes what the kind adds to a delta beyond text.</summary>
    protected virtual void AddDelta(GenerationData item)
    {
    }

    /// <summary>Fills in what the kind adds to a finished sample.</summary>
    protected virtual void Complete(GenerationData data)
    {
    }
}

/// <summary>A chat sample: text as any sample, plus tool-call fragments joined per call.</summary>
internal sealed class ChatSampleAssembly : SampleAssembly
{
    private readonly ToolCallAssembly _toolCalls = new();
    private string? _role;

    protected override void AddDelta(GenerationData item)
    {
        var chat = (ChatData)item;
        _role ??= chat.OutputMessage?.Role;
        _toolCalls.Add(ChatChunk.ToolCallsOf(chat));
    }

    protected override void Complete(GenerationData data)
    {
        var chat = (ChatData)data;
        var calls = _toolCalls.Build();
        chat.ToolCalls = calls;
        chat.OutputMessage = new ChatMessage { Role = _role ?? "assistant", Content = calls is null || data.Output?.Length > 0 ? data.Output : null, ToolCalls = calls };
    }
}

/// <summary>
/// Joins streamed tool-call fragments: a fragment with an id continues the call with that id (or starts
/// it), one without an id continues the latest call; names are kept from the first fragment that has
/// one, argument fragments are concatenated in arrival order.
/// </summary>
internal sealed class ToolCallAssembly
{
    private readonly List<(string? Id, string? Type, string? Name, System.Text.StringBuilder Arguments)> _calls = [];

    public void Add(IReadOnlyList<ToolCall>? fragments)
    {
        if (fragments is null)
        {
            return;
        }

        foreach (var fragment in fragments)
        {
            var position = fragment.Id is null ? _calls.Count - 1 : _calls.FindIndex(call => call.Id == fragment.Id);
            if (position < 0)
            {
                _calls.Add((fragment.Id, fragment.Type, fragment.Name, new System.Text.StringBuilder()));
                position = _calls.Count - 1;
            }

            var call = _calls[position];
            if (call.Name is null && fragment.Name is not null)
            {
                _calls[position] = call = (call.Id, call.Type ?? fragment.Type, fragment.Name, call.Arguments);
            }

            call.Arguments.Append(fragment.Arguments);
        }
    }

    /// <summary>The joined calls; null when the sample called no tool.</summary>
    public IReadOnlyList<ToolCall>? Build() => _calls.Count == 0
        ? null
        : _calls.Select(call => new ToolCall
        {
            Id = call.Id,
            Type = call.Type ?? "function",
            Function = new FunctionCall { Name = call.Name, Arguments = call.Arguments.ToString() },
        }).ToList();
}
