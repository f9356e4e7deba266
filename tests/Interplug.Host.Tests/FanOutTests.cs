using System.Collections.Concurrent;
using System.Diagnostics;
using Interplug.Host.Calls;
using Interplug.Host.Policy;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Host.Tests;

/// <summary>
/// Fan-out: <c>call_plugin_async</c> starts a call on a child that runs on another thread,
/// <c>await_call</c> and <c>await_any</c> collect it. Driven by the <c>fan_driver</c> plugin's
/// scripts (see plugins/as/fan_driver.ts): handles and tickets are numbered from 1 per process.
/// </summary>
public sealed class FanOutTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    private static string Busy => TestHosts.ErrorPrefix(PluginErrorKind.Busy);

    private static string InvalidHandle => TestHosts.ErrorPrefix(PluginErrorKind.InvalidHandle);

    private static PluginHost Host(PluginPolicy? policy = null, int threads = 2, int queueLimit = 1024) => new(new PluginHostOptions
    {
        Catalog = TestHosts.Catalog()
            .Add("fan_driver", Manifest.FromWasmFile(TestHosts.DistPath("fan_driver")))
            .Add("spin", Manifest.FromWasmFile(TestHosts.DistPath("loop_forever")))
            .Add("gate", Manifest.FromWasmFile(TestHosts.DistPath("loop_forever"))),
        Policy = policy ?? PluginPolicy.AllowAll,
        CallThreads = threads,
        CallQueueLimit = queueLimit,
    }, TestHosts.Runtime);

    /// <summary>Every plugin may spawn anything; <c>spin</c> (loop_forever) runs until it is stopped.</summary>
    private static PluginPolicy SpinForever(PolicyRule? driver = null) => TestHosts.Policy(
        ("fan_driver", driver ?? TestHosts.SpawnAll),
        ("spin", new PolicyRule { TimeoutMs = long.MaxValue }),
        ("*", TestHosts.SpawnAll));

    /// <summary>Runs a script on a thread of its own, bounded by the hang guard.</summary>
    private static Task<string> ScriptAsync(PluginHost host, string script, CancellationToken cancellationToken = default) =>
        Task.Factory.StartNew(() => Script(host, script, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).WaitAsync(HangGuard, CancellationToken.None);

    /// <summary>The ended call activities of the host, by name, for as long as it is not disposed.</summary>
    private sealed class Calls : IDisposable
    {
        private readonly ActivityListener _listener;

        public Calls()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "Interplug.Host",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStarted = activity => Started.Add(activity),
                ActivityStopped = activity => Ended.Add(activity),
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public ConcurrentBag<Activity> Started { get; } = [];

        public ConcurrentBag<Activity> Ended { get; } = [];

        public void Dispose() => _listener.Dispose();
    }

    private static string Script(PluginHost host, string script, CancellationToken cancellationToken = default) =>
        host.RunText("fan_driver", "script", script, cancellationToken);

    [Fact]
    public void A_started_call_is_collected_with_its_output_and_its_ticket_is_then_spent()
    {
        using var host = Host();

        Assert.Equal("1|1|hi|" + InvalidHandle + "fan_driver holds no call ticket 1 (never issued to it, or already awaited, or its call ended with the call that started it)",
            Script(host, ";spawn echo;start 1 echo hi;await 1;await 1"));
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void Ticket_numbers_are_never_reused_and_a_forged_or_foreign_ticket_finds_nothing()
    {
        using var host = Host();

        Assert.Equal("1|1|a|2|b", Script(host, ";spawn echo;start 1 echo a;await 1;start 1 echo b;await 2"));
        var forged = Script(host, ";await 7;any 0;await -1");
        Assert.Equal(3, forged.Split('|').Count(r => r.StartsWith(InvalidHandle, StringComparison.Ordinal)));
        // The child fan_driver holds no ticket 1: the ticket its parent holds is not its own.
        var foreign = Script(host, ";spawn echo;start 1 echo mine;spawn fan_driver;call 2 script /await 1;await 1").Split('|');
        Assert.Equal(["1", "1", "2"], foreign[..3]);
        Assert.StartsWith(InvalidHandle + "fan_driver holds no call ticket 1", foreign[3]);
        Assert.Equal("mine", foreign[4]);
    }

    [Fact]
    public void A_second_call_into_a_child_with_a_call_in_flight_fails_with_Busy_naming_the_child()
    {
        using var host = Host();

        var results = Script(host, ";spawn echo;start 1 echo a;start 1 echo b;call 1 echo c;await 1;call 1 echo d").Split('|');

        Assert.Equal(["1", "1"], results[..2]);
        Assert.StartsWith(Busy + "fan_driver may not call echo: a call it started on echo with call_plugin_async is still in flight", results[2]);
        Assert.StartsWith(Busy, results[3]);
        Assert.Equal(["a", "d"], results[4..]); // a call that has ended stays in flight until awaited
    }

    [Fact]
    public void The_failing_forms_fail_the_callers_call_with_the_kind_and_the_chain()
    {
        using var host = Host();

        TestHosts.Fails(PluginErrorKind.Busy, () => Script(host, ";spawn echo;start! 1 echo a;start! 1 echo b"));
        var trap = TestHosts.Fails(PluginErrorKind.Trap, () => Script(host, ";spawn trap;start! 1 trap;await! 1"));
        Assert.Equal("fan_driver → trap", trap.CallChain);
        TestHosts.Fails(PluginErrorKind.InvalidHandle, () => Script(host, ";any! 5"));
        TestHosts.Fails(PluginErrorKind.InvalidHandle, () => Script(host, ";await! 5"));
        Assert.Equal("1|1|1|a", Script(host, ";spawn echo;start! 1 echo a;any! 1;await! 1"));
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void Max_parallel_bounds_the_calls_in_flight_and_an_awaited_one_makes_room()
    {
        using var host = Host(TestHosts.Policy(("fan_driver", TestHosts.SpawnAll with { MaxParallel = 2 }), ("*", TestHosts.SpawnAll)));

        var results = Script(host, ";spawn echo;spawn echo;spawn echo;start 1 echo a;start 2 echo b;start 3 echo c;await 1;start 3 echo c;await 2;await 3").Split('|');

        Assert.Equal(["1", "2", "3", "1", "2"], results[..5]);
        Assert.Equal(TestHosts.ErrorPrefix(PluginErrorKind.QuotaExceeded) + "fan_driver may not start a call on echo: it already has 2 calls in flight, its limit (max_parallel)", results[5]);
        // A refused start issues no ticket.
        Assert.Equal(["a", "3", "b", "c"], results[6..]);
    }

    [Fact]
    public void Max_parallel_only_narrows_down_the_tree_and_zero_allows_no_asynchronous_call()
    {
        var policy = TestHosts.Policy(("fan_driver", TestHosts.SpawnAll with { MaxParallel = 1 }), ("*", TestHosts.SpawnAll with { MaxParallel = 16 }));
        using (var host = Host(policy))
        {
            // The child fan_driver matches "fan_driver" too; relay below it asks for 16 but inherits 1.
            var child = Script(host, ";spawn fan_driver;call 1 script /spawn echo/spawn echo/start 1 echo a/start 2 echo b/await 1").Split('|');
            Assert.Equal(["1", "1", "2", "1"], child[..4]);
            Assert.StartsWith(TestHosts.ErrorPrefix(PluginErrorKind.QuotaExceeded), child[4]);
        }
        using (var host = Host(TestHosts.Policy(("fan_driver", TestHosts.SpawnAll with { MaxParallel = 0 }), ("*", TestHosts.SpawnAll))))
            Assert.StartsWith("1|" + TestHosts.ErrorPrefix(PluginErrorKind.QuotaExceeded), Script(host, ";spawn echo;start 1 echo a"));
    }

    [Fact]
    public void Max_parallel_is_range_checked_in_code_and_in_policy_json()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PolicyRule { MaxParallel = -1 });
        Assert.Equal("max_parallel", e.ParamName);
        var parsed = TestHosts.Fails(PluginErrorKind.InvalidArgument, () => PluginPolicy.Parse("""{ "defaults": { "max_parallel": -1 } }"""));
        Assert.Contains("max_parallel", parsed.Message);
        Assert.Equal(16, PluginPolicy.BuiltInDefaults.MaxParallel);
        Assert.Equal(3, PluginPolicy.Parse("""{ "plugins": { "a": { "max_parallel": 3 } } }""").Plugins["a"].MaxParallel);
    }

    [Fact]
    public void A_child_trapping_while_its_siblings_succeed_fails_only_its_own_ticket_and_is_stopped()
    {
        using var host = Host(threads: 3);

        var results = Script(host, ";spawn echo;spawn trap;spawn echo;start 1 echo a;start 2 trap;start 3 echo c;await 1;await 2;await 3;call 2 trap").Split('|');

        Assert.Equal(["1", "2", "3", "1", "2", "3", "a"], results[..7]);
        Assert.StartsWith(TestHosts.ErrorPrefix(PluginErrorKind.Trap) + "fan_driver → trap: ", results[7]);
        Assert.Equal("c", results[8]);
        Assert.StartsWith(InvalidHandle + "trap was stopped", results[9]);
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void Await_any_returns_a_call_that_has_ended_without_spending_it()
    {
        using var host = Host(SpinForever());

        Assert.Equal("1|2|1|2|2|2|x", Script(host, ";spawn spin;spawn echo;start 1 loop_forever;start 2 echo x;any 1,2;any 2,1;await 2"));
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public async Task Unawaited_calls_are_cancelled_and_reaped_before_the_parents_call_returns_even_if_they_spin()
    {
        using var host = Host(TestHosts.Policy(("spin", new PolicyRule { TimeoutMs = long.MaxValue }), ("gate", new PolicyRule { TimeoutMs = 2_000 }), ("*", TestHosts.SpawnAll)));
        using var calls = new Calls();

        // The gate holds the script two seconds, so both calls run before it returns.
        var output = await ScriptAsync(host, ";spawn spin;spawn spin;start 1 loop_forever;start 2 loop_forever;spawn gate;call 3 loop_forever");

        Assert.StartsWith("1|2|1|2|3|" + TestHosts.ErrorPrefix(PluginErrorKind.Timeout), output);

        Assert.Equal(0, host.LiveInstances);
        var root = Assert.Single(calls.Ended, a => a.DisplayName == "fan_driver.script");
        var spins = calls.Ended.Where(a => a.DisplayName == "spin.loop_forever").ToArray();
        Assert.Equal(2, spins.Length);
        Assert.All(spins, spin =>
        {
            Assert.Equal("Cancelled", spin.GetTagItem("interplug.outcome"));
            Assert.True(spin.StartTimeUtc + spin.Duration <= root.StartTimeUtc + root.Duration, "a child's call ended after its parent's");
        });
    }

    [Fact]
    public async Task A_parent_that_traps_cancels_everything_it_started()
    {
        using var host = Host(SpinForever());

        await Assert.ThrowsAsync<PluginException>(() => ScriptAsync(host, ";spawn spin;start 1 loop_forever;trap"));

        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void Free_plugin_on_a_child_with_a_call_in_flight_cancels_that_call_first()
    {
        using var host = Host(SpinForever());

        var results = Script(host, ";spawn spin;start 1 loop_forever;free 1;await 1;free 1").Split('|');

        Assert.Equal(["1", "1", "0"], results[..3]);
        Assert.StartsWith(TestHosts.ErrorPrefix(PluginErrorKind.Cancelled), results[3]);
        Assert.Equal("-19", results[4]);
    }

    [Fact]
    public void Free_plugin_racing_a_call_that_is_just_ending_gives_its_output_or_Cancelled_never_anything_else()
    {
        using var host = Host();

        for (var i = 0; i < 300; i++)
        {
            var results = Script(host, ";spawn echo;start 1 echo x;free 1;await 1").Split('|');
            Assert.Equal(["1", "1", "0"], results[..3]);
            Assert.True(results[3] == "x" || results[3].StartsWith(TestHosts.ErrorPrefix(PluginErrorKind.Cancelled), StringComparison.Ordinal), results[3]);
            Assert.Equal(0, host.LiveInstances);
        }
    }

    [Fact]
    public async Task Cancelling_the_top_level_call_reaches_four_children_running_at_once()
    {
        using var host = Host(SpinForever(), threads: 4);
        using var calls = new Calls();
        using var cancel = new CancellationTokenSource();

        var running = ScriptAsync(host, ";spawn spin;spawn spin;spawn spin;spawn spin;start 1 loop_forever;start 2 loop_forever;start 3 loop_forever;start 4 loop_forever;any 1,2,3,4", cancel.Token);
        TestHosts.WaitUntil(() => calls.Started.Count(a => a.DisplayName == "spin.loop_forever") == 4 || running.IsCompleted, "four children run");
        await cancel.CancelAsync();

        var e = await Assert.ThrowsAsync<PluginException>(() => running);
        Assert.Equal(PluginErrorKind.Cancelled, e.Kind);
        var spins = calls.Ended.Where(a => a.DisplayName == "spin.loop_forever").ToArray();
        Assert.Equal(4, spins.Length);
        Assert.All(spins, spin => Assert.Equal("Cancelled", spin.GetTagItem("interplug.outcome")));
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void The_chains_deadline_reaches_calls_in_flight()
    {
        using var host = Host(SpinForever(TestHosts.SpawnAll with { TimeoutMs = 500 }));

        // The parent's 500 ms bound the child, whose own timeout is unlimited.
        var e = TestHosts.FailsWithin(TimeSpan.FromSeconds(30), PluginErrorKind.Timeout, () => Script(host, ";spawn spin;start 1 loop_forever;await! 1"));

        Assert.Contains("fan_driver", e.Message);
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void The_callers_fuel_bounds_a_call_in_flight()
    {
        using var host = Host(TestHosts.Policy(("fan_driver", TestHosts.SpawnAll with { Fuel = 100_000_000 }), ("*", TestHosts.SpawnAll)));

        var results = Script(host, ";spawn spin;start 1 loop_forever;await 1").Split('|');

        Assert.StartsWith(TestHosts.ErrorPrefix(PluginErrorKind.OutOfFuel) + "fan_driver → spin: ", results[2]);
    }

    [Fact]
    public void A_childs_own_timeout_bounds_its_call_in_flight()
    {
        using var host = Host(TestHosts.Policy(("spin", new PolicyRule { TimeoutMs = 300 }), ("*", TestHosts.SpawnAll)));

        var results = Script(host, ";spawn spin;start 1 loop_forever;await 1").Split('|');

        Assert.StartsWith(TestHosts.ErrorPrefix(PluginErrorKind.Timeout) + "fan_driver → spin: ", results[2]);
    }

    [Fact]
    public void Depth_is_checked_on_the_asynchronous_path_as_on_the_synchronous_one()
    {
        using var host = Host(TestHosts.Policy(("fan_driver", TestHosts.SpawnAll with { MaxDepth = 2 }), ("*", TestHosts.SpawnAll)));

        var results = Script(host, ";spawn fan_driver;start 1 script /spawn echo/start 1 echo x;await 1");

        Assert.Equal("1|1|1|" + TestHosts.ErrorPrefix(PluginErrorKind.DepthExceeded) + "call depth 3 exceeds the limit of 2: fan_driver → fan_driver → echo", results);
    }

    [Fact]
    public void A_branch_of_a_chain_refuses_a_cycle_as_the_chain_does()
    {
        using var host = Host();
        using var process = host.Start("echo");
        var chain = new CallChain(CancellationToken.None);
        chain.Enter(process, long.MaxValue);

        var e = TestHosts.Fails(PluginErrorKind.CallCycle, () => chain.Branch(CancellationToken.None).Enter(process, long.MaxValue));

        Assert.Equal("echo → echo", e.CallChain);
    }

    [Fact]
    public async Task Nested_fan_out_completes_on_a_single_call_thread_because_a_waiter_runs_queued_calls_itself()
    {
        using var host = Host(threads: 1);
        const string script = ";spawn fan_driver;spawn fan_driver;start 1 script /spawn echo/start 1 echo a/await 1;start 2 script /spawn echo/start 1 echo b/await 1;await 1;await 2";

        var output = Encoding(await host.RunAsync("fan_driver", "script", System.Text.Encoding.UTF8.GetBytes(script)).WaitAsync(HangGuard));

        Assert.Equal("1|2|1|2|1|1|a|1|1|b", output);
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void A_full_call_queue_refuses_a_start_with_QuotaExceeded()
    {
        using var host = Host(SpinForever(), threads: 1, queueLimit: 0);

        var results = Script(host, ";spawn spin;spawn echo;start 1 loop_forever;start 2 echo x").Split('|');

        Assert.Equal(["1", "2", "1"], results[..3]);
        Assert.StartsWith(TestHosts.ErrorPrefix(PluginErrorKind.QuotaExceeded), results[3]);
        Assert.Contains("CallQueueLimit", results[3]);
    }

    [Fact]
    public async Task Parallel_calls_are_sibling_activities_that_overlap_in_time()
    {
        using var host = Host(SpinForever());
        using var calls = new Calls();
        using var cancel = new CancellationTokenSource();

        var running = ScriptAsync(host, ";spawn spin;spawn spin;start 1 loop_forever;start 2 loop_forever;any 1,2", cancel.Token);
        TestHosts.WaitUntil(() => calls.Started.Count(a => a.DisplayName == "spin.loop_forever") == 2 || running.IsCompleted, "both children run");
        await cancel.CancelAsync();
        await Assert.ThrowsAsync<PluginException>(() => running);

        var root = Assert.Single(calls.Ended, a => a.DisplayName == "fan_driver.script");
        var spins = calls.Ended.Where(a => a.DisplayName == "spin.loop_forever").OrderBy(a => a.StartTimeUtc).ToArray();
        Assert.Equal(2, spins.Length);
        Assert.All(spins, spin => Assert.Equal(root.SpanId, spin.ParentSpanId));
        Assert.True(spins[1].StartTimeUtc < spins[0].StartTimeUtc + spins[0].Duration, "the two calls did not overlap");
    }

    private static string Encoding(byte[] bytes) => System.Text.Encoding.UTF8.GetString(bytes);
}
