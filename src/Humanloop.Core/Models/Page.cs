using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace Humanloop;

/// <summary>
/// One page of a paged list (<c>GET /projects</c>, <c>GET /logs</c>): the records plus where the page sits
/// in the whole list. Pages are numbered from 0.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class Page<T> : IWireResponse
{
    // The source generator assigns null to absent init-only collections; see CompletionResponse.
    private IReadOnlyList<T> _records = [];

    /// <summary>The records on this page, in the server's order.</summary>
    public IReadOnlyList<T> Records { get => _records; init => _records = value ?? []; }

    /// <summary>The page number (0-based), as the server echoed it.</summary>
    [JsonPropertyName("page")]
    public int PageNumber { get; init; }

    /// <summary>The page size the server used.</summary>
    public int Size { get; init; }

    /// <summary>How many records the whole list holds.</summary>
    public int Total { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"Page {PageNumber} ({Records.Count} of {Total})";

    string? IWireResponse.FindProblem() => WireChecks.NullItem(_records as System.Collections.IList ?? new List<T>(_records), "records");
}
