using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Humanloop.Server.Observability;
using Humanloop.Server.Storage;
using Humanloop.Server.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Humanloop.Server.Tests;

/// <summary>Operators' basics: health, readiness, Prometheus metrics.</summary>
public sealed partial class OperatorTests(OpenAiProviderFixture fixture) : IClassFixture<OpenAiProviderFixture>
{
    private readonly ApiClient _api = fixture.Api;

    private async Task<string> MetricsAsync()
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(fixture.Server.BaseUrl + "/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("version=0.0.4", response.Content.Headers.ContentType.ToString(), StringComparison.Ordinal);
        return await response.Content.ReadAsStringAsync();
    }

    private static double Sample(string metrics, string series)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"No series {series} in:\n{metrics}");
        return double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("""^[a-z_][a-z0-9_]*(\{[a-z_]+="(?:[^"\\]|\\.)*"(,[a-z_]+="(?:[^"\\]|\\.)*")*\})? (-?[0-9.e+E-]+|\+Inf)$""")]
    private static partial Regex SampleLine();

    [Fact]
    public async Task Health_and_readiness_answer_without_a_key()
    {
        using var http = new HttpClient();
        using var health = await http.GetAsync(fixture.Server.BaseUrl + "/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var ready = await http.GetAsync(fixture.Server.BaseUrl + "/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready", (string)JsonNode.Parse(await ready.Content.ReadAsStringAsync())!["status"]!);
    }

    [Fact]
    public async Task Metrics_count_requests_by_route_template_and_status_with_latency_histograms()
    {
        var project = await _api.CreateProjectAsync(Names.Unique("metrics"));
        var before = await MetricsAsync();
        const string ok = "humanloop_http_requests_total{method=\"GET\",route=\"/v4/projects/{id}\",status=\"200\"}";
        const string missing = "humanloop_http_requests_total{method=\"GET\",route=\"/v4/projects/{id}\",status=\"404\"}";
        var okBefore = before.Contains(ok + " ", StringComparison.Ordinal) ? Sample(before, ok) : 0;
        var missingBefore = before.Contains(missing + " ", StringComparison.Ordinal) ? Sample(before, missing) : 0;

        (await _api.GetAsync($"projects/{(string)project["id"]!}")).ShouldBe(HttpStatusCode.OK);
        (await _api.GetAsync($"projects/{(string)project["id"]!}")).ShouldBe(HttpStatusCode.OK);
        (await _api.GetAsync("projects/pr_nowhere")).ShouldBe(HttpStatusCode.NotFound);

        var after = await MetricsAsync();
        Assert.Equal(okBefore + 2, Sample(after, ok));
        Assert.Equal(missingBefore + 1, Sample(after, missing));
        Assert.True(Sample(after, "humanloop_http_request_duration_seconds_bucket{method=\"GET\",route=\"/v4/projects/{id}\",le=\"+Inf\"}") >= okBefore + missingBefore + 3);
        Assert.Contains("# TYPE humanloop_http_request_duration_seconds histogram", after, StringComparison.Ordinal);
        // No id reaches a label: routes are templates.
        Assert.DoesNotContain((string)project["id"]!, after, StringComparison.Ordinal);
        foreach (var line in after.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            Assert.Matches(SampleLine(), line);
        }
    }

    [Fact]
    public async Task Metrics_count_provider_calls_errors_tokens_and_open_streams()
    {
        var before = await MetricsAsync();
        double Or0(string text, string series) => text.Contains(series + " ", StringComparison.Ordinal) ? Sample(text, series) : 0;
        const string mockOk = "humanloop_provider_calls_total{provider=\"mock\",outcome=\"ok\"}";
        const string openAiErrors = "humanloop_provider_errors_total{provider=\"openai\",status=\"502\"}";
        const string mockTokens = "humanloop_tokens_total{provider=\"mock\",kind=\"generation\"}";

        var completion = (await _api.PostAsync("completion", new JsonObject
        {
            ["project"] = Names.Unique("metrics-provider"),
            ["inputs"] = new JsonObject { ["x"] = "hi" },
            ["stream"] = false,
            ["model_config"] = new JsonObject { ["provider"] = "mock", ["model"] = "m", ["prompt_template"] = "Say {{x}}", ["max_tokens"] = 5 },
        })).ShouldBe(HttpStatusCode.OK).Object;
        var (streamed, _) = await _api.PostRawAsync("completion", new JsonObject
        {
            ["project"] = Names.Unique("metrics-provider"),
            ["inputs"] = new JsonObject { ["x"] = "hi" },
            ["stream"] = true,
            ["model_config"] = new JsonObject { ["provider"] = "mock", ["model"] = "m", ["prompt_template"] = "Say {{x}}", ["max_tokens"] = 5 },
        });
        streamed.Dispose();
        (await _api.PostAsync("completion", new JsonObject
        {
            ["project"] = Names.Unique("metrics-provider"),
            ["inputs"] = new JsonObject(),
            ["model_config"] = new JsonObject { ["provider"] = "openai", ["model"] = "fail-500", ["prompt_template"] = "Say hi" },
        })).ShouldBe(HttpStatusCode.BadGateway);

        var after = await MetricsAsync();
        Assert.Equal(Or0(before, mockOk) + 2, Sample(after, mockOk));
        Assert.Equal(Or0(before, openAiErrors) + 1, Sample(after, openAiErrors));
        var generated = (int)completion["usage"]!["generation_tokens"]!;
        Assert.True(Sample(after, mockTokens) >= Or0(before, mockTokens) + generated);
        Assert.True(Sample(after, "humanloop_provider_call_duration_seconds_count{provider=\"openai\"}") >= 1);
        Assert.Equal(0, Sample(after, "humanloop_open_streams"));
    }
}

/// <summary>One structured line per request, never a key or a prompt unless prompt logging is on.</summary>
public sealed class RequestLogTests
{
    private sealed class CapturingProvider : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, LogLevel Level, string Message, IReadOnlyList<KeyValuePair<string, object?>> State)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue((category, logLevel, formatter(state, exception), state as IReadOnlyList<KeyValuePair<string, object?>> ?? []));
        }
    }

    private static async Task<(CapturingProvider Logs, string ProjectId)> RunCompletionAsync(bool logPrompts)
    {
        var logs = new CapturingProvider();
        await using var server = await TestServers.StartAsync(TestServers.InMemory() with { RequestLogs = true, LogPrompts = logPrompts, LoggerProvider = logs });
        using var api = new ApiClient(server, TestServers.ApiKey);
        var response = (await api.PostAsync("completion", new JsonObject
        {
            ["project"] = Names.Unique("logged"),
            ["inputs"] = new JsonObject { ["x"] = "the-secret-prompt-input" },
            ["provider_api_keys"] = new JsonObject { ["openai"] = "sk-request-key-never-logged" },
            ["model_config"] = new JsonObject { ["provider"] = "mock", ["model"] = "m", ["prompt_template"] = "Say {{x}}" },
        })).ShouldBe(HttpStatusCode.OK).Object;
        return (logs, (string)response["project_id"]!);
    }

    [Fact]
    public async Task Each_request_is_one_structured_line_with_route_status_duration_and_project()
    {
        var (logs, projectId) = await RunCompletionAsync(logPrompts: false);
        var lines = logs.Entries.Where(e => e.Category == RequestLogMiddleware.Category).ToList();
        var line = Assert.Single(lines);
        Assert.Equal(LogLevel.Information, line.Level);
        var fields = line.State.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("POST", fields["Method"]);
        Assert.Equal("/v4/completion", fields["Route"]);
        Assert.Equal(200, fields["Status"]);
        Assert.Equal(projectId, fields["Project"]);
        Assert.IsType<double>(fields["DurationMs"]);
        Assert.DoesNotContain("Prompt", fields.Keys);
        foreach (var entry in logs.Entries)
        {
            Assert.DoesNotContain(TestServers.ApiKey, entry.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("sk-request-key-never-logged", entry.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("the-secret-prompt-input", entry.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Prompt_logging_is_the_operators_choice()
    {
        var (logs, _) = await RunCompletionAsync(logPrompts: true);
        var line = Assert.Single(logs.Entries, e => e.Category == RequestLogMiddleware.Category);
        Assert.Contains("Say the-secret-prompt-input", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-request-key-never-logged", line.Message, StringComparison.Ordinal);
    }
}

/// <summary>The limit and logging flags, and their environment variables.</summary>
public sealed class OperatorOptionTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Limits_and_logging_have_defaults()
    {
        var options = Humanloop.Server.Hosting.ServerOptionsParser.Parse([], Env()).Options!;
        Assert.Equal(100, options.Limits.MaxNumSamples);
        Assert.Equal(1000, options.Limits.MaxPageSize);
        Assert.Equal("text", options.LogFormat);
        Assert.False(options.LogPrompts);
        Assert.True(options.RequestLogs);
    }

    [Fact]
    public void Flags_win_over_the_environment()
    {
        var env = Env(("HUMANLOOP_SERVER_MAX_NUM_SAMPLES", "7"), ("HUMANLOOP_SERVER_MAX_PAGE_SIZE", "50"), ("HUMANLOOP_SERVER_LOG_FORMAT", "json"), ("HUMANLOOP_SERVER_LOG_PROMPTS", "1"));
        var fromEnv = Humanloop.Server.Hosting.ServerOptionsParser.Parse([], env).Options!;
        Assert.Equal((7, 50, "json", true), (fromEnv.Limits.MaxNumSamples, fromEnv.Limits.MaxPageSize, fromEnv.LogFormat, fromEnv.LogPrompts));

        var fromFlags = Humanloop.Server.Hosting.ServerOptionsParser.Parse(["--max-num-samples", "3", "--max-page-size=20", "--log-format", "text"], env).Options!;
        Assert.Equal((3, 20, "text"), (fromFlags.Limits.MaxNumSamples, fromFlags.Limits.MaxPageSize, fromFlags.LogFormat));
    }

    [Theory]
    [InlineData("--max-num-samples", "0")]
    [InlineData("--max-page-size", "many")]
    [InlineData("--log-format", "xml")]
    public void A_bad_value_is_an_error_naming_the_flag(string flag, string value)
    {
        var parsed = Humanloop.Server.Hosting.ServerOptionsParser.Parse([flag, value], Env());
        Assert.Null(parsed.Options);
        Assert.Contains(flag, parsed.Error, StringComparison.Ordinal);
        Assert.Contains(value, parsed.Error, StringComparison.Ordinal);
    }
}
