using Interplug.Host.Scheduling;

namespace Interplug.Host.Tests;

/// <summary>
/// The host's call threads: idle threads watch the queue for a while before they sleep, and a
/// thread that queued work may still take it back and run it itself. Whoever takes it, every piece
/// of work runs exactly once, and none is left behind by a thread that stopped watching.
/// </summary>
public class CallSchedulerTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Work_queued_and_claimed_back_at_once_by_its_caller_runs_exactly_once_every_time()
    {
        using var scheduler = new CallScheduler(threads: 1, queueLimit: 16);
        const int rounds = 10_000;
        var runs = new int[rounds];
        var calls = new TopLevelCall[rounds];
        for (var i = 0; i < rounds; i++)
        {
            var round = i;
            calls[i] = Call(() => Interlocked.Increment(ref runs[round]));
            scheduler.Enqueue(calls[i]);
            scheduler.TryRunInline(calls[i]);
        }

        await Task.WhenAll(calls.Select(c => c.Task)).WaitAsync(HangGuard);
        Assert.All(runs, count => Assert.Equal(1, count));
    }

    [Fact]
    public async Task Work_nobody_claims_back_runs_on_a_thread_that_was_idle_and_watching()
    {
        using var scheduler = new CallScheduler(threads: 1, queueLimit: 16);
        // The first piece starts the thread, which then watches the queue for the next.
        var first = Call(() => { });
        scheduler.Enqueue(first);
        await first.Task.WaitAsync(HangGuard);

        var second = Call(() => { });
        scheduler.Enqueue(second);

        await second.Task.WaitAsync(HangGuard);
    }

    [Fact]
    public async Task Work_queued_after_the_idle_threads_stopped_watching_wakes_one_of_them()
    {
        using var scheduler = new CallScheduler(threads: 2, queueLimit: 16);
        var first = new[] { Call(() => { }), Call(() => { }) };
        foreach (var call in first)
            scheduler.Enqueue(call);
        await Task.WhenAll(first.Select(c => c.Task)).WaitAsync(HangGuard);

        // Far longer than any idle thread watches the queue: both are asleep now.
        await Task.Delay(CallScheduler.SpinTime * 1000);
        var later = Enumerable.Range(0, 3).Select(_ => Call(() => { })).ToArray();
        foreach (var call in later)
            scheduler.Enqueue(call);

        await Task.WhenAll(later.Select(c => c.Task)).WaitAsync(HangGuard);
    }

    private static TopLevelCall Call(Action work) =>
        new("test.work", long.MaxValue, (_, _) =>
        {
            work();
            return [];
        }, CancellationToken.None);
}
