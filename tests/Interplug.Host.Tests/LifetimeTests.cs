using Interplug.Host.Policy;
using Interplug.Runtime;

namespace Interplug.Host.Tests;

/// <summary>When processes die: on free_plugin (with their subtree), after each top-level call, with their parent, with the host.</summary>
public class LifetimeTests
{
    [Fact]
    public void After_a_top_level_run_nothing_stays_alive()
    {
        using var host = TestHosts.Host(TestHosts.Policy(("*", TestHosts.SpawnAll with { MaxChildren = 100, MaxDescendants = 100 })));

        Assert.Equal("spawned 10", host.RunText("relay", "spawn_many", "10 echo"));
        Assert.Equal(0, host.LiveInstances);
        Assert.Equal("spawned 3", host.RunText("driver", "chain", "relay spawn_many 3 echo"));
        Assert.Equal(0, host.LiveInstances);
        TestHosts.Fails(PluginErrorKind.Trap, () => host.RunText("relay", "chain", "driver,trap trap"));
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void Free_plugin_frees_the_whole_subtree()
    {
        using var host = TestHosts.Host(keepChildren: true);
        using var driver = host.Start("driver");

        Assert.Equal("spawned 3", driver.CallText("keep", "relay spawn_many 3 echo"));
        Assert.Equal("spawned 2", driver.CallText("keep", "relay spawn_many 2 echo"));
        Assert.Equal(1 + 4 + 3, host.LiveInstances);
        Assert.Equal(2, driver.ChildCount);
        Assert.Equal(7, driver.DescendantCount);

        Assert.Equal("0", driver.CallText("free", "1"));
        Assert.Equal(1 + 3, host.LiveInstances);
        Assert.Equal(1, driver.ChildCount);
        Assert.Equal(3, driver.DescendantCount);

        Assert.Equal("0", driver.CallText("free", "2"));
        Assert.Equal(1, host.LiveInstances);
        Assert.Equal(0, driver.DescendantCount);
    }

    [Fact]
    public void Without_KeepChildrenBetweenCalls_children_die_when_the_call_returns()
    {
        using var host = TestHosts.Host();
        using var relay = host.Start("relay");

        Assert.Equal("spawned 1", relay.CallText("spawn_many", "1 echo"));

        Assert.Equal(1, host.LiveInstances);
        Assert.Equal(0, relay.ChildCount);
        Assert.StartsWith("error -19: ", relay.CallText("call_id", "1 echo hi"));
    }

    [Fact]
    public void With_KeepChildrenBetweenCalls_children_survive_between_calls_and_die_with_their_parent()
    {
        using var host = TestHosts.Host(keepChildren: true);
        var relay = host.Start("relay");

        Assert.Equal("spawned 2", relay.CallText("spawn_many", "2 echo"));
        Assert.Equal(3, host.LiveInstances);
        Assert.Equal("hi", relay.CallText("call_id", "1 echo hi"));
        Assert.Equal("there", relay.CallText("call_id", "2 echo there"));
        Assert.Equal("0", relay.CallText("free_id", "1"));
        Assert.Equal(2, host.LiveInstances);

        relay.Dispose();

        Assert.False(relay.IsAlive);
        Assert.Equal(0, host.LiveInstances);
        TestHosts.Fails(PluginErrorKind.Disposed, () => relay.CallText("call_id", "2 echo hi"));
        relay.Dispose(); // twice is harmless
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void Disposing_the_host_frees_everything()
    {
        var host = TestHosts.Host(PluginPolicy.AllowAll, keepChildren: true);
        var relay = host.Start("relay");
        var driver = host.Start("driver");
        Assert.Equal("spawned 5", relay.CallText("spawn_many", "5 echo"));
        Assert.Equal("spawned 2", driver.CallText("keep", "relay spawn_many 2 echo"));
        Assert.Equal(1 + 5 + 1 + 3, host.LiveInstances);

        host.Dispose();

        Assert.Equal(0, host.LiveInstances);
        Assert.False(relay.IsAlive);
        Assert.False(driver.IsAlive);
        Assert.Throws<ObjectDisposedException>(() => host.Start("echo"));
        host.Dispose();
    }

    [Fact]
    public void A_started_process_lives_until_disposed()
    {
        using var host = TestHosts.Host();
        var echo = host.Start("echo");

        Assert.Equal(1, host.LiveInstances);
        Assert.Equal("a", echo.CallText("echo", "a"));
        Assert.Equal("b", echo.CallText("echo", "b"));
        Assert.True(echo.IsAlive);
        Assert.Equal("echo", echo.Name);
        Assert.Equal($"echo#{echo.Id}", echo.ToString());

        echo.Dispose();

        Assert.Equal(0, host.LiveInstances);
        TestHosts.Fails(PluginErrorKind.Disposed, () => echo.CallText("echo", "c"));
    }

    [Fact]
    public void A_failed_spawn_leaves_no_instance_behind()
    {
        using var host = TestHosts.Host(TestHosts.Policy(("echo", new PolicyRule { MemoryMaxPages = 1 }), ("*", TestHosts.SpawnAll)));

        Assert.StartsWith("spawned 0; error -4: ", host.RunText("relay", "spawn_many", "5 echo"));
        using var relay = host.Start("relay");
        Assert.StartsWith("spawned 0; error -4: ", relay.CallText("spawn_many", "5 echo"));
        Assert.Equal(1, host.LiveInstances);
        Assert.Equal(0, relay.ChildCount);
    }
}
