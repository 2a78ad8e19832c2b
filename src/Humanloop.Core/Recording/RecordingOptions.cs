using System.Collections.Generic;

namespace Humanloop;

/// <summary>What a <see cref="RecordingTransport"/> does with each request.</summary>
public enum RecordingMode
{
    /// <summary>Answers only from the fixture and never touches the network; a request it has no recording for is an error.</summary>
    Replay,

    /// <summary>Sends every request to the real endpoint and saves each exchange, replacing the fixture's previous content.</summary>
    Record,

    /// <summary>Answers from the fixture where it can, and sends and records what it has no recording for.</summary>
    Auto,

    /// <summary>
    /// Records when the fixture does not exist yet (as <see cref="Record"/>), otherwise replays it (as
    /// <see cref="Replay"/>): a request the fixture lacks is an error instead of a new recording.
    /// </summary>
    Once,
}

/// <summary>How a <see cref="RecordingTransport"/> matches, scrubs and paces exchanges.</summary>
public sealed class RecordingOptions
{
    /// <summary>Fields every recording ignores when it matches requests, in addition to <see cref="IgnoreFields"/>.</summary>
    public static readonly IReadOnlyList<string> DefaultIgnoreFields = ["metadata"];

    /// <summary>Fields every recording masks before it writes, in addition to <see cref="ScrubFields"/>.</summary>
    public static readonly IReadOnlyList<string> DefaultScrubFields = ["provider_api_keys"];

    /// <summary>Replay (the default), Record, Auto or Once.</summary>
    public RecordingMode Mode { get; set; } = RecordingMode.Replay;

    /// <summary>
    /// Request body fields left out when requests are matched, because they change from run to run
    /// (timestamps, run ids). A plain name (<c>request_id</c>) is that property at any depth; a dotted
    /// path (<c>inputs.date</c>, <c>messages.*.name</c>) starts at the body's root, <c>*</c> standing for
    /// any one property or array item.
    /// </summary>
    public IList<string> IgnoreFields { get; } = new List<string>();

    /// <summary>
    /// Fields whose values are masked in headers and bodies before anything is written, written like
    /// <see cref="IgnoreFields"/>. A plain name also names a header.
    /// </summary>
    public IList<string> ScrubFields { get; } = new List<string>();

    /// <summary>Regular expressions whose matches are masked in every stored header value, string and text body.</summary>
    public IList<string> ScrubPatterns { get; } = new List<string>();

    /// <summary>
    /// Record: store the delay before each streamed event. Replay: wait those delays again. Off by
    /// default, so that recording the same exchanges twice gives the same file.
    /// </summary>
    public bool Pacing { get; set; }

    /// <summary>
    /// Once every recording that matches a request has answered, the last one answers again. Off by
    /// default: a further identical request is then an error when replaying (and recorded afresh in
    /// Auto mode), so code that sends a request more often than it did when recording is noticed.
    /// </summary>
    public bool AllowRepeats { get; set; }

    /// <summary>
    /// <see cref="RecordingTransport.Save"/> fails, naming them, when recorded exchanges of the fixture
    /// were not replayed (after writing the file, when it writes one).
    /// </summary>
    public bool RequireAllUsed { get; set; }
}
