using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.Http;
using Humanloop.Recording;

namespace Humanloop;

/// <summary>
/// An HTTP transport (<see cref="HumanloopClientOptions.Transport"/>) that records exchanges with the
/// real endpoint into a fixture file and replays them from it, so tests of code that calls Humanloop run
/// offline and deterministically. Requests match recordings by method, path and JSON body (see
/// <see cref="RecordingOptions.IgnoreFields"/>), not by call order; when several recordings match, they
/// answer in recorded order, so a request sent twice can get two different recorded answers (a 503,
/// then the 200 of the retry). Streams are recorded event by event as they pass and replayed as
/// streams; errors replay as the same status and body. Secrets are masked before anything is written.
/// </summary>
/// <remarks>
/// Replay never touches the network and needs no API key: a client whose transport replays may leave
/// <see cref="HumanloopClientOptions.ApiKey"/> unset, and then sends no key header. Call <see cref="Save"/> when done: Record and Auto write the fixture then. The transport
/// never disposes the network handler it passes requests to.
/// </remarks>
public sealed class RecordingTransport : HttpMessageHandler
{
    private static readonly string[] KeptResponseHeaders = ["content-type", "retry-after", "retry-after-ms", "x-ms-retry-after-ms"];

    private readonly HttpMessageInvoker? _network;
    private readonly RecordingScrubber _scrubber;
    private readonly RequestMatcher _matcher;
    private readonly List<Recording> _fixture;
    private readonly List<PendingExchange> _recorded = [];
    private readonly object _gate = new();
    private readonly bool _allowRepeats;
    private readonly bool _requireAllUsed;
    private int _replayed;

    private RecordingTransport(string fixturePath, RecordingOptions options, RecordingMode effectiveMode, RecordingScrubber scrubber, RequestMatcher matcher, List<RecordedExchange> fixture, HttpMessageHandler? network)
    {
        FixturePath = fixturePath;
        Mode = options.Mode;
        EffectiveMode = effectiveMode;
        Pacing = options.Pacing;
        _allowRepeats = options.AllowRepeats;
        _requireAllUsed = options.RequireAllUsed;
        _scrubber = scrubber;
        _matcher = matcher;
        _fixture = fixture.Select(exchange => new Recording(exchange, _matcher.KeyOf(exchange.Request))).ToList();
        _network = network is null ? null : new HttpMessageInvoker(network, disposeHandler: false);
    }

    /// <summary>The fixture file.</summary>
    public string FixturePath { get; }

    /// <summary>The mode the transport was opened in.</summary>
    public RecordingMode Mode { get; }

    /// <summary>
    /// What the transport does with requests: <see cref="Mode"/>, except that <see cref="RecordingMode.Once"/>
    /// is <see cref="RecordingMode.Record"/> for a fixture that did not exist and <see cref="RecordingMode.Replay"/> for one that did.
    /// </summary>
    public RecordingMode EffectiveMode { get; }

    /// <summary>Whether stream delays are stored (Record, Auto) and waited again (Replay, Auto).</summary>
    public bool Pacing { get; }

    /// <summary>What a transport opened on <paramref name="fixturePath"/> in <paramref name="mode"/> would do; see <see cref="EffectiveMode"/>.</summary>
    public static RecordingMode EffectiveModeOf(string fixturePath, RecordingMode mode) =>
        mode != RecordingMode.Once ? mode : File.Exists(fixturePath) ? RecordingMode.Replay : RecordingMode.Record;

    /// <summary>
    /// Opens a fixture. Replay, Auto and Once read it (Replay requires it to exist; Auto starts empty
    /// without it; Once records when it is missing); Record starts empty and replaces the file on <see cref="Save"/>.
    /// </summary>
    /// <param name="fixturePath">The fixture file, for example <c>tests/fixtures/summaries.json</c>.</param>
    /// <param name="options">Mode, matching, scrubbing and pacing; read once.</param>
    /// <param name="network">
    /// Where Record and Auto send requests; by default the process-wide pooled handler (system proxy
    /// settings). Not used in Replay.
    /// </param>
    /// <exception cref="HumanloopRecordingException">The fixture is missing (Replay) or cannot be read.</exception>
    /// <exception cref="ArgumentException">An ignore or scrub rule is not usable.</exception>
    public static RecordingTransport Open(string fixturePath, RecordingOptions options, HttpMessageHandler? network = null)
    {
        if (string.IsNullOrWhiteSpace(fixturePath))
        {
            throw new ArgumentException("The fixture path is empty.", nameof(fixturePath));
        }

        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        // The rules are checked before the file is read: a mistyped rule is the first thing to fix.
        var scrubber = new RecordingScrubber(options.ScrubFields, options.ScrubPatterns);
        var matcher = new RequestMatcher(options.IgnoreFields, scrubber);
        var fixture = options.Mode == RecordingMode.Record ? [] : FixtureFile.Load(fixturePath);
        if (fixture is null && options.Mode == RecordingMode.Replay)
        {
            throw new HumanloopRecordingException(
                $"The fixture {fixturePath} does not exist, so there is nothing to replay. Record it first with mode Record, Auto or Once (and a key for the real endpoint).",
                fixturePath);
        }

        var effective = options.Mode != RecordingMode.Once ? options.Mode : fixture is null ? RecordingMode.Record : RecordingMode.Replay;
        var passOn = effective == RecordingMode.Replay ? null : network ?? HttpClientCache.SharedHandler(null, null);
        return new RecordingTransport(fixturePath, options, effective, scrubber, matcher, fixture ?? [], passOn);
    }

    /// <summary>
    /// Writes the fixture in Record mode (and Once, when it recorded), and in Auto mode when something new
    /// was recorded (Replay writes nothing), masking secrets first. A stream still being read is saved as
    /// far as it got. A fixture that holds exchanges is never replaced by a run that recorded nothing or
    /// got a 401 or 403 (a wrong or missing key): the file is kept, and the summary says why
    /// (<see cref="RecordingSummary.Refused"/>, <see cref="RecordingSummary.NotSavedReason"/>).
    /// </summary>
    /// <returns>What the recording did.</returns>
    /// <exception cref="HumanloopRecordingException">
    /// The file could not be written; or <see cref="RecordingOptions.RequireAllUsed"/> is set and recorded
    /// exchanges were not replayed (the exception's <see cref="HumanloopRecordingException.Summary"/> is
    /// then set: the recording did end).
    /// </exception>
    public RecordingSummary Save()
    {
        RecordingSummary summary;
        lock (_gate)
        {
            foreach (var pending in _recorded)
            {
                pending.Recorder?.Finish(StreamEnd.Abandoned);
            }

            var recorded = _recorded.Where(pending => pending.Exchange is not null).Select(pending => pending.Exchange!).ToList();
            var held = EffectiveMode == RecordingMode.Record ? ExchangesInFile() : _fixture.Count;
            var (refusal, notWritten) = WhyNotWrite(recorded, held);
            var write = refusal is null && notWritten is null;
            var exchanges = EffectiveMode == RecordingMode.Record ? recorded : _fixture.Select(entry => entry.Exchange).Concat(recorded).ToList();
            if (write)
            {
                foreach (var exchange in exchanges)
                {
                    _scrubber.RememberFieldValues(exchange.Request);
                }

                foreach (var exchange in exchanges)
                {
                    _scrubber.Scrub(exchange);
                }

                FixtureFile.Save(FixturePath, FixtureFile.ToText(exchanges));
            }

            summary = new RecordingSummary(FixturePath, Mode, _replayed, recorded.Count, UnusedExchanges(), write ? exchanges.Count : held, write, refusal ?? notWritten, refusal is not null);
        }

        if (_requireAllUsed && summary.Unused > 0)
        {
            throw new HumanloopRecordingException(
                $"{summary.Unused} of {_fixture.Count} recorded exchange(s) in {FixturePath} were never replayed, and the recording requires every one to be used:"
                    + string.Concat(summary.UnusedExchanges.Select(line => "\n  " + line))
                    + "\nRemove them from the fixture or record it again, or leave -RequireAllUsed (RecordingOptions.RequireAllUsed) out.",
                FixturePath,
                summary);
        }

        return summary;
    }

    /// <summary>What the recording has done so far, without writing anything.</summary>
    public RecordingSummary GetSummary()
    {
        lock (_gate)
        {
            var recorded = _recorded.Count(pending => pending.Exchange is not null);
            var exchanges = EffectiveMode == RecordingMode.Record ? recorded : _fixture.Count + recorded;
            return new RecordingSummary(FixturePath, Mode, _replayed, recorded, UnusedExchanges(), exchanges, saved: false, "the recording is still running; it writes when it stops.", refused: false);
        }
    }

    /// <summary>
    /// Why this run must not write the fixture: a refusal (something went wrong that would cost recorded
    /// exchanges, or a recording run recorded nothing), or a plain reason (nothing to write); both null to write.
    /// </summary>
    private (string? Refusal, string? NotWritten) WhyNotWrite(List<RecordedExchange> recorded, int held)
    {
        if (EffectiveMode == RecordingMode.Replay)
        {
            return (null, Mode == RecordingMode.Once ? "Once mode replays a fixture that exists and writes nothing." : "Replay mode writes nothing.");
        }

        if (EffectiveMode == RecordingMode.Auto && recorded.Count == 0)
        {
            return (null, "nothing new was recorded, so the file is as it was.");
        }

        var rejected = recorded.Where(exchange => exchange.Response.Status is 401 or 403).ToList();
        if (rejected.Count > 0 && held > 0)
        {
            var statuses = string.Join(" and ", rejected.Select(exchange => exchange.Response.Status).Distinct().OrderBy(status => status));
            return ($"{rejected.Count} of the {recorded.Count} recorded answer(s) were {statuses} (the first for {rejected[0].Request.Method} {rejected[0].Request.Path}), "
                + $"which a wrong or missing API key gives; the {held} exchange(s) the fixture holds were kept. Check the key and record again.", null);
        }

        if (recorded.Count == 0)
        {
            return (held > 0
                ? $"nothing was recorded (no request got an answer: was a key set?), so the {held} exchange(s) the fixture holds were kept."
                : "nothing was recorded (no request got an answer: was a key set?), so no fixture was written.", null);
        }

        return (null, null);
    }

    /// <summary>How many exchanges the file on disk holds; a file that cannot be read holds none worth keeping.</summary>
    private int ExchangesInFile()
    {
        try
        {
            return FixtureFile.Load(FixturePath)?.Count ?? 0;
        }
        catch (HumanloopRecordingException)
        {
            return 0;
        }
    }

    /// <summary>The fixture's exchanges nothing asked for: number, method, path and the start of the body.</summary>
    private List<string> UnusedExchanges() => _fixture
        .Select((entry, index) => (entry, index))
        .Where(item => !item.entry.Used)
        .Select(item => $"exchange {item.index + 1}: {item.entry.Exchange.Request.Method} {item.entry.Exchange.Request.Path} {DescribeBody(item.entry.Exchange.Request.Body)}")
        .ToList();

    private static string DescribeBody(RecordedBody? body)
    {
        const int MaxLength = 80;
        if (body is null)
        {
            return "(no body)";
        }

        var text = body.IsJson ? CanonicalJson.ToCompactText(body.Json) : body.ToText();
        return text.Length > MaxLength ? text.Substring(0, MaxLength) + "…" : text;
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var sent = await CaptureAsync(request).ConfigureAwait(false);
        if (EffectiveMode != RecordingMode.Record)
        {
            var key = _matcher.KeyOf(sent);
            if (TakeRecording(key, reuseLast: _allowRepeats) is { } recording)
            {
                return Replay(recording, request);
            }

            if (EffectiveMode == RecordingMode.Replay)
            {
                throw NoRecordingFor(key);
            }
        }

        return await RecordAsync(request, sent, cancellationToken).ConfigureAwait(false);
    }

    private async Task<RecordedRequest> CaptureAsync(HttpRequestMessage request)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("The request has no URI.");
        var captured = new RecordedRequest(request.Method.Method.ToUpperInvariant(), uri.IsAbsoluteUri ? uri.PathAndQuery : uri.OriginalString);
        if (request.Headers.TryGetValues("X-API-KEY", out var keys))
        {
            foreach (var value in keys)
            {
                _scrubber.Remember(value);
            }

            // Present but never stored: the mask shows a key was sent without saying which.
            captured.Headers[RecordingScrubber.ApiKeyHeader] = RecordingScrubber.Mask;
        }

        if (request.Headers.Accept.Count > 0)
        {
            captured.Headers["accept"] = request.Headers.Accept.ToString();
        }

        if (request.Content is not null)
        {
            captured.Body = RecordedBody.FromBytes(await request.Content.ReadAsByteArrayAsync().ConfigureAwait(false));
        }

        return captured;
    }

    private RecordedExchange? TakeRecording(MatchKey key, bool reuseLast)
    {
        lock (_gate)
        {
            Recording? lastMatch = null;
            foreach (var entry in _fixture)
            {
                if (RequestMatcher.Differences(entry.Key, key).Count > 0)
                {
                    continue;
                }

                if (!entry.Used)
                {
                    entry.Used = true;
                    _replayed++;
                    return entry.Exchange;
                }

                lastMatch = entry;
            }

            // Only when repeats are allowed does the last one answer again (a loop may send more than was
            // recorded); otherwise Replay fails and Auto records afresh.
            if (reuseLast && lastMatch is not null)
            {
                _replayed++;
                return lastMatch.Exchange;
            }

            return null;
        }
    }

    private HumanloopRecordingException NoRecordingFor(MatchKey sent)
    {
        const int MaxDifferencesShown = 8;
        if (_fixture.Count == 0)
        {
            return new HumanloopRecordingException(
                $"The fixture {FixturePath} holds no recordings, so {sent.Describe()} cannot be replayed.",
                HumanloopRecordingFix.Record,
                FixturePath,
                sent.Describe(),
                closestExchange: null,
                differences: []);
        }

        var answered = _fixture.Select((entry, index) => (Entry: entry, Index: index)).Where(item => RequestMatcher.Differences(item.Entry.Key, sent).Count == 0).ToList();
        if (answered.Count > 0)
        {
            return new HumanloopRecordingException(
                $"{sent.Describe()} was sent again, but the {answered.Count} recording(s) of it in {FixturePath} have all answered already, and repeats are off.",
                HumanloopRecordingFix.AllowRepeatsOrRecord,
                FixturePath,
                sent.Describe(),
                answered[answered.Count - 1].Index + 1,
                differences: []);
        }

        var ranked = _fixture
            .Select((entry, index) => (Index: index, Entry: entry, Differences: RequestMatcher.Differences(entry.Key, sent)))
            .OrderBy(candidate => RequestMatcher.DiffersInRoute(candidate.Entry.Key, sent) ? 1 : 0)
            .ThenBy(candidate => candidate.Differences.Count)
            .ThenBy(candidate => candidate.Index)
            .First();
        var message = new StringBuilder()
            .Append("No recording in ").Append(FixturePath).Append(" matches ").Append(sent.Describe()).AppendLine(".")
            .Append("The closest is exchange ").Append(ranked.Index + 1).Append(" of ").Append(_fixture.Count)
            .Append(" (").Append(ranked.Entry.Key.Describe()).AppendLine("), which differs in:");
        foreach (var difference in ranked.Differences.Take(MaxDifferencesShown))
        {
            message.Append("  ").AppendLine(difference);
        }

        if (ranked.Differences.Count > MaxDifferencesShown)
        {
            message.Append("  …and ").Append(ranked.Differences.Count - MaxDifferencesShown).AppendLine(" more");
        }

        return new HumanloopRecordingException(message.ToString(), HumanloopRecordingFix.RecordOrIgnoreFields, FixturePath, sent.Describe(), ranked.Index + 1, ranked.Differences);
    }

    private HttpResponseMessage Replay(RecordedExchange exchange, HttpRequestMessage request)
    {
        var recorded = exchange.Response;
        HttpContent content = recorded.Events is { } events
            ? new StreamContent(new ReplayStream(events, recorded.StreamEnd, recorded.StreamError, Pacing))
            : new ByteArrayContent(recorded.Body?.ToBytes() ?? []);
        var response = new HttpResponseMessage((HttpStatusCode)recorded.Status) { RequestMessage = request, Content = content };
        if (recorded.Reason is not null)
        {
            response.ReasonPhrase = recorded.Reason;
        }

        foreach (var header in recorded.Headers)
        {
            if (!response.Headers.TryAddWithoutValidation(header.Key, header.Value))
            {
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        // A hand-written fixture may leave the content type out; the client needs it to read a stream.
        if (content.Headers.ContentType is null && (recorded.Events is not null || recorded.Body is { IsJson: true }))
        {
            content.Headers.ContentType = new MediaTypeHeaderValue(recorded.Events is not null ? "text/event-stream" : "application/json");
        }

        return response;
    }

    private async Task<HttpResponseMessage> RecordAsync(HttpRequestMessage request, RecordedRequest sent, CancellationToken cancellationToken)
    {
        var pending = new PendingExchange(sent);
        lock (_gate)
        {
            _recorded.Add(pending);
        }

        HttpResponseMessage response;
        try
        {
            response = await _network!.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Nothing answered, so there is nothing to replay: a connection failure is not recorded.
            Forget(pending);
            throw;
        }

        var recorded = new RecordedResponse((int)response.StatusCode) { Reason = response.ReasonPhrase };
        foreach (var name in KeptResponseHeaders)
        {
            if (response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values))
            {
                recorded.Headers[name] = string.Join(", ", values);
            }
        }

        var original = response.Content;
        if (string.Equals(original.Headers.ContentType?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            // Passed through as it arrives; the recorder sees each read as the caller does.
            var recorder = new StreamRecorder(recorded, Pacing, finished => Complete(pending, finished));
            lock (_gate)
            {
                pending.Recorder = recorder;
            }

            var body = await original.ReadAsStreamAsync().ConfigureAwait(false);
            response.Content = WithHeadersOf(original, new StreamContent(new RecordingTeeStream(body, recorder)));
            return response;
        }

        byte[] bytes;
        try
        {
            bytes = await ReadAllAsync(original, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Forget(pending);
            response.Dispose();
            throw;
        }

        recorded.Body = RecordedBody.FromBytes(bytes);
        Complete(pending, recorded);
        response.Content = WithHeadersOf(original, new ByteArrayContent(bytes));
        original.Dispose();
        return response;
    }

    private void Forget(PendingExchange pending)
    {
        lock (_gate)
        {
            _recorded.Remove(pending);
        }
    }

    private void Complete(PendingExchange pending, RecordedResponse response)
    {
        lock (_gate)
        {
            pending.Exchange = new RecordedExchange(pending.Request, response);
        }
    }

    private static HttpContent WithHeadersOf(HttpContent original, HttpContent replacement)
    {
        foreach (var header in original.Headers)
        {
            replacement.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return replacement;
    }

    private static async Task<byte[]> ReadAllAsync(HttpContent content, CancellationToken cancellationToken)
    {
        using var stream = await content.ReadAsStreamAsync().ConfigureAwait(false);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, 16 * 1024, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // The invoker was made not to dispose the network handler, which is shared or the caller's.
            _network?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>An exchange of the fixture file, with what matching compares and whether it has answered yet.</summary>
    private sealed class Recording(RecordedExchange exchange, MatchKey key)
    {
        public RecordedExchange Exchange { get; } = exchange;

        public MatchKey Key { get; } = key;

        public bool Used { get; set; }
    }

    /// <summary>A request sent in Record or Auto mode; complete once its answer (or its whole stream) is in.</summary>
    private sealed class PendingExchange(RecordedRequest request)
    {
        public RecordedRequest Request { get; } = request;

        public RecordedExchange? Exchange { get; set; }

        public StreamRecorder? Recorder { get; set; }
    }
}
