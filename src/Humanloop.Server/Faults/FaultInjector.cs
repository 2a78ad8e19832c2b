using System.Text.Json.Nodes;
using Humanloop.Server.Domain;
using Humanloop.Server.Http;

namespace Humanloop.Server.Faults;

/// <summary>
/// The fault rules, the per-path request counters and the count of requests in flight. A request
/// goes down the rules in the order they were added and takes the first that applies; a delay rule
/// does not end the search: after its wait the request goes on down the list, past any other delay.
/// </summary>
internal sealed class FaultInjector
{
    /// <summary>At most this many rules are kept; adding one more is refused until a clear.</summary>
    public const int MaxRules = 1000;

    /// <summary>At most this many distinct paths are counted; requests to further paths are counted together.</summary>
    public const int MaxCountedPaths = 1000;

    /// <summary>Where requests to paths past <see cref="MaxCountedPaths"/> are counted.</summary>
    public const string OtherPaths = "(other paths)";

    private readonly Lock _gate = new();
    private readonly List<FaultRule> _rules = new();
    private readonly SortedDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private readonly List<(int Count, TaskCompletionSource Reached)> _barriers = new();
    private int _inFlight;
    private int _arrived;

    public bool HasPendingRules
    {
        get
        {
            lock (_gate)
            {
                return _rules.Any(r => r.Remaining > 0);
            }
        }
    }

    public FaultRule Add(FieldReader body)
    {
        var kind = body.Enum("fault", FaultKinds.All, required: true);
        var path = body.String("path");
        var method = body.String("method");
        var count = body.Int("count") ?? 1;
        var status = body.Int("status");
        var delay = body.Int("delay_ms");
        var afterEvents = body.Int("after_events") ?? 1;
        var awaitRequests = body.Int("await_requests");
        if (kind == FaultKinds.Status && status is null)
        {
            body.Errors.Missing(body.At("status"));
        }

        if (kind == FaultKinds.Delay && delay is null)
        {
            body.Errors.Missing(body.At("delay_ms"));
        }

        if (delay < 0)
        {
            body.Errors.Add(body.At("delay_ms"), "ensure this value is greater than or equal to 0", "value_error.number.not_ge");
        }

        if (status is < 100 or > 599)
        {
            body.Errors.Add(body.At("status"), "ensure this value is an HTTP status code (100-599)", "value_error.number");
        }

        if (count < 1)
        {
            body.Errors.Add(body.At("count"), "ensure this value is greater than or equal to 1", "value_error.number.not_ge");
        }

        if (awaitRequests < 1)
        {
            body.Errors.Add(body.At("await_requests"), "ensure this value is greater than or equal to 1", "value_error.number.not_ge");
        }

        if (afterEvents < 0)
        {
            body.Errors.Add(body.At("after_events"), "ensure this value is greater than or equal to 0", "value_error.number.not_ge");
        }

        var retryAfter = HeaderValue(body, "retry_after");
        var contentType = HeaderValue(body, "content_type");
        var retryAfterMs = body.Number("retry_after_ms");
        if (retryAfterMs < 0)
        {
            body.Errors.Add(body.At("retry_after_ms"), "ensure this value is greater than or equal to 0", "value_error.number.not_ge");
        }

        if (method is not null && !method.All(c => char.IsAsciiLetter(c)))
        {
            body.Errors.Add(body.At("method"), "ensure this value is an HTTP method (letters only)", "value_error.str.method");
        }

        var rule = new FaultRule
        {
            Id = Ids.New("fault"),
            Kind = kind ?? "",
            Path = path,
            Method = method,
            Count = count,
            Remaining = count,
            StatusCode = status,
            RetryAfter = retryAfter,
            RetryAfterMs = retryAfterMs,
            Body = body.String("body"),
            ContentType = contentType,
            DelayMs = delay,
            AfterEvents = afterEvents,
            AwaitRequests = awaitRequests,
            Abort = body.Bool("abort") ?? false,
        };
        body.Errors.ThrowIfAny();

        lock (_gate)
        {
            if (_rules.Count >= MaxRules)
            {
                throw new ApiException(StatusCodes.Status409Conflict,
                    System.Text.Json.Nodes.JsonValue.Create($"There are already {MaxRules} fault rules; DELETE /_faults clears them."));
            }

            _rules.Add(rule);
        }

        return rule;
    }

    /// <summary>A string that becomes a response header: no control characters (CR or LF would split the response).</summary>
    private static string? HeaderValue(FieldReader body, string name)
    {
        var value = body.String(name);
        if (value is not null && value.Any(char.IsControl))
        {
            body.Errors.Add(body.At(name), "ensure this value has no control characters (it becomes a response header)", "value_error.str.header");
            return null;
        }

        return value;
    }

    /// <summary>
    /// Counts a /v4 request and holds it in flight until the result is disposed: when its response
    /// starts, or when it ends without one (the first of the two; later calls do nothing).
    /// </summary>
    public IDisposable Arrive(string path)
    {
        lock (_gate)
        {
            var counted = _requests.ContainsKey(path) || _requests.Count < MaxCountedPaths ? path : OtherPaths;
            _requests[counted] = _requests.GetValueOrDefault(counted) + 1;
            _inFlight++;
            _arrived++;
            for (var index = _barriers.Count - 1; index >= 0; index--)
            {
                if (_barriers[index].Count <= _arrived)
                {
                    _barriers[index].Reached.TrySetResult();
                    _barriers.RemoveAt(index);
                }
            }
        }

        return new Departure(this);
    }

    /// <summary>Completes once <paramref name="count"/> /v4 requests have arrived since the last clear (at once after a clear).</summary>
    public Task WaitForRequestsAsync(int count, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_arrived >= count)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _barriers.Add((count, reached));
            return reached.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Takes the first rule with uses left that applies to the request, looking from
    /// <paramref name="position"/> on (past delays when <paramref name="delayed"/>: a request waits once),
    /// and moves the position past it; null when none applies.
    /// </summary>
    public FaultRule? TryTake(string path, string method, bool streaming, bool delayed, ref int position)
    {
        lock (_gate)
        {
            for (var index = position; index < _rules.Count; index++)
            {
                var rule = _rules[index];
                if (rule.Remaining > 0 && !(delayed && rule.Kind == FaultKinds.Delay) && rule.Matches(path, method, streaming))
                {
                    rule.Remaining--;
                    rule.Hits++;
                    rule.MaxInFlight = Math.Max(rule.MaxInFlight, _inFlight);
                    position = index + 1;
                    return rule;
                }
            }

            position = _rules.Count;
            return null;
        }
    }

    public JsonObject Snapshot()
    {
        lock (_gate)
        {
            var requests = new JsonObject();
            foreach (var (path, count) in _requests)
            {
                requests[path] = count;
            }

            return new JsonObject
            {
                ["rules"] = new JsonArray(_rules.Select(r => (JsonNode)r.ToJson()).ToArray()),
                ["requests"] = requests,
                ["in_flight"] = _inFlight,
            };
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
            _requests.Clear();
            _arrived = 0;

            // Nobody waits for a count that has just started again.
            foreach (var (_, reached) in _barriers)
            {
                reached.TrySetResult();
            }

            _barriers.Clear();
        }
    }

    private sealed class Departure(FaultInjector injector) : IDisposable
    {
        private int _departed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _departed, 1) == 0)
            {
                lock (injector._gate)
                {
                    injector._inFlight--;
                }
            }
        }
    }
}
