using System.Diagnostics;
using System.Text;
using Interplug.Host;
using Interplug.Orleans;
using Interplug.Orleans.Grains;
using Interplug.Runtime;
using Xunit.Abstractions;

namespace Interplug.Orleans.Tests;

/// <summary>Children placed on other silos (<c>placement: "spread"</c>): the same ABI, chain, rights, quotas and lifetimes as on one machine.</summary>
[Collection(SharedCluster.Name)]
public sealed class SpreadTests(ClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = ClusterFixture.Patience;

    private ClusterPluginHost Host => (ClusterPluginHost)cluster.Host;

    [Fact]
    public async Task The_seed_demo_runs_count_vowels_on_another_silo_with_the_embedded_output()
    {
        using var embedded = new PluginHost(ClusterFixture.Options);
        var expected = await embedded.RunAsync("run", "run", ReadOnlyMemory<byte>.Empty).WaitAsync(Patience);
        var mark = cluster.Running.Mark;

        await using var run = await Host.StartOnClusterAsync("run").WaitAsync(Patience);
        var actual = await run.CallAsync("run", ReadOnlyMemory<byte>.Empty).WaitAsync(Patience);

        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(actual));
        var hop = Assert.Single(cluster.Running.CrossingsSince(mark));
        Assert.Equal(("run", "count_vowels"), (hop.Caller, hop.Callee));
        Assert.NotEqual(run.Silo, hop.Site);
    }

    [Fact]
    public async Task A_chain_a_b_c_runs_on_three_silos_and_frees_everything()
    {
        var mark = cluster.Running.Mark;

        await using (var a = await Host.StartOnClusterAsync("relay").WaitAsync(Patience))
        {
            Assert.Equal("far_relay(far_relay(end))", await CallText(a, "chain", "far_relay,far_relay"));

            var hops = cluster.Running.CrossingsSince(mark);
            Assert.Equal(["relay → far_relay", "far_relay → far_relay"], hops.Select(h => $"{h.Caller} → {h.Callee}"));
            Assert.Equal(3, new[] { a.Silo, hops[0].Site, hops[1].Site }.Distinct().Count());
        }
        await ClusterHostTests.WaitUntil(() => cluster.LiveInstances == 0, "every silo freed its instances");
    }

    [Fact]
    public async Task A_traced_call_names_the_silo_of_every_hop()
    {
        await using var a = await Host.StartOnClusterAsync("relay").WaitAsync(Patience);

        var traced = await a.CallTracedAsync("chain", "far_relay,far_relay"u8.ToArray()).WaitAsync(Patience);

        Assert.Equal("far_relay(far_relay(end))", Encoding.UTF8.GetString(traced.Output));
        Assert.Equal(
            ["1 (host) → relay.chain", "2 relay → far_relay.chain", "3 far_relay → far_relay.chain"],
            traced.Hops.Select(h => $"{h.Depth} {h.Caller} → {h.Callee}.{h.Export}"));
        Assert.Equal(a.Silo, traced.Hops[0].Silo);
        Assert.Equal(3, traced.Hops.Select(h => h.Silo).Distinct().Count());
    }

    [Fact]
    public async Task A_call_that_re_enters_a_process_on_another_silo_fails_at_once_with_CallCycle_and_the_chain()
    {
        var grain = cluster.Cluster.Client.GetGrain<IRemoteChildGrain>(Guid.NewGuid());
        var relay = new WireLevel { Name = "relay", Process = "elsewhere/1", Site = "192.0.2.1:11111" };
        var started = await grain.Start(new WireSpawn { Name = "echo", Lineage = ["relay", "echo"], Chain = Chain(relay) }, default).WaitAsync(Patience);
        started.OutputOrThrow();
        var echo = new WireLevel { Name = "echo", Process = started.Process!, Site = started.Silo };
        var far = new WireLevel { Name = "far_relay", Process = "elsewhere/2", Site = "192.0.2.1:11111" };
        try
        {
            var looped = await grain.Call("echo", "hi"u8.ToArray(), new WireCall { Chain = Chain(relay, echo, far) }, default).WaitAsync(Patience);
            var straight = await grain.Call("echo", "hi"u8.ToArray(), new WireCall { Chain = Chain(relay, far) }, default).WaitAsync(Patience);

            var e = Assert.Throws<PluginException>(() => looped.OutputOrThrow());
            Assert.Equal(PluginErrorKind.CallCycle, e.Kind);
            Assert.Equal("relay → echo → far_relay → echo", e.CallChain);
            Assert.Equal("hi", Encoding.UTF8.GetString(straight.OutputOrThrow()));
        }
        finally
        {
            await grain.Free().WaitAsync(Patience);
        }
    }

    [Fact]
    public async Task The_depth_limit_holds_across_silos()
    {
        var e = await Assert.ThrowsAsync<PluginException>(() => Host.RunAsync("relay", "chain", "deep_relay,deep_relay,deep_relay"u8.ToArray()).WaitAsync(Patience));

        Assert.Equal(PluginErrorKind.DepthExceeded, e.Kind);
        Assert.Equal("relay → deep_relay → deep_relay → deep_relay", e.CallChain);
        Assert.Contains("exceeds the limit of 3", e.Message);
    }

    [Fact]
    public async Task The_deadline_of_the_top_level_call_stops_a_child_on_another_silo()
    {
        var clock = Stopwatch.StartNew();

        var outcome = await Outcome(Host.RunAsync("timed_driver", "script", ";spawn far_spin;call 1 loop_forever x"u8.ToArray()));

        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: {outcome}");
        // The child's timeout fails the driver's try_call_plugin; or the driver's own deadline ends the driver first.
        Assert.True(outcome.StartsWith("Timeout |", StringComparison.Ordinal) || outcome.Contains($"error -{(int)PluginErrorKind.Timeout}:", StringComparison.Ordinal), outcome);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"a 1 s deadline took {clock.Elapsed}; far_spin's own timeout is 120 s");
        await ClusterHostTests.WaitUntil(() => cluster.Running.Of("far_spin") == 0, "the child's silo stopped it");
    }

    [Fact]
    public async Task Cancelling_the_top_level_call_stops_its_child_on_another_silo()
    {
        await using var driver = await Host.StartOnClusterAsync("fan_driver").WaitAsync(Patience);
        using var cancel = new CancellationTokenSource();
        var call = driver.CallAsync("script", ";spawn far_spin;call 1 loop_forever x"u8.ToArray(), cancel.Token);
        // Two calls run into far_spin: the parent's into its stand-in, and the one on the child's silo.
        await ClusterHostTests.WaitUntil(() => cluster.Running.Of("far_spin") == 2, "the child runs");

        await cancel.CancelAsync();

        var e = await Assert.ThrowsAsync<PluginException>(() => call.WaitAsync(Patience));
        Assert.Equal(PluginErrorKind.Cancelled, e.Kind);
        await ClusterHostTests.WaitUntil(() => cluster.Running.Of("far_spin") == 0, "the child's silo stopped it");
    }

    [Fact]
    public async Task A_spawn_the_policy_denies_is_refused_on_the_remote_silo_with_the_chain()
    {
        var e = await Assert.ThrowsAsync<PluginException>(() => Host.RunAsync("relay", "chain", "far_deny,echo"u8.ToArray()).WaitAsync(Patience));

        Assert.Equal(PluginErrorKind.PermissionDenied, e.Kind);
        Assert.Equal("relay → far_deny", e.CallChain);
    }

    [Fact]
    public async Task A_remote_child_inherits_its_parents_rights_and_they_only_narrow()
    {
        // far_relay may spawn anything, but its parent narrow_relay only far_relay.
        var e = await Assert.ThrowsAsync<PluginException>(() => Host.RunAsync("narrow_relay", "chain", "far_relay,echo"u8.ToArray()).WaitAsync(Patience));

        Assert.Equal(PluginErrorKind.PermissionDenied, e.Kind);
        Assert.Equal("narrow_relay → far_relay", e.CallChain);
        Assert.Contains("inherits the limits of its ancestor \"narrow_relay\"", e.Message);
    }

    [Fact]
    public async Task Max_children_counts_children_spawned_on_other_silos()
    {
        var text = Encoding.UTF8.GetString(await Host.RunAsync("fan_driver", "script", ";spawn far_few;call 1 spawn_many 3 far_spin"u8.ToArray()).WaitAsync(Patience));

        Assert.StartsWith($"1|spawned 2; error -{(int)PluginErrorKind.QuotaExceeded}: ", text);
        Assert.Contains("max_children", text);
        await ClusterHostTests.WaitUntil(() => cluster.LiveInstances == 0, "every silo freed its instances");
    }

    [Fact]
    public async Task Max_descendants_of_an_ancestor_refuses_a_spawn_made_two_silos_away()
    {
        // quota_driver (6 descendants at most) → far_relay → far_relay, on three silos; the last spawns echoes.
        var text = await RunText("quota_driver", ";spawn far_relay;call 1 spawn_many 1 far_relay;call 1 call_id 1 spawn_many 9 echo");

        Assert.StartsWith($"1|spawned 1|spawned 4; error -{(int)PluginErrorKind.QuotaExceeded}: ", text);
        Assert.Contains("far_relay may not spawn echo: quota_driver already has 6 descendants, its limit (max_descendants)", text);
        await ClusterHostTests.WaitUntil(() => cluster.LiveInstances == 0, "every silo freed its instances");
    }

    [Fact]
    public async Task Freeing_a_remote_grandchild_or_its_subtree_gives_the_room_back_to_the_ancestors()
    {
        var text = await RunText("quota_driver", string.Join(';',
            "",
            "spawn far_relay",                   // 1 descendant
            "call 1 spawn_many 1 far_relay",     // 2: a grandchild on a third silo
            "call 1 call_id 1 spawn_many 4 echo", // 6: the limit, reached from the third silo
            "call 1 spawn_many 1 echo",          // refused
            "call 1 call_id 1 free_id 1",        // the grandchild frees one echo: 5
            "call 1 spawn_many 1 echo",          // 6 again
            "call 1 free_id 1",                  // the child frees the grandchild and its 3 echoes: 2
            "call 1 spawn_many 9 echo"));         // 4 more fit

        var refused = $"error -{(int)PluginErrorKind.QuotaExceeded}: ";
        Assert.Equal(["1", "spawned 1", "spawned 4", "spawned 0; " + refused, "0", "spawned 1", "0", "spawned 4; " + refused],
            text.Split('|').Select(r => r.Contains(refused, StringComparison.Ordinal) ? r[..(r.IndexOf(refused, StringComparison.Ordinal) + refused.Length)] : r));
        await ClusterHostTests.WaitUntil(() => cluster.LiveInstances == 0, "every silo freed its instances");
    }

    [Fact]
    public async Task Spawns_and_frees_racing_on_two_silos_never_exceed_max_descendants_and_end_at_the_right_count()
    {
        // quota_driver → far_driver (silo B) → far_relay (silo C): 2 of 6 places, 4 left for echoes.
        // C spawns and frees echoes in a loop while B spawns six; then B frees its echoes, and C takes every place left.
        var far = string.Join(',', "", "spawn far_relay", "start 1 spawn_free 40 echo",
            "spawn echo", "spawn echo", "spawn echo", "spawn echo", "spawn echo", "spawn echo",
            "await 1", "free 2", "free 3", "free 4", "free 5", "free 6", "free 7", "call 1 spawn_many 9 echo");

        var results = (await RunText("quota_driver", $";spawn far_driver;call 1 script {far}")).Split('|');

        output.WriteLine(string.Join(" | ", results));
        Assert.Equal(17, results.Length);
        var held = results[3..9].Count(r => long.TryParse(r, out _));
        Assert.InRange(held, 0, 4);
        Assert.StartsWith($"spawned 4; error -{(int)PluginErrorKind.QuotaExceeded}: ", results[16]);
        await ClusterHostTests.WaitUntil(() => cluster.LiveInstances == 0, "every silo freed its instances");
    }

    [Fact]
    public async Task Free_plugin_frees_a_remote_child_and_its_subtree_on_its_silo()
    {
        await using var driver = await Host.StartOnClusterAsync("fan_driver").WaitAsync(Patience);
        using var cancel = new CancellationTokenSource();
        // After the free, a local spin holds the call open: the driver and the spin are all that may live then.
        var call = driver.CallAsync("script", ";spawn far_relay;call 1 spawn_many 2 echo;free 1;spawn spin;call 2 loop_forever x"u8.ToArray(), cancel.Token);
        await ClusterHostTests.WaitUntil(() => cluster.Running.Of("spin") == 1, "the script freed the child and spins");

        await ClusterHostTests.WaitUntil(() => cluster.LiveInstances == 2, "the child and its two children are freed on their silos");

        await cancel.CancelAsync();
        await Assert.ThrowsAsync<PluginException>(() => call.WaitAsync(Patience));
    }

    [Fact]
    public async Task The_end_of_a_top_level_call_frees_its_children_on_other_silos()
    {
        var text = Encoding.UTF8.GetString(await Host.RunAsync("fan_driver", "script", ";spawn far_relay;call 1 spawn_many 2 far_relay"u8.ToArray()).WaitAsync(Patience));

        Assert.Equal("1|spawned 2", text);
        await ClusterHostTests.WaitUntil(() => cluster.LiveInstances == 0, "every silo freed its instances");
    }

    [Fact]
    public async Task A_remote_child_whose_lease_is_not_renewed_frees_itself()
    {
        var grain = cluster.Cluster.Client.GetGrain<IRemoteChildGrain>(Guid.NewGuid());
        var clock = Stopwatch.StartNew();
        (await grain.Start(new WireSpawn { Name = "echo", Lineage = ["echo"], Chain = Chain(new WireLevel { Name = "gone", Process = "gone/1", Site = "192.0.2.1:11111" }) }, default).WaitAsync(Patience)).OutputOrThrow();

        while (await grain.StartedProcess(default).WaitAsync(Patience))
        {
            Assert.True(clock.Elapsed < Patience, "the child outlived its lease");
            await Task.Delay(200);
        }

        output.WriteLine($"freed after {clock.Elapsed.TotalSeconds:0.0} s; lease {GrainChildren.Lease.TotalSeconds} s, checked every {GrainChildren.LeaseCheck.TotalSeconds} s");
        Assert.True(clock.Elapsed >= GrainChildren.Lease, $"freed after {clock.Elapsed}, before its lease of {GrainChildren.Lease} ran out");
    }

    [Fact]
    public async Task A_remote_child_outlives_its_lease_while_its_parent_holds_it()
    {
        await using var driver = await Host.StartOnClusterAsync("fan_driver").WaitAsync(Patience);
        using var cancel = new CancellationTokenSource();
        var call = driver.CallAsync("script", ";spawn far_relay;spawn spin;call 2 loop_forever x"u8.ToArray(), cancel.Token);
        await ClusterHostTests.WaitUntil(() => cluster.Running.Of("spin") == 1, "the driver holds its remote child and spins");

        await Task.Delay(GrainChildren.Lease + GrainChildren.LeaseCheck * 2);

        Assert.Equal(3, cluster.LiveInstances);
        await cancel.CancelAsync();
        await Assert.ThrowsAsync<PluginException>(() => call.WaitAsync(Patience));
        await ClusterHostTests.WaitUntil(() => cluster.LiveInstances == 1, "the call's end freed its children; the driver is left");
    }

    [Fact]
    public async Task A_hundred_concurrent_chains_across_silos_all_complete()
    {
        var mark = cluster.Running.Mark;

        var runs = Enumerable.Range(0, 100).Select(_ => Host.RunAsync("relay", "chain", "far_relay,far_relay"u8.ToArray()));
        var outputs = await Task.WhenAll(runs).WaitAsync(TimeSpan.FromMinutes(3));

        Assert.All(outputs, o => Assert.Equal("far_relay(far_relay(end))", Encoding.UTF8.GetString(o)));
        Assert.Equal(200, cluster.Running.CrossingsSince(mark).Length);
        await ClusterHostTests.WaitUntil(() => cluster.LiveInstances == 0, "every silo freed its instances");
    }

    private async Task<string> RunText(string driver, string script) =>
        Encoding.UTF8.GetString(await Host.RunAsync(driver, "script", Encoding.UTF8.GetBytes(script)).WaitAsync(Patience));

    private static WireChain Chain(params WireLevel[] levels) => new() { Levels = levels, DepthLimit = 8, RemainingMilliseconds = 60_000 };

    private static async Task<string> CallText(ClusterPluginProcess process, string export, string input) =>
        Encoding.UTF8.GetString(await process.CallAsync(export, Encoding.UTF8.GetBytes(input)).WaitAsync(Patience));

    private static async Task<string> Outcome(Task<byte[]> run)
    {
        try
        {
            return "output: " + Encoding.UTF8.GetString(await run.WaitAsync(Patience));
        }
        catch (PluginException e)
        {
            return $"{e.Kind} | {e.Message}";
        }
    }
}
