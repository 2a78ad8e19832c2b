using System.Net;
using Humanloop.Tests.Support;
using Xunit;
using static Humanloop.Tests.Support.TestClients;

namespace Humanloop.Tests;

/// <summary>The batch throttle: its slots, the limit that halves on 429s and grows back on successes, and Retry-After holds.</summary>
public class AdaptiveThrottleTests
{
    private readonly ManualTime _time = new();

    private AdaptiveThrottle Throttle(int max) => new(max, _time);

    private static async Task<List<IDisposable>> TakeAsync(AdaptiveThrottle throttle, int count)
    {
        var slots = new List<IDisposable>();
        for (var i = 0; i < count; i++)
        {
            var slot = throttle.AcquireAsync();
            Assert.True(slot.IsCompletedSuccessfully, $"slot {i + 1} of {count} should be free");
            slots.Add(await slot);
        }

        return slots;
    }

    [Fact]
    public async Task Grants_up_to_the_maximum_then_the_waiters_in_the_order_they_asked()
    {
        var throttle = Throttle(2);
        var held = await TakeAsync(throttle, 2);
        var third = throttle.AcquireAsync();
        var fourth = throttle.AcquireAsync();

        Assert.False(third.IsCompleted);
        Assert.Equal(2, throttle.InFlight);
        held[1].Dispose();
        held[1].Dispose();
        Assert.True(third.IsCompletedSuccessfully);
        Assert.False(fourth.IsCompleted, "giving a slot back twice frees it once");

        held[0].Dispose();
        Assert.True(fourth.IsCompletedSuccessfully);
        Assert.Equal(2, throttle.InFlight);
    }

    [Fact]
    public void A_429_halves_the_limit_once_per_round_down_to_one()
    {
        var throttle = Throttle(8);

        // Eight attempts sent together (round 0) all meet the 429: one halving, not three.
        var change = throttle.RecordFailure(0, 429, null);
        Assert.Equal((8, 4), (change.Before, change.After));
        for (var i = 0; i < 7; i++)
        {
            throttle.RecordFailure(0, 429, null);
        }

        Assert.Equal(4, throttle.Limit);

        // Attempts sent after the halving (round 1) that still meet 429s halve it again.
        throttle.RecordFailure(1, 429, null);
        Assert.Equal(2, throttle.Limit);
        throttle.RecordFailure(2, 429, null);
        throttle.RecordFailure(3, 429, null);
        Assert.Equal(1, throttle.Limit);
    }

    [Fact]
    public void Other_failures_leave_the_limit_alone()
    {
        var throttle = Throttle(8);
        foreach (var status in new[] { 500, 502, 503, 504, 529, 408 })
        {
            Assert.Equal((8, 8), (throttle.RecordFailure(0, status, null).Before, throttle.Limit));
        }
    }

    [Fact]
    public void The_limit_grows_by_one_after_as_many_successes_in_a_row_as_it_allows_up_to_the_maximum()
    {
        var throttle = Throttle(8);
        throttle.RecordFailure(0, 429, null);

        // Successes of attempts sent before the halving do not count: they were the congestion.
        for (var i = 0; i < 10; i++)
        {
            throttle.RecordSuccess(0);
        }

        Assert.Equal(4, throttle.Limit);

        var successes = 0;
        var raises = new List<(int, int)>();
        while (throttle.Limit < 8)
        {
            successes++;
            if (throttle.RecordSuccess(1) is { After: > 0 } change)
            {
                raises.Add((change.Before, change.After));
            }
        }

        Assert.Equal(4 + 5 + 6 + 7, successes);
        Assert.Equal([(4, 5), (5, 6), (6, 7), (7, 8)], raises);
        for (var i = 0; i < 20; i++)
        {
            throttle.RecordSuccess(1);
        }

        Assert.Equal(8, throttle.Limit);
    }

    [Fact]
    public void A_429_starts_the_run_of_successes_again()
    {
        var throttle = Throttle(8);
        throttle.RecordFailure(0, 429, null);
        for (var i = 0; i < 3; i++)
        {
            throttle.RecordSuccess(1);
        }

        throttle.RecordFailure(0, 429, null);
        throttle.RecordSuccess(1);
        Assert.Equal(4, throttle.Limit);
        for (var i = 0; i < 3; i++)
        {
            throttle.RecordSuccess(1);
        }

        Assert.Equal(5, throttle.Limit);
    }

    [Fact]
    public async Task A_lowered_limit_lets_work_already_running_finish_and_starts_no_more_until_below_it()
    {
        var throttle = Throttle(8);
        var held = await TakeAsync(throttle, 8);
        throttle.RecordFailure(0, 429, null);
        var next = throttle.AcquireAsync();

        for (var i = 0; i < 4; i++)
        {
            held[i].Dispose();
        }

        Assert.False(next.IsCompleted, "four slots are still taken, the limit is four");
        held[4].Dispose();
        Assert.True(next.IsCompletedSuccessfully);
        Assert.Equal(4, throttle.InFlight);
    }

    [Fact]
    public async Task A_raised_limit_lets_a_waiter_go_at_once()
    {
        var throttle = Throttle(2);
        throttle.RecordFailure(0, 429, null);
        _ = await TakeAsync(throttle, 1);
        var waiting = throttle.AcquireAsync();
        throttle.RecordSuccess(1);

        Assert.True(waiting.IsCompletedSuccessfully);
        Assert.Equal(2, throttle.InFlight);
    }

    [Fact]
    public async Task A_retry_after_holds_new_slots_and_sends_until_it_has_passed()
    {
        var throttle = Throttle(4);
        var change = throttle.RecordFailure(0, 503, TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(2), change.Held);
        Assert.Equal(4, throttle.Limit);

        var slot = throttle.AcquireAsync();
        var send = throttle.WaitToSendAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.False(slot.IsCompleted);
        Assert.False(send.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(0.1));
        await slot.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, await send.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Null(throttle.HeldUntil);
    }

    [Fact]
    public void A_shorter_hint_does_not_cut_a_hold_short_and_a_hint_above_a_minute_holds_nothing()
    {
        var throttle = Throttle(4);
        throttle.RecordFailure(0, 429, TimeSpan.FromSeconds(5));
        var until = throttle.HeldUntil;

        Assert.Null(throttle.RecordFailure(0, 429, TimeSpan.FromSeconds(1)).Held);
        Assert.Equal(until, throttle.HeldUntil);

        var fresh = Throttle(4);
        Assert.Null(fresh.RecordFailure(0, 429, TimeSpan.FromMinutes(5)).Held);
        Assert.Null(fresh.HeldUntil);
        Assert.Equal(2, fresh.Limit);
    }

    [Fact]
    public async Task A_cancelled_wait_takes_no_slot_and_the_next_waiter_gets_it()
    {
        var throttle = Throttle(1);
        var held = await TakeAsync(throttle, 1);
        using var stop = new CancellationTokenSource();
        var cancelled = throttle.AcquireAsync(stop.Token);
        var after = throttle.AcquireAsync();

        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        held[0].Dispose();

        Assert.True(after.IsCompletedSuccessfully);
        Assert.Equal(1, throttle.InFlight);
    }

    [Fact]
    public void Needs_room_for_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveThrottle(0));
    }

    [Fact]
    public async Task A_client_given_the_throttle_reports_each_answer_and_waits_out_the_hold_before_retrying()
    {
        var handler = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.TooManyRequests, """{"detail":"slow down"}""", headers: headers => headers.Add("retry-after-ms", "2000"))
            .ThenRespond(HttpStatusCode.OK, Success);
        var log = new List<string>();
        var throttle = Throttle(4);
        var client = Create(handler, configure: options =>
        {
            options.Throttle = throttle;
            options.Logger = new ListLogger(log);
        });

        var call = client.CompleteAsync(new CompletionDeployedRequest { ProjectId = "pr_1" });
        await WaitUntilAsync(() => _time.PendingTimers > 0);
        Assert.Single(handler.Requests);
        Assert.False(call.IsCompleted, "the retry waits for the server's hold");

        _time.Advance(TimeSpan.FromSeconds(2));
        var response = await call.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, response.Attempts);
        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(2, throttle.Limit);
        Assert.Contains(log, line => line == "Holding new requests to 127.0.0.1:5080 for 2.0 s, as the server asked.");
        Assert.Contains(log, line => line == "The server is limiting the rate: at most 2 request(s) at once from now on (was 4).");
    }

    [Fact]
    public async Task A_client_given_the_throttle_raises_the_limit_again_as_successes_come()
    {
        var handler = new ScriptedHandler();
        for (var i = 0; i < 3; i++)
        {
            handler.ThenRespond(HttpStatusCode.OK, Success);
        }

        var log = new List<string>();
        var throttle = Throttle(4);
        throttle.RecordFailure(0, 429, null);
        throttle.RecordFailure(1, 429, null);
        var client = Create(handler, configure: options =>
        {
            options.Throttle = throttle;
            options.Logger = new ListLogger(log);
        });

        for (var i = 0; i < 3; i++)
        {
            await client.CompleteAsync(new CompletionDeployedRequest { ProjectId = "pr_1" });
        }

        Assert.Equal(3, throttle.Limit);
        Assert.Equal(["Requests are going through again: up to 2 at once from now on (was 1).", "Requests are going through again: up to 3 at once from now on (was 2)."], log.Where(line => line.Contains("going through")));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting");
            await Task.Delay(10);
        }
    }

    private sealed class ListLogger(List<string> lines) : IHumanloopLogger
    {
        public bool IsEnabled(HumanloopLogLevel level) => true;

        public void Log(HumanloopLogLevel level, string message)
        {
            lock (lines)
            {
                lines.Add(message);
            }
        }
    }
}
