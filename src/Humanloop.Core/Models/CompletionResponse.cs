using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Serialization;
using Humanloop.Json;

namespace Humanloop;

/// <summary>
/// What every generation endpoint answers (API reference §2.4, §6.2): one <typeparamref name="TData"/> per
/// sample, plus the request-wide fields.
/// </summary>
/// <typeparam name="TData">The per-sample item: <see cref="CompletionData"/> or <see cref="ChatData"/>.</typeparam>
public abstract class GenerationResponse<TData> : IGenerationResult, IWireResponse, IAttemptCounted
    where TData : GenerationData
{
    // The source generator assigns null to init-only properties absent from the JSON, so collections
    // fall back to empty here rather than in an initializer.
    private IReadOnlyList<TData> _data = [];
    private object?[] _providerResponses = [];

    /// <summary>The parent project's id.</summary>
    public string? ProjectId { get; init; }

    /// <summary>Echo of the number of samples.</summary>
    public int? NumSamples { get; init; }

    /// <summary>Echo of the requested log-probabilities.</summary>
    public int? Logprobs { get; init; }

    /// <summary>Echo of the requested suffix.</summary>
    public string? Suffix { get; init; }

    /// <summary>Echo of the end-user id.</summary>
    public string? User { get; init; }

    /// <summary>One entry per generated sample.</summary>
    public IReadOnlyList<TData> Data { get => _data; init => _data = value ?? []; }

    /// <summary>Token counts; absent when the server did not report them.</summary>
    public Usage? Usage { get; init; }

    /// <summary>Echo of the request's metadata.</summary>
    [JsonConverter(typeof(FreeFormDictionaryConverter))]
    public IDictionary? Metadata { get; init; }

    /// <summary>Raw responses of the model provider.</summary>
    [JsonConverter(typeof(FreeFormArrayConverter))]
    public object?[] ProviderResponses { get => _providerResponses; init => _providerResponses = value ?? []; }

    /// <summary>The raw request sent to the model provider.</summary>
    [JsonConverter(typeof(FreeFormDictionaryConverter))]
    public IDictionary? ProviderRequest { get; init; }

    /// <summary>The session the log belongs to, if any.</summary>
    public string? SessionId { get; init; }

    /// <summary>The single sample's output; null when the response holds several samples (read <see cref="Data"/>).</summary>
    [JsonIgnore]
    public string? Output => Data.Count == 1 ? Data[0].Output : null;

    /// <summary>
    /// The ids of the logs the response wrote, one per sample, like <c>Data.Id</c>: one id for a one-sample
    /// response, an array for more; so that piping the response into a cmdlet with a -LogId parameter names them.
    /// </summary>
    [JsonIgnore]
    public object? LogId => Data.Count == 1 ? Data[0].Id : Data.Select(sample => sample.Id).ToArray();

    /// <summary>How many HTTP attempts the request took (1 unless it was retried).</summary>
    [JsonIgnore]
    public int Attempts { get; internal set; } = 1;

    [JsonIgnore]
    IReadOnlyList<GenerationData> IGenerationResult.Samples => _data;

    /// <summary>
    /// How long the call took: from the first byte of the request sent to the last byte of the response
    /// read (for a stream, to its last event), retries and their waits included.
    /// </summary>
    [JsonIgnore]
    public System.TimeSpan Duration { get; internal set; }

    int IAttemptCounted.Attempts { set => Attempts = value; }

    System.TimeSpan IAttemptCounted.Duration { set => Duration = value; }

    /// <inheritdoc />
    public override string ToString() => Output ?? string.Join("\n", DataOutputs());

    string? IWireResponse.FindProblem() => WireChecks.NullItem(_data as IList ?? new List<TData>(_data), "data");

    private IEnumerable<string> DataOutputs()
    {
        foreach (var item in Data)
        {
            yield return item.Output ?? string.Empty;
        }
    }
}

/// <summary>The fields every generated sample has; its <see cref="Id"/> is the log id.</summary>
public abstract class GenerationData
{
    /// <summary>Log id (<c>data_…</c>), used for feedback and log look-ups.</summary>
    public string? Id { get; init; }

    /// <summary>The sample's log id again, under the name of the cmdlets' -LogId parameters, so that piping this
    /// object binds that parameter by property name.</summary>
    [JsonIgnore]
    public string? LogId => Id;

    /// <summary>Which sample this is (0-based).</summary>
    public int Index { get; init; }

    /// <summary>Provider output with leading and trailing whitespace removed.</summary>
    public string? Output { get; init; }

    /// <summary>Provider output as generated.</summary>
    public string? RawOutput { get; init; }

    /// <summary>The inputs used (empty when the request asked not to return them).</summary>
    [JsonConverter(typeof(FreeFormDictionaryConverter))]
    public IDictionary? Inputs { get; init; }

    /// <summary>Why generation stopped: <c>stop</c>, <c>length</c>, <c>tool_call</c>, …</summary>
    public string? FinishReason { get; init; }

    /// <summary>The config that produced this sample (for experiments, the sampled one).</summary>
    public string? ModelConfigId { get; init; }

    /// <summary>Results of tools run during the generation.</summary>
    public IReadOnlyList<ToolResult>? ToolResults { get; init; }

    /// <inheritdoc />
    public override string ToString() => Output ?? string.Empty;
}

/// <summary>The result of a completion request (API reference §2.4).</summary>
public sealed class CompletionResponse : GenerationResponse<CompletionData>
{
}

/// <summary>One generated sample of a completion; its <see cref="GenerationData.Id"/> is the log id.</summary>
public sealed class CompletionData : GenerationData
{
}

/// <summary>Token counts of a completion.</summary>
public sealed class Usage
{
    /// <summary>Tokens in the prompt.</summary>
    public int PromptTokens { get; init; }

    /// <summary>Tokens generated.</summary>
    public int GenerationTokens { get; init; }

    /// <summary>Prompt plus generated tokens.</summary>
    public int TotalTokens { get; init; }

    /// <summary>Reasoning tokens, when the server reports them.</summary>
    public int? ReasoningTokens { get; init; }

    /// <summary>The sum of <paramref name="parts"/> (nulls skipped); null when none is given.</summary>
    /// <param name="parts">Token counts to add up, such as those of a stream's finished samples.</param>
    public static Usage? SumOf(IEnumerable<Usage?> parts)
    {
        var given = parts.Where(usage => usage is not null).Select(usage => usage!).ToList();
        if (given.Count == 0)
        {
            return null;
        }

        return new Usage
        {
            PromptTokens = given.Sum(usage => usage.PromptTokens),
            GenerationTokens = given.Sum(usage => usage.GenerationTokens),
            TotalTokens = given.Sum(usage => usage.TotalTokens),
            ReasoningTokens = given.Any(usage => usage.ReasoningTokens is not null) ? given.Sum(usage => usage.ReasoningTokens ?? 0) : null,
        };
    }

    /// <inheritdoc />
    public override string ToString() => $"{TotalTokens} tokens ({PromptTokens} prompt, {GenerationTokens} generated)";
}

/// <summary>The result of a tool run during a generation.</summary>
public sealed class ToolResult
{
    /// <summary>Tool call id.</summary>
    public string? Id { get; init; }

    /// <summary>Tool name.</summary>
    public string? Name { get; init; }

    /// <summary>Tool signature.</summary>
    public string? Signature { get; init; }

    /// <summary>What the tool returned.</summary>
    public string? Result { get; init; }
}
