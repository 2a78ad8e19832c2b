using System;
using System.Collections.Concurrent;
using System.Net;
using System.Threading;
using System.Threading.Tasks;

namespace Humanloop.Http;

/// <summary>
/// When and how long to wait before another attempt. The defaults follow Azure.Core, System.ClientModel
/// and the AWS standard mode (engineering guide §4): exponential backoff from 0.8 s with ±20 % jitter,
/// capped at 10 s, stretched to the server's hint when that is longer, and no sleep at all when the
/// hint exceeds a minute: the caller gets the hint instead.
/// </summary>
internal sealed class RetryPolicy
{
    public static readonly TimeSpan BaseDelay = TimeSpan.FromSeconds(0.8);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan MaxServerDelay = TimeSpan.FromSeconds(60);

    private readonly Func<double> _random;

    public RetryPolicy(int maxRetries, Func<double>? random = null)
    {
        MaxRetries = maxRetries;
        _random = random ?? SharedRandom.NextDouble;
    }

    public int MaxRetries { get; }

    public static bool IsRetryableStatus(HttpStatusCode status) => (int)status is 408 or 429 or 500 or 502 or 503 or 504 or 529;

    /// <summary>The wait before retry number <paramref name="retry"/> (0 for the first retry).</summary>
    public TimeSpan DelayFor(int retry, TimeSpan? serverHint)
    {
        var exponential = BaseDelay.TotalMilliseconds * Math.Pow(2, retry);
        var jittered = exponential * (0.8 + (0.4 * _random()));
        var computed = TimeSpan.FromMilliseconds(Math.Min(jittered, MaxDelay.TotalMilliseconds));
        return serverHint is { } hint && hint > computed ? hint : computed;
    }

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
/// A process-wide token bucket per API host, in the spirit of the AWS SDK's retry quota: retries spend
/// tokens, successes earn a few back, and an empty bucket stops retrying so that scripts fanning out in
/// parallel cannot turn an outage into a retry storm.
/// </summary>
internal sealed class RetryBudget
{
    public const int Capacity = 500;
    public const int RetryCost = 5;
    public const int TimeoutRetryCost = 10;
    public const int SuccessRefund = 1;

    private static readonly ConcurrentDictionary<string, RetryBudget> Budgets = new(StringComparer.OrdinalIgnoreCase);

    private int _tokens = Capacity;

    public static RetryBudget For(Uri baseUri) => Budgets.GetOrAdd(baseUri.GetLeftPart(UriPartial.Authority), _ => new RetryBudget());

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
