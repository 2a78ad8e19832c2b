using System;
using System.Threading;
using System.Threading.Tasks;

namespace Humanloop.Http;

/// <summary>What a failed attempt says about trying again.</summary>
internal enum RetryClass
{
    /// <summary>Trying again cannot help, or is not ours to do: a client error, a user's cancel, a stream already delivering.</summary>
    Final,

    /// <summary>A transient status or a connection that failed before the caller saw any of the response.</summary>
    Transient,

    /// <summary>An attempt that ran out of its per-attempt time; retrying it costs the budget more.</summary>
    AttemptTimeout,
}

/// <summary>
/// The one retry policy (engineering guide §4), after System.ClientModel's <c>ClientRetryPolicy</c>: it
/// classifies a failure, computes the wait, performs the wait and spends the retry budget, so the
/// pipeline asks it once per failed attempt whether to retry and after how long. The defaults follow
/// Azure.Core, System.ClientModel and the AWS standard mode: exponential backoff from 0.8 s with ±20 %
/// jitter, capped at 10 s, stretched to the server's hint when that is longer, and no sleep at all when
/// the hint exceeds a minute: the caller gets the failure with the hint instead.
/// </summary>
/// <remarks>
/// The policy is made per client, but its <see cref="Budget"/> is not: it belongs to the HTTP route the
/// client sends through (<see cref="HttpRoute.BudgetFor"/>), so every client on that route shares it.
/// </remarks>
internal sealed class RetryPolicy
{
    public static readonly TimeSpan BaseDelay = TimeSpan.FromSeconds(0.8);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan MaxServerDelay = TimeSpan.FromSeconds(60);

    private readonly IRetryClock _clock;
    private readonly Func<double> _random;
    private readonly Action<HumanloopLogLevel, string>? _log;

    /// <param name="maxRetries">Retries after the first attempt.</param>
    /// <param name="budget">The route's budget that every retry spends from and every success refills.</param>
    /// <param name="clock">Performs the waits; null for real time.</param>
    /// <param name="random">A value in [0, 1) that places each wait in its jitter band; null for a shared random.</param>
    /// <param name="log">Where the reasons for not retrying go (the pipeline's logger, which scrubs the key).</param>
    public RetryPolicy(int maxRetries, RetryBudget budget, IRetryClock? clock = null, Func<double>? random = null, Action<HumanloopLogLevel, string>? log = null)
    {
        MaxRetries = maxRetries;
        Budget = budget ?? throw new ArgumentNullException(nameof(budget));
        _clock = clock ?? SystemRetryClock.Instance;
        _random = random ?? SharedRandom.NextDouble;
        _log = log;
    }

    public int MaxRetries { get; }

    public RetryBudget Budget { get; }

    private static bool IsRetryableStatus(int status) => status is 408 or 429 or 500 or 502 or 503 or 504 or 529;

    /// <summary>
    /// Sorts a failure. Only failures the pipeline raised before handing anything to the caller are
    /// retryable; a stream error or a stream's idle or total timeout comes after events were delivered.
    /// </summary>
    public static RetryClass Classify(Exception failure) => failure switch
    {
        HumanloopApiException api when IsRetryableStatus((int)api.StatusCode) => RetryClass.Transient,
        HumanloopConnectionException { Problem: HumanloopConnectionProblem.Unreachable } => RetryClass.Transient,
        HumanloopTimeoutException { Setting: HumanloopSettingName.Timeout } => RetryClass.AttemptTimeout,
        _ => RetryClass.Final,
    };

    /// <summary>
    /// Whether the attempt numbered <paramref name="attempt"/> (from 1), which failed with
    /// <paramref name="failure"/>, is followed by another, and the wait before it. A yes has spent from the budget.
    /// </summary>
    public bool ShouldRetry(Exception failure, int attempt, out TimeSpan delay)
    {
        delay = TimeSpan.Zero;
        var kind = Classify(failure);
        if (kind == RetryClass.Final || attempt > MaxRetries)
        {
            return false;
        }

        var hint = (failure as HumanloopApiException)?.RetryAfter;
        if (hint > MaxServerDelay)
        {
            Log(HumanloopLogLevel.Verbose, $"The server asked to wait {HttpPipeline.Seconds(hint.Value)}, longer than {HttpPipeline.Seconds(MaxServerDelay)}; not retrying.");
            return false;
        }

        if (!Budget.TryAcquire(isTimeout: kind == RetryClass.AttemptTimeout))
        {
            Log(HumanloopLogLevel.Warning, $"Not retrying: the retry budget for {Budget.Host} is spent (too many recent failures).");
            return false;
        }

        delay = DelayFor(attempt - 1, hint);
        return true;
    }

    /// <summary>The wait before retry number <paramref name="retry"/> (0 for the first retry).</summary>
    private TimeSpan DelayFor(int retry, TimeSpan? serverHint)
    {
        var exponential = BaseDelay.TotalMilliseconds * Math.Pow(2, retry);
        var jittered = exponential * (0.8 + (0.4 * _random()));
        var computed = TimeSpan.FromMilliseconds(Math.Min(jittered, MaxDelay.TotalMilliseconds));
        return serverHint is { } hint && hint > computed ? hint : computed;
    }

    /// <summary>Waits <paramref name="delay"/>; a cancel ends the wait at once.</summary>
    public Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken) => _clock.DelayAsync(delay, cancellationToken);

    /// <summary>Tells the budget an attempt succeeded, which earns back a little of it.</summary>
    public void RecordSuccess() => Budget.RecordSuccess();

    private void Log(HumanloopLogLevel level, string message) => _log?.Invoke(level, message);

    private static class SharedRandom
    {
        private static readonly Random Seed = new();

        [ThreadStatic]
        private static Random? s_local;

        public static double NextDouble()
        {
            if (s_local is null)
            {
                int seed;
                lock (Seed)
                {
                    seed = Seed.Next();
                }

                s_local = new Random(seed);
            }

            return s_local.NextDouble();
        }
    }
}

/// <summary>
/// A token bucket in the spirit of the AWS SDK's retry quota: retries spend tokens, successes earn a few
/// back, and an empty bucket stops retrying so that scripts fanning out in parallel cannot turn an
/// outage into a retry storm. One exists per API host on each <see cref="HttpRoute"/> and lives as long as
/// that route: for the whole process on the shared routes, as long as its transport on a caller's own.
/// </summary>
internal sealed class RetryBudget
{
    public const int Capacity = 500;
    public const int RetryCost = 5;
    public const int TimeoutRetryCost = 10;
    public const int SuccessRefund = 1;

    private int _tokens = Capacity;

    /// <param name="host">The API host the budget protects, named when it runs dry.</param>
    public RetryBudget(string host)
    {
        Host = host;
    }

    public string Host { get; }

    public int Tokens => Volatile.Read(ref _tokens);

    public bool TryAcquire(bool isTimeout)
    {
        var cost = isTimeout ? TimeoutRetryCost : RetryCost;
        while (true)
        {
            var current = Volatile.Read(ref _tokens);
            if (current < cost)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _tokens, current - cost, current) == current)
            {
                return true;
            }
        }
    }

    public void RecordSuccess()
    {
        while (true)
        {
            var current = Volatile.Read(ref _tokens);
            if (current >= Capacity || Interlocked.CompareExchange(ref _tokens, current + SuccessRefund, current) == current)
            {
                return;
            }
        }
    }
}

/// <summary>Waits between attempts; replaced in tests so that backoff is checked without sleeping.</summary>
internal interface IRetryClock
{
    Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken);
}

internal sealed class SystemRetryClock : IRetryClock
{
    public static readonly SystemRetryClock Instance = new();

    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, cancellationToken);
}
