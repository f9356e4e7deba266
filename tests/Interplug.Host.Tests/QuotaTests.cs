using Interplug.Host.Policy;
using Interplug.Runtime;

namespace Interplug.Host.Tests;

/// <summary>Quotas on children, descendants and live instances stop spawn bombs.</summary>
public class QuotaTests
{
    [Fact]
    public void A_spawn_bomb_stops_at_the_quota_and_the_host_keeps_serving()
    {
        using var host = TestHosts.Host(PluginPolicy.AllowAll);

        var output = host.RunText("relay", "spawn_many", "100000 echo");

        Assert.Equal("spawned 16; error -22: relay may not spawn echo: it already holds 16 children, its limit (max_children)", output);
        Assert.Equal(0, host.LiveInstances);
        Assert.Equal("still here", host.RunText("echo", "echo", "still here"));
        Assert.Equal(output, host.RunText("relay", "spawn_many", "100000 echo")); // the quota was given back
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void Max_children_allows_that_many_live_children_and_refuses_one_more()
    {
        using var host = TestHosts.Host(TestHosts.Policy(("relay", TestHosts.SpawnAll with { MaxChildren = 3 })));

        Assert.Equal("spawned 3", host.RunText("relay", "spawn_many", "3 echo"));
        var output = host.RunText("relay", "spawn_many", "4 echo");
        Assert.StartsWith("spawned 3; error -22: ", output);
        Assert.Contains("it already holds 3 children, its limit (max_children)", output);
    }

    [Fact]
    public void Max_children_counts_live_children_only()
    {
        using var host = TestHosts.Host(TestHosts.Policy(("relay", TestHosts.SpawnAll with { MaxChildren = 1 })));

        Assert.Equal("ok 50", host.RunText("relay", "spawn_free", "50 echo"));
    }

    [Fact]
    public void Max_descendants_counts_the_whole_subtree()
    {
        // driver spawns relay, which spawns echoes: all of them are driver's descendants.
        PluginPolicy Policy(int driverLimit) => TestHosts.Policy(
            ("driver", TestHosts.SpawnAll with { MaxDescendants = driverLimit }),
            ("relay", TestHosts.SpawnAll with { MaxDescendants = 100 }));

        using (var host = TestHosts.Host(Policy(6)))
            Assert.Equal("spawned 5", host.RunText("driver", "chain", "relay spawn_many 5 echo"));

        using (var host = TestHosts.Host(Policy(3)))
        {
            Assert.Equal(
                "spawned 2; error -22: relay may not spawn echo: driver already has 3 descendants, its limit (max_descendants)",
                host.RunText("driver", "chain", "relay spawn_many 5 echo"));
            Assert.Equal(0, host.LiveInstances);
        }
    }

    [Fact]
    public void The_default_max_descendants_stops_a_bomb_with_a_high_child_limit()
    {
        using var host = TestHosts.Host(TestHosts.Policy(("relay", TestHosts.SpawnAll with { MaxChildren = 1000 })));

        Assert.Equal(
            "spawned 64; error -22: relay may not spawn echo: relay already has 64 descendants, its limit (max_descendants)",
            host.RunText("relay", "spawn_many", "100000 echo"));
    }

    [Fact]
    public void The_host_wide_instance_limit_stops_spawning_across_trees()
    {
        using var host = TestHosts.Host(
            TestHosts.Policy(("relay", TestHosts.SpawnAll with { MaxChildren = 1000, MaxDescendants = 1000 })),
            maxLiveInstances: 10);

        Assert.Equal(
            "spawned 9; error -22: the host already runs 10 plugin instances, its limit",
            host.RunText("relay", "spawn_many", "100000 echo"));
        Assert.Equal(0, host.LiveInstances);
        Assert.Equal("spawned 9", host.RunText("relay", "spawn_many", "9 echo"));
    }

    [Fact]
    public void A_stopped_child_counts_against_max_children_until_freed_so_a_plugin_cannot_pile_them_up()
    {
        using var host = TestHosts.Host(TestHosts.Policy(("driver", TestHosts.SpawnAll with { MaxChildren = 3 })), keepChildren: true);
        using var driver = host.Start("driver");
        for (var i = 0; i < 3; i++)
            TestHosts.Fails(PluginErrorKind.Trap, () => driver.CallText("keep", "trap trap"));

        TestHosts.Fails(PluginErrorKind.QuotaExceeded, () => driver.CallText("keep", "trap trap"));

        Assert.Equal(3, driver.Handles.Values.Count);
        Assert.Equal(1, host.LiveInstances);
        Assert.Equal("0", driver.CallText("free", "1"));
        TestHosts.Fails(PluginErrorKind.Trap, () => driver.CallText("keep", "trap trap"));
    }
}
