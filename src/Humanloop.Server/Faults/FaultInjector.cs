using System.Text.Json.Nodes;
using Humanloop.Server.Domain;
using Humanloop.Server.Http;

namespace Humanloop.Server.Faults;

/// <summary>
/// The fault rules and the per-path request counters. Rules are taken in the order they were
/// added; a request takes at most one.
/// </summary>
internal sealed class FaultInjector
{
    private readonly Lock _gate = new();
    private readonly List<FaultRule> _rules = new();
    private readonly SortedDictionary<string, int> _requests = new(StringComparer.Ordinal);

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
        if (kind == FaultKinds.Status && status is null)
        {
            body.Errors.Missing(body.At("status"));
        }

        if (status is < 100 or > 599)
        {
            body.Errors.Add(body.At("status"), "ensure this value is an HTTP status code (100-599)", "value_error.number");
        }

        if (count < 1)
        {
            body.Errors.Add(body.At("count"), "ensure this value is greater than or equal to 1", "value_error.number.not_ge");
        }

        if (afterEvents < 0)
        {
            body.Errors.Add(body.At("after_events"), "ensure this value is greater than or equal to 0", "value_error.number.not_ge");
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
            RetryAfter = body.String("retry_after"),
            RetryAfterMs = body.Number("retry_after_ms"),
            Body = body.String("body"),
            ContentType = body.String("content_type"),
            DelayMs = delay,
            AfterEvents = afterEvents,
            Abort = body.Bool("abort") ?? false,
        };
        body.Errors.ThrowIfAny();

        lock (_gate)
        {
            _rules.Add(rule);
        }

        return rule;
    }

    public void CountRequest(string path)
    {
        lock (_gate)
        {
            _requests[path] = _requests.GetValueOrDefault(path) + 1;
        }
    }

    /// <summary>Takes the first rule with uses left that applies to the request, if any.</summary>
    public FaultRule? TryTake(string path, string method, bool streaming)
    {
        lock (_gate)
        {
            var rule = _rules.FirstOrDefault(r => r.Remaining > 0 && r.Matches(path, method, streaming));
            if (rule is not null)
            {
                rule.Remaining--;
                rule.Hits++;
            }

            return rule;
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
            };
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
            _requests.Clear();
        }
    }
}
