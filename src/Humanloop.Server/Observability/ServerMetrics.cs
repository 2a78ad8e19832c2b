using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Humanloop.Server.Observability;

/// <summary>
/// The server's metrics, as <see cref="System.Diagnostics.Metrics"/> instruments on a meter of this server's own
/// (so an OpenTelemetry exporter can also listen to meter <see cref="MeterName"/>), aggregated here by a listener and
/// written at <c>/metrics</c> in the Prometheus text format (version 0.0.4).
/// </summary>
internal sealed class ServerMetrics : IDisposable
{
    public const string MeterName = "Humanloop.Server";
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly double[] LatencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly Meter _meter = new(MeterName);
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Name, string Labels), Series> _series = new();
    private readonly Dictionary<string, (string Type, string Help)> _families = new(StringComparer.Ordinal);

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _requestDuration;
    private readonly Counter<long> _providerCalls;
    private readonly Counter<long> _providerErrors;
    private readonly Histogram<double> _providerDuration;
    private readonly Counter<long> _tokens;
    private readonly UpDownCounter<long> _openStreams;

    public ServerMetrics()
    {
        _requests = Counter("humanloop_http_requests_total", "HTTP requests answered, by method, route template and status.");
        _requestDuration = Histogram("humanloop_http_request_duration_seconds", "Time from a request's arrival to the end of its response, by method and route template.");
        _providerCalls = Counter("humanloop_provider_calls_total", "Calls to model providers, by provider and outcome (ok or error).");
        _providerErrors = Counter("humanloop_provider_errors_total", "Provider calls that failed, by provider and the HTTP status the server answered with.");
        _providerDuration = Histogram("humanloop_provider_call_duration_seconds", "Provider call time (to the whole answer, or to the end of a stream), by provider.");
        _tokens = Counter("humanloop_tokens_total", "Tokens, by provider and kind (prompt or generation).");
        _openStreams = _meter.CreateUpDownCounter<long>("humanloop_open_streams");
        _families["humanloop_open_streams"] = ("gauge", "Provider streams open now (each streamed completion or chat holds one).");

        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, _meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public void Request(string method, string route, int status, double seconds)
    {
        _requests.Add(1, new("method", method), new("route", route), new("status", status.ToString(CultureInfo.InvariantCulture)));
        _requestDuration.Record(seconds, new("method", method), new("route", route));
    }

    public void ProviderCall(string provider, double seconds, int? errorStatus)
    {
        _providerCalls.Add(1, new("provider", provider), new("outcome", errorStatus is null ? "ok" : "error"));
        _providerDuration.Record(seconds, new KeyValuePair<string, object?>("provider", provider));
        if (errorStatus is { } status)
        {
            _providerErrors.Add(1, new("provider", provider), new("status", status.ToString(CultureInfo.InvariantCulture)));
        }
    }

    public void Tokens(string provider, int prompt, int generation)
    {
        _tokens.Add(prompt, new("provider", provider), new("kind", "prompt"));
        _tokens.Add(generation, new("provider", provider), new("kind", "generation"));
    }

    public void StreamOpened() => _openStreams.Add(1);

    public void StreamClosed() => _openStreams.Add(-1);

    /// <summary>Every series, in the Prometheus text exposition format.</summary>
    public string Write()
    {
        var text = new StringBuilder();
        foreach (var (name, (type, help)) in _families.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            foreach (var ((_, labels), series) in _series.Where(s => s.Key.Name == name).OrderBy(s => s.Key.Labels, StringComparer.Ordinal))
            {
                series.Write(text, name, labels);
            }

            if (name == "humanloop_open_streams" && !_series.Keys.Any(k => k.Name == name))
            {
                text.Append(name).Append(" 0\n");
            }
        }

        return text.ToString();
    }

    public void Dispose()
    {
        _listener.Dispose();
        _meter.Dispose();
    }

    private Counter<long> Counter(string name, string help)
    {
        _families[name] = ("counter", help);
        return _meter.CreateCounter<long>(name);
    }

    private Histogram<double> Histogram(string name, string help)
    {
        _families[name] = ("histogram", help);
        return _meter.CreateHistogram<double>(name, "s");
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = Labels(tags);
        var series = _series.GetOrAdd((instrument.Name, labels), _ => instrument is Histogram<double> ? new HistogramSeries() : new SumSeries());
        series.Add(value);
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return "";
        }

        var text = new StringBuilder();
        foreach (var (key, value) in tags)
        {
            text.Append(text.Length == 0 ? "" : ",").Append(key).Append("=\"").Append(Escape(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")).Append('"');
        }

        return text.ToString();
    }

    /// <summary>A label value as the format wants it: backslash, double quote and line feed escaped.</summary>
    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : value.ToString("R", CultureInfo.InvariantCulture);

    private abstract class Series
    {
        public abstract void Add(double value);

        public abstract void Write(StringBuilder text, string name, string labels);

        protected static string Braces(string labels) => labels.Length == 0 ? "" : "{" + labels + "}";
    }

    private sealed class SumSeries : Series
    {
        private readonly Lock _gate = new();
        private double _sum;

        public override void Add(double value)
        {
            lock (_gate)
            {
                _sum += value;
            }
        }

        public override void Write(StringBuilder text, string name, string labels)
        {
            lock (_gate)
            {
                text.Append(name).Append(Braces(labels)).Append(' ').Append(Number(_sum)).Append('\n');
            }
        }
    }

    private sealed class HistogramSeries : Series
    {
        private readonly Lock _gate = new();
        private readonly long[] _buckets = new long[LatencyBuckets.Length];
        private long _count;
        private double _sum;

        public override void Add(double value)
        {
            lock (_gate)
            {
                _count++;
                _sum += value;
                for (var i = 0; i < LatencyBuckets.Length; i++)
                {
                    if (value <= LatencyBuckets[i])
                    {
                        _buckets[i]++;
                    }
                }
            }
        }

        public override void Write(StringBuilder text, string name, string labels)
        {
            var prefix = labels.Length == 0 ? "" : labels + ",";
            lock (_gate)
            {
                for (var i = 0; i < LatencyBuckets.Length; i++)
                {
                    text.Append(name).Append("_bucket{").Append(prefix).Append("le=\"").Append(Number(LatencyBuckets[i])).Append("\"} ").Append(_buckets[i]).Append('\n');
                }

                text.Append(name).Append("_bucket{").Append(prefix).Append("le=\"+Inf\"} ").Append(_count).Append('\n');
                text.Append(name).Append("_sum").Append(Braces(labels)).Append(' ').Append(Number(_sum)).Append('\n');
                text.Append(name).Append("_count").Append(Braces(labels)).Append(' ').Append(_count).Append('\n');
            }
        }
    }
}
