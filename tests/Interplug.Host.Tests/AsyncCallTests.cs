using System.Diagnostics;
using System.Text;
using Interplug.Host.Policy;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Host.Tests;

/// <summary>
/// <see cref="PluginHost.RunAsync"/> and <see cref="PluginProcess.CallAsync"/> run wasm on the
/// host's own bounded call threads, behind a bounded queue, and honour cancellation and deadlines
/// while queued and while running.
/// </summary>
public sealed class AsyncCallTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    /// <summary>loop_forever under two names: <c>slow</c> may run a minute, <c>quick</c> 300 ms.</summary>
    private static PluginHost LoopHost(int threads, int queueLimit = 1024, long loopTimeoutMs = 60_000) => new(new PluginHostOptions
    {
        Catalog = TestHosts.Catalog()
            .Add("slow", Manifest.FromWasmFile(TestHosts.DistPath("loop_forever")))
            .Add("quick", Manifest.FromWasmFile(TestHosts.DistPath("loop_forever"))),
        Policy = TestHosts.Policy(
            ("loop_forever", new PolicyRule { TimeoutMs = loopTimeoutMs }),
            ("slow", new PolicyRule { TimeoutMs = 60_000 }),
            ("quick", new PolicyRule { TimeoutMs = 300 }),
            ("*", TestHosts.SpawnAll)),
        CallThreads = threads,
        CallQueueLimit = queueLimit,
    }, TestHosts.Runtime);

    private static async Task<PluginException> FailsAsync(PluginErrorKind kind, Task task)
    {
        var e = await Assert.ThrowsAsync<PluginException>(() => task.WaitAsync(HangGuard));
        Assert.True(e.Kind == kind, $"expected {kind}, got {e.Kind}: {e.Message}");
        return e;
    }

    [Fact]
    public async Task RunAsync_and_CallAsync_return_what_Run_and_Call_return()
    {
        using var host = TestHosts.Host();
        var input = Encoding.UTF8.GetBytes("Hello, World!");

        var expected = host.Run("count_vowels", "count_vowels", input);
        Assert.Equal(expected, await host.RunAsync("count_vowels", "count_vowels", input).WaitAsync(HangGuard));
        using var relay = host.Start("relay");
        Assert.Equal("relay(relay(end))", Encoding.UTF8.GetString(await relay.CallAsync("chain", "relay,relay"u8.ToArray()).WaitAsync(HangGuard)));
        Assert.Equal(1, host.LiveInstances); // the started relay; its children were freed when the call returned
    }

    [Fact]
    public async Task A_flood_of_long_calls_does_not_delay_unrelated_work_on_the_thread_pool_and_every_call_times_out()
    {
        using var host = LoopHost(threads: 2, loopTimeoutMs: 2_000);
        int most = 0;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                most = Math.Max(most, host.LiveInstances);
                Thread.Sleep(1);
            }
        }, TaskCreationOptions.LongRunning);

        // Queued from a thread outside the pool, as requests arrive, so that the unrelated work
        // queues behind the calls, were they run on the pool's threads.
        Task<byte[]>[] flood = [];
        Task<int> unrelated = null!;
        var issuer = new Thread(() =>
        {
            flood = Enumerable.Range(0, 64).Select(_ => host.RunAsync("loop_forever", "loop_forever", ReadOnlyMemory<byte>.Empty)).ToArray();
            unrelated = Task.Run(() => 42);
        });
        var clock = Stopwatch.StartNew();
        issuer.Start();
        issuer.Join();
        Assert.Equal(42, await unrelated.WaitAsync(HangGuard));
        var unrelatedTime = clock.Elapsed;

        var outcomes = await Task.WhenAll(flood.Select(async call =>
        {
            try
            {
                await call;
                return "ok";
            }
            catch (PluginException e)
            {
                return e.Kind.ToString();
            }
        })).WaitAsync(HangGuard);
        await stop.CancelAsync();
        await sampler.WaitAsync(HangGuard);

        Assert.True(unrelatedTime < TimeSpan.FromSeconds(3), $"unrelated thread-pool work took {unrelatedTime} behind the flood");
        Assert.All(outcomes, outcome => Assert.Equal("Timeout", outcome));
        Assert.InRange(most, 0, 2); // never more instances than call threads
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public async Task A_call_cancelled_while_it_waits_in_the_queue_fails_with_Cancelled_and_never_runs()
    {
        using var host = LoopHost(threads: 1);
        using var cancelRunning = new CancellationTokenSource();
        using var cancelQueued = new CancellationTokenSource();
        var running = host.RunAsync("slow", "loop_forever", ReadOnlyMemory<byte>.Empty, cancelRunning.Token);
        TestHosts.WaitUntil(() => host.LiveInstances == 1, "the first call runs");
        var queued = host.RunAsync("echo", "echo", "never"u8.ToArray(), cancelQueued.Token);

        await cancelQueued.CancelAsync();
        var e = await FailsAsync(PluginErrorKind.Cancelled, queued);

        Assert.Contains("while it waited for a call thread", e.Message);
        Assert.False(running.IsCompleted);
        await cancelRunning.CancelAsync();
        await FailsAsync(PluginErrorKind.Cancelled, running);
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public async Task A_call_cancelled_while_it_runs_fails_with_Cancelled()
    {
        using var host = LoopHost(threads: 1);
        using var cancel = new CancellationTokenSource();
        using var driver = host.Start("driver");
        var running = driver.CallAsync("chain", "slow loop_forever"u8.ToArray(), cancel.Token);
        TestHosts.WaitUntil(() => driver.ChildCount == 1, "the driver runs its child");

        await cancel.CancelAsync();

        await FailsAsync(PluginErrorKind.Cancelled, running);
        Assert.Equal(1, host.LiveInstances);
    }

    [Fact]
    public async Task A_queued_calls_deadline_runs_while_it_waits()
    {
        using var host = LoopHost(threads: 1);
        using var cancel = new CancellationTokenSource();
        var running = host.RunAsync("slow", "loop_forever", ReadOnlyMemory<byte>.Empty, cancel.Token);
        TestHosts.WaitUntil(() => host.LiveInstances == 1, "the first call runs");

        // quick may run 300 ms; the only thread is taken for a minute.
        var e = await FailsAsync(PluginErrorKind.Timeout, host.RunAsync("quick", "loop_forever", ReadOnlyMemory<byte>.Empty));

        Assert.Contains("timed out while it waited for a call thread", e.Message);
        Assert.False(running.IsCompleted);
        await cancel.CancelAsync();
        await FailsAsync(PluginErrorKind.Cancelled, running);
    }

    [Fact]
    public async Task A_call_beyond_the_queue_limit_fails_with_QuotaExceeded_naming_the_option()
    {
        using var host = LoopHost(threads: 1, queueLimit: 1);
        using var cancel = new CancellationTokenSource();
        var running = host.RunAsync("slow", "loop_forever", ReadOnlyMemory<byte>.Empty, cancel.Token);
        TestHosts.WaitUntil(() => host.LiveInstances == 1, "the first call runs");
        var queued = host.RunAsync("echo", "echo", "queued"u8.ToArray());

        var e = await FailsAsync(PluginErrorKind.QuotaExceeded, host.RunAsync("echo", "echo", "one too many"u8.ToArray()));

        Assert.Contains("CallQueueLimit", e.Message);
        await cancel.CancelAsync();
        await FailsAsync(PluginErrorKind.Cancelled, running);
        Assert.Equal("queued", Encoding.UTF8.GetString(await queued.WaitAsync(HangGuard)));
    }

    [Fact]
    public async Task Disposing_the_host_fails_queued_calls_with_Disposed_and_refuses_new_ones()
    {
        var host = LoopHost(threads: 1);
        var running = host.RunAsync("slow", "loop_forever", ReadOnlyMemory<byte>.Empty);
        TestHosts.WaitUntil(() => host.LiveInstances == 1, "the first call runs");
        var queued = host.RunAsync("echo", "echo", "never"u8.ToArray());

        host.Dispose();

        await FailsAsync(PluginErrorKind.Disposed, queued);
        await FailsAsync(PluginErrorKind.Disposed, running);
        // Thrown at once, as Run throws it, rather than in the task.
        Assert.Throws<ObjectDisposedException>(() => { _ = host.RunAsync("echo", "echo", ReadOnlyMemory<byte>.Empty); });
    }

    [Fact]
    public void Call_threads_and_queue_limit_are_checked_when_set()
    {
        var threads = Assert.Throws<ArgumentOutOfRangeException>(() => new PluginHostOptions { CallThreads = 0 });
        Assert.Equal("CallThreads", threads.ParamName);
        Assert.Equal(0, threads.ActualValue);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PluginHostOptions { CallThreads = PluginHostOptions.MaxCallThreads + 1 });
        var queue = Assert.Throws<ArgumentOutOfRangeException>(() => new PluginHostOptions { CallQueueLimit = -1 });
        Assert.Equal("CallQueueLimit", queue.ParamName);
        Assert.Equal(Environment.ProcessorCount, new PluginHostOptions().CallThreads);
    }
}
