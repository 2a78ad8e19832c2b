namespace Humanloop.Server.Http;

/// <summary>
/// The bounds every request is held to (docs/server.md, "Limits"). One instance per server, from its options; the
/// readers find it through the request's services, so every field and parameter is checked in one place.
/// </summary>
public sealed record RequestLimits
{
    public static readonly RequestLimits Default = new();

    /// <summary>The most samples one generation request may ask for.</summary>
    public int MaxNumSamples { get; init; } = 100;

    /// <summary>The largest page a list request may ask for (<c>size</c>): the module's cmdlets accept -PageSize up to 1000.</summary>
    public int MaxPageSize { get; init; } = 1000;

    /// <summary>Names, descriptions, types and other short labels (the spec's maxLength for names).</summary>
    public int MaxNameLength { get; init; } = 255;

    /// <summary>Ids, in a path, a query or a body.</summary>
    public int MaxIdLength { get; init; } = 128;

    /// <summary>Any other string: templates, inputs, outputs, messages.</summary>
    public int MaxTextLength { get; init; } = 1_000_000;

    /// <summary>A request body, in bytes.</summary>
    public long MaxBodyBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>The one wording of a 413, whichever reader (Kestrel's or the JSON body reader) met the limit.</summary>
    public static string BodyTooLarge(long? limitBytes) => limitBytes is { } bytes
        ? $"The request body is larger than this server accepts (at most {bytes / 1_000_000d:0.0} MB)."
        : "The request body is larger than this server accepts.";

    /// <summary>How much of an input an error message may quote.</summary>
    public const int EchoLength = 64;

    /// <summary>
    /// Fields that hold a short label, by their wire name. Descriptions are text (a tool's may run long) except where
    /// the spec gives them its maxLength, which those endpoints pass themselves.
    /// </summary>
    private static readonly HashSet<string> NameFields = new(StringComparer.Ordinal)
    {
        "name", "project", "type", "class", "model", "provider", "experiment", "environment",
        "user", "source", "endpoint", "status", "directory_id", "reference_id", "session_reference_id", "parent_reference_id",
    };

    /// <summary>The length limit of a string field, by its wire name: ids, short labels, or text.</summary>
    public int LengthOf(string field) =>
        NameFields.Contains(field) ? MaxNameLength
        : field == "id" || field.EndsWith("_id", StringComparison.Ordinal) ? MaxIdLength
        : MaxTextLength;

    /// <summary>The limits of the server answering <paramref name="context"/> (the defaults outside a server).</summary>
    public static RequestLimits Of(HttpContext context) => context.RequestServices?.GetService<RequestLimits>() ?? Default;

    /// <summary>A short prefix of an input, for an error message: at most <see cref="EchoLength"/> characters and an ellipsis.</summary>
    public static string Echo(string? input) =>
        input is null ? "" : input.Length <= EchoLength ? input : string.Concat(input.AsSpan(0, EchoLength), "…");
}
