using System.Net;
using Humanloop.Http;
using Humanloop.Tests.Support;
using Xunit;
using static Humanloop.Tests.Support.TestClients;

namespace Humanloop.Tests;

/// <summary>The retry policy on its own: which failures it retries, how long it waits, and what its budget allows.</summary>
public class RetryPolicyTests
{
    private readonly List<(HumanloopLogLevel Level, string Message)> _log = [];

    private RetryPolicy Policy(int maxRetries = 2, double random = 0.5, RetryBudget? budget = null, RecordingClock? clock = null) =>
        new(maxRetries, budget ?? new RetryBudget("api.test"), clock, () => random, (level, message) => _log.Add((level, message)));

    private static HumanloopApiException Status(int status, TimeSpan? retryAfter = null) =>
        new((HttpStatusCode)status, null, new HumanloopErrorDetail { Message = "x" }, retryAfter);

    private static HumanloopTimeoutException Timeout(HumanloopSettingName setting) =>
        new("too slow") { Setting = setting, Limit = TimeSpan.FromSeconds(1) };

    // The expected class travels by name: RetryClass is internal and a theory's parameters are public.
    public static TheoryData<string, Exception, string> Failures() => new()
    {
        { "408", Status(408), nameof(RetryClass.Transient) },
        { "429", Status(429), nameof(RetryClass.Transient) },
        { "500", Status(500), nameof(RetryClass.Transient) },
        { "502", Status(502), nameof(RetryClass.Transient) },
        { "503", Status(503), nameof(RetryClass.Transient) },
        { "504", Status(504), nameof(RetryClass.Transient) },
        { "529", Status(529), nameof(RetryClass.Transient) },
        { "400", Status(400), nameof(RetryClass.Final) },
        { "401", Status(401), nameof(RetryClass.Final) },
        { "403", Status(403), nameof(RetryClass.Final) },
        { "404", Status(404), nameof(RetryClass.Final) },
        { "422", Status(422), nameof(RetryClass.Final) },
        { "501", Status(501), nameof(RetryClass.Final) },
        { "connection refused before a response", new HumanloopConnectionException("refused", new HttpRequestException("refused")), nameof(RetryClass.Transient) },
        { "a TLS handshake that failed", new HumanloopConnectionException("tls", new HttpRequestException("tls"), HumanloopConnectionProblem.Tls), nameof(RetryClass.Final) },
        { "a large body the server cut off", new HumanloopConnectionException("pipe", new IOException("Broken pipe"), HumanloopConnectionProblem.BodyTooLarge), nameof(RetryClass.Final) },
        { "413", Status(413), nameof(RetryClass.Final) },
        { "an attempt past its timeout", Timeout(HumanloopSettingName.Timeout), nameof(RetryClass.AttemptTimeout) },
        { "a stream idle after its first event", Timeout(HumanloopSettingName.StreamIdleTimeout), nameof(RetryClass.Final) },
        { "a stream past its total limit", Timeout(HumanloopSettingName.StreamTimeout), nameof(RetryClass.Final) },
        { "a stream cut after its first event", new HumanloopStreamException("cut", null, chunksDelivered: 1), nameof(RetryClass.Final) },
        { "a user's cancel", new OperationCanceledException(), nameof(RetryClass.Final) },
        { "an oversized response", new HumanloopResponseException("too big", null), nameof(RetryClass.Final) },
        { "a bad input", new HumanloopInputException("no"), nameof(RetryClass.Final) },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Failures_are_classified(string what, Exception failure, string expectedClass)
    {
        var expected = Enum.Parse<RetryClass>(expectedClass);
        Assert.True(expected == RetryPolicy.Classify(failure), what);
        Assert.Equal(expected != RetryClass.Final, Policy().ShouldRetry(failure, attempt: 1, out _));
    }

    [Fact]
    public void Retries_stop_after_the_configured_number_without_spending_the_budget()
    {
        var budget = new RetryBudget("api.test");
        var policy = Policy(maxRetries: 2, budget: budget);

        Assert.True(policy.ShouldRetry(Status(503), attempt: 1, out _));
        Assert.True(policy.ShouldRetry(Status(503), attempt: 2, out _));
        var spent = budget.Tokens;
        Assert.False(policy.ShouldRetry(Status(503), attempt: 3, out var delay));

        Assert.Equal(TimeSpan.Zero, delay);
        Assert.Equal(spent, budget.Tokens);
        Assert.False(Policy(maxRetries: 0).ShouldRetry(Status(503), attempt: 1, out _));
    }

    [Theory]
    [InlineData(0.0, new[] { 0.64, 1.28, 2.56, 5.12, 10 })]
    [InlineData(0.5, new[] { 0.8, 1.6, 3.2, 6.4, 10 })]
    [InlineData(1.0, new[] { 0.96, 1.92, 3.84, 7.68, 10 })]
    public void Delays_double_from_0_8_seconds_within_the_jitter_band_and_cap_at_10(double random, double[] seconds)
    {
        var policy = Policy(maxRetries: 5, random: random);
        var delays = new List<double>();
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            Assert.True(policy.ShouldRetry(Status(502), attempt, out var delay));
            delays.Add(Math.Round(delay.TotalSeconds, 2));
        }

        Assert.Equal(seconds, delays);
    }

    [Theory]
    [InlineData(0.0, 0.8)]
    [InlineData(0.5, 0.8)]
    [InlineData(4.5, 4.5)]
    [InlineData(60, 60)]
    public void A_server_hint_up_to_a_minute_is_slept_when_longer_than_the_backoff(double hintSeconds, double expectedSeconds)
    {
        Assert.True(Policy().ShouldRetry(Status(429, TimeSpan.FromSeconds(hintSeconds)), attempt: 1, out var delay));

        Assert.Equal(expectedSeconds, delay.TotalSeconds, precision: 3);
    }

    [Fact]
    public void A_hint_above_a_minute_is_not_slept_and_says_why_without_spending_the_budget()
    {
        var budget = new RetryBudget("api.test");
        var clock = new RecordingClock();

        Assert.False(Policy(budget: budget, clock: clock).ShouldRetry(Status(503, TimeSpan.FromSeconds(61)), attempt: 1, out _));

        Assert.Equal(RetryBudget.Capacity, budget.Tokens);
        Assert.Empty(clock.Delays);
        var (level, message) = Assert.Single(_log);
        Assert.Equal(HumanloopLogLevel.Verbose, level);
        Assert.Equal("The server asked to wait 61 s, longer than 60 s; not retrying.", message);
    }

    [Fact]
    public async Task The_wait_goes_through_the_clock_and_stops_on_cancel()
    {
        var clock = new RecordingClock();
        var policy = Policy(clock: clock);

        await policy.WaitAsync(TimeSpan.FromSeconds(3), CancellationToken.None);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Equal(TimeSpan.FromSeconds(3), Assert.Single(clock.Delays));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => policy.WaitAsync(TimeSpan.FromSeconds(3), cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => new RetryPolicy(1, new RetryBudget("api.test")).WaitAsync(TimeSpan.FromMinutes(1), cancelled.Token));
    }

    [Fact]
    public void The_budget_runs_dry_under_a_storm_and_recovers_with_successes()
    {
        var budget = new RetryBudget("api.test:8443");
        var policy = Policy(budget: budget);
        var granted = 0;
        while (policy.ShouldRetry(Status(503), attempt: 1, out _))
        {
            granted++;
        }

        Assert.Equal(RetryBudget.Capacity / RetryBudget.RetryCost, granted);
        Assert.Equal((HumanloopLogLevel.Warning, "Not retrying: the retry budget for api.test:8443 is spent (too many recent failures)."), Assert.Single(_log));

        for (var i = 0; i < RetryBudget.RetryCost; i++)
        {
            policy.RecordSuccess();
        }

        Assert.True(policy.ShouldRetry(Status(503), attempt: 1, out _));
        Assert.False(policy.ShouldRetry(Status(503), attempt: 1, out _));
    }

    [Fact]
    public void An_attempt_timeout_costs_more_of_the_budget_than_a_status()
    {
        var budget = new RetryBudget("api.test");
        var policy = Policy(budget: budget);

        Assert.True(policy.ShouldRetry(Timeout(HumanloopSettingName.Timeout), attempt: 1, out _));
        Assert.Equal(RetryBudget.Capacity - RetryBudget.TimeoutRetryCost, budget.Tokens);
        Assert.True(policy.ShouldRetry(Status(429), attempt: 1, out _));
        Assert.Equal(RetryBudget.Capacity - RetryBudget.TimeoutRetryCost - RetryBudget.RetryCost, budget.Tokens);
    }

    [Fact]
    public void Successes_never_fill_the_budget_past_its_capacity()
    {
        var budget = new RetryBudget("api.test");

        budget.RecordSuccess();

        Assert.Equal(RetryBudget.Capacity, budget.Tokens);
    }

    [Fact]
    public void A_budget_belongs_to_one_route_and_one_host_on_it()
    {
        var first = HttpClientCache.For(Options(new ScriptedHandler()));
        var second = HttpClientCache.For(Options(new ScriptedHandler()));
        var root = new Uri("http://127.0.0.1:5080/v4/");

        Assert.NotSame(first.BudgetFor(root), second.BudgetFor(root));
        Assert.Same(first.BudgetFor(root), first.BudgetFor(new Uri("http://127.0.0.1:5080/other/")));
        Assert.NotSame(first.BudgetFor(root), first.BudgetFor(new Uri("http://127.0.0.1:5081/v4/")));
        Assert.Equal("127.0.0.1:5080", first.BudgetFor(root).Host);
    }

    [Fact]
    public void Clients_without_a_transport_share_the_process_route_for_their_proxy()
    {
        var system = new HumanloopClientOptions { BaseUri = new Uri("http://127.0.0.1:5080") };
        var proxied = new HumanloopClientOptions { BaseUri = new Uri("http://127.0.0.1:5080"), Proxy = new Uri("http://127.0.0.1:3128") };

        Assert.Same(HttpClientCache.For(system), HttpClientCache.For(new HumanloopClientOptions { BaseUri = new Uri("http://127.0.0.1:5080") }));
        Assert.NotSame(HttpClientCache.For(system), HttpClientCache.For(proxied));
    }

    [Fact]
    public async Task A_client_whose_route_spent_its_budget_stops_retrying_while_one_on_another_route_still_retries()
    {
        var spentHandler = new ScriptedHandler().ThenRespond(HttpStatusCode.ServiceUnavailable, "{}").ThenRespond(HttpStatusCode.OK, Success);
        var freshHandler = new ScriptedHandler().ThenRespond(HttpStatusCode.ServiceUnavailable, "{}").ThenRespond(HttpStatusCode.OK, Success);
        var spent = HttpClientCache.For(Options(spentHandler)).BudgetFor(new Uri("http://127.0.0.1:5080/v4/"));
        while (spent.TryAcquire(isTimeout: false))
        {
        }

        var error = await Assert.ThrowsAsync<HumanloopApiException>(() => Create(spentHandler).CompleteAsync(new CompletionDeployedRequest()));
        var response = await Create(freshHandler).CompleteAsync(new CompletionDeployedRequest());

        Assert.Equal(1, error.Attempts);
        Assert.Equal(2, response.Attempts);
    }
}
