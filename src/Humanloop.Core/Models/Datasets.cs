using System;
using System.Collections;
using System.Collections.Generic;
using System.Text.Json.Serialization;
using Humanloop.Json;

namespace Humanloop;

/// <summary>A dataset (<c>DatasetResponse</c>): datapoints to run a config over and score.</summary>
public sealed class Dataset
{
    /// <summary>Dataset id (<c>evts_…</c>).</summary>
    public string? Id { get; init; }

    /// <summary>The dataset's id again, under the name of the cmdlets' -DatasetId parameters, so that piping this
    /// object binds that parameter by property name.</summary>
    [JsonIgnore]
    public string? DatasetId => Id;

    /// <summary>The project the dataset was created in (deprecated by the API: empty for datasets made as files).</summary>
    public string? ProjectId { get; init; }

    /// <summary>Dataset name.</summary>
    public string? Name { get; init; }

    /// <summary>What the dataset holds.</summary>
    public string? Description { get; init; }

    /// <summary>How many datapoints the dataset holds.</summary>
    public int DatapointCount { get; init; }

    /// <summary>When the dataset was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When the dataset last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <inheritdoc />
    public override string ToString() => Name ?? Id ?? string.Empty;
}

/// <summary><c>POST /projects/{id}/datasets</c> and <c>PATCH /datasets/{id}</c>: a dataset's name and description.</summary>
/// <remarks>Creating requires both fields; the client sends an empty description when none is given.</remarks>
public sealed class DatasetRequest
{
    /// <summary>The name (at most 255 characters).</summary>
    public string? Name { get; set; }

    /// <summary>The description (at most 255 characters).</summary>
    public string? Description { get; set; }
}

/// <summary>
/// A datapoint (<c>DatapointResponse</c>): template inputs, chat messages for chat configs, and the target
/// evaluators compare the output with.
/// </summary>
public sealed class Datapoint
{
    private IReadOnlyList<ChatMessage> _messages = [];

    /// <summary>Datapoint id.</summary>
    public string? Id { get; init; }

    /// <summary>The datapoint's id again, under the name of the cmdlets' -DatapointId parameters, so that piping this
    /// object binds that parameter by property name.</summary>
    [JsonIgnore]
    public string? DatapointId => Id;

    /// <summary>The dataset's id.</summary>
    public string? DatasetId { get; init; }

    /// <summary>The template inputs (names to text).</summary>
    [JsonConverter(typeof(FreeFormDictionaryConverter))]
    public IDictionary? Inputs { get; init; }

    /// <summary>The chat messages; empty for completion datapoints.</summary>
    public IReadOnlyList<ChatMessage> Messages { get => _messages; init => _messages = value ?? []; }

    /// <summary>What evaluators compare the output with: names to strings, numbers, booleans, objects or lists.</summary>
    [JsonConverter(typeof(FreeFormDictionaryConverter))]
    public IDictionary? Target { get; init; }

    /// <inheritdoc />
    public override string ToString() => Id ?? string.Empty;
}

/// <summary>
/// One datapoint to add (<c>CreateDatapointRequest</c>) or the fields to change on one
/// (<c>UpdateDatapointRequest</c> of the official SDKs; the spec declares no body for the PATCH).
/// </summary>
public sealed class DatapointRequest
{
    /// <summary>The template inputs; the API takes text values only.</summary>
    public IDictionary<string, string>? Inputs { get; set; }

    /// <summary>The chat messages.</summary>
    public IList<ChatMessage>? Messages { get; set; }

    /// <summary>The target: names to strings, numbers, booleans, dictionaries or lists.</summary>
    [JsonConverter(typeof(FreeFormDictionaryConverter))]
    public IDictionary? Target { get; set; }
}

/// <summary><c>POST /datasets/{id}/datapoints</c> from logs: each log's inputs, messages and output become a datapoint.</summary>
public sealed class DatapointsFromLogsRequest
{
    /// <summary>The logs (<c>data_…</c>).</summary>
    public IList<string>? LogIds { get; set; }
}
