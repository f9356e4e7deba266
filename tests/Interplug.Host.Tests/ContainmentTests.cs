using Interplug.Host.Policy;
using Interplug.Runtime;

namespace Interplug.Host.Tests;

/// <summary>A child that blows up, loops or traps fails its caller's call, never the host.</summary>
public class ContainmentTests
{
    private static PluginHost Host(bool keepChildren = false) => TestHosts.Host(TestHosts.Policy(
        ("memory_bomb", new PolicyRule { MemoryMaxPages = 64 }),
        ("loop_forever", new PolicyRule { TimeoutMs = 200 }),
        ("*", TestHosts.SpawnAll)), keepChildren: keepChildren);

    [Fact]
    public void A_memory_bomb_in_a_child_fails_the_top_call_with_OutOfMemory_and_the_chain()
    {
        using var host = Host();

        var e = TestHosts.Fails(PluginErrorKind.OutOfMemory, () => host.RunText("relay", "chain", "driver,memory_bomb grow"));

        Assert.Equal("relay → driver → memory_bomb", e.CallChain);
        Assert.Contains("budget of 64 pages", e.Message);
        Assert.Equal(0, host.LiveInstances);
        Assert.Equal("relay(relay(end))", host.RunText("relay", "chain", "relay,relay"));
    }

    [Fact]
    public void An_infinite_loop_in_a_child_fails_the_top_call_with_Timeout_and_the_chain()
    {
        using var host = Host();

        var e = TestHosts.Fails(PluginErrorKind.Timeout, () => host.RunText("relay", "chain", "driver,loop_forever loop_forever"));

        Assert.Equal("relay → driver → loop_forever", e.CallChain);
        Assert.Equal(0, host.LiveInstances);
        Assert.Equal("hi", host.RunText("driver", "chain", "echo echo hi"));
    }

    [Fact]
    public void A_trap_in_a_child_fails_the_top_call_with_Trap_and_the_chain()
    {
        using var host = Host();

        var e = TestHosts.Fails(PluginErrorKind.Trap, () => host.RunText("relay", "chain", "driver,trap trap"));

        Assert.Equal("relay → driver → trap", e.CallChain);
        Assert.Contains("unreachable", e.Message);
        Assert.Equal(0, host.LiveInstances);
        Assert.Equal("relay(end)", host.RunText("relay", "chain", "relay"));
    }

    [Theory]
    [InlineData("memory_bomb grow", PluginErrorKind.OutOfMemory, "memory_bomb")]
    [InlineData("loop_forever loop_forever", PluginErrorKind.Timeout, "loop_forever")]
    [InlineData("trap trap", PluginErrorKind.Trap, "trap")]
    public void Through_try_chain_the_same_failures_come_back_as_an_error_string(string target, PluginErrorKind kind, string culprit)
    {
        using var host = Host();

        var output = host.RunText("relay", "try_chain", "driver," + target);

        Assert.StartsWith($"driver(error {-(int)kind}: relay → driver → {culprit}: ", output);
        Assert.EndsWith(")", output);
        Assert.Equal(0, host.LiveInstances);
    }

    [Theory]
    [InlineData("trap trap", PluginErrorKind.Trap, "trap")]
    [InlineData("loop_forever loop_forever", PluginErrorKind.Timeout, "loop_forever")]
    [InlineData("memory_bomb grow", PluginErrorKind.OutOfMemory, "memory_bomb")]
    public void A_child_cut_off_mid_call_is_stopped_and_its_handle_says_so(string target, PluginErrorKind kind, string culprit)
    {
        using var host = Host();

        var results = host.RunText("driver", "twice", target).Split('|');

        Assert.StartsWith(TestHosts.ErrorPrefix(kind), results[0]);
        Assert.Equal($"error -19: {culprit} was stopped after a call left it in an unknown state; free its handle", results[1]);
    }

    [Fact]
    public void A_child_that_reports_an_error_itself_is_not_stopped()
    {
        using var host = Host();

        var results = host.RunText("driver", "twice", "trap fail").Split('|');

        Assert.Equal(["error -7: driver → trap: deliberate failure", "error -7: driver → trap: deliberate failure"], results);
    }

    [Fact]
    public void A_stopped_child_is_no_longer_live_but_keeps_its_handle_and_its_place_among_the_children_until_freed()
    {
        using var host = Host(keepChildren: true);
        using var driver = host.Start("driver");

        TestHosts.Fails(PluginErrorKind.Trap, () => driver.CallText("keep", "trap trap"));

        Assert.Equal(1, host.LiveInstances);
        Assert.Equal(1, driver.ChildCount);
        Assert.Equal(1, driver.DescendantCount);
        Assert.Equal("0", driver.CallText("free", "1"));
        Assert.Equal(0, driver.ChildCount);
        Assert.Equal(0, driver.DescendantCount);
        Assert.Equal("-19", driver.CallText("free", "1"));
        Assert.Equal("hi", driver.CallText("keep", "echo echo hi"));
        Assert.Equal(1, driver.ChildCount);
    }

    [Fact]
    public void A_stopped_child_takes_its_own_children_with_it()
    {
        using var host = Host(keepChildren: true);
        using var driver = host.Start("driver");
        Assert.Equal("spawned 3", driver.CallText("keep", "relay spawn_many 3 echo"));
        Assert.Equal(5, host.LiveInstances);
        Assert.Equal(4, driver.DescendantCount);

        // relay (handle 1) is cut off by a trap two levels below it.
        Assert.StartsWith("error -1: driver → relay → driver → trap: ", driver.CallText("call", "1 chain driver,trap trap"));

        Assert.Equal(1, host.LiveInstances);
        Assert.Equal(1, driver.ChildCount); // relay, stopped, until its handle is freed
        Assert.Equal(1, driver.DescendantCount);
        Assert.Equal("error -19: relay was stopped after a call left it in an unknown state; free its handle", driver.CallText("call", "1 chain"));
        Assert.Equal("0", driver.CallText("free", "1"));
    }

    [Fact]
    public async Task Cancelling_a_top_level_call_stops_the_whole_chain()
    {
        using var host = TestHosts.Host();
        using var cancel = new CancellationTokenSource();
        var running = Task.Run(() => host.RunText("relay", "chain", "driver,loop_forever loop_forever", cancel.Token));
        TestHosts.WaitUntil(() => host.LiveInstances == 3 || running.IsCompleted, "loop_forever was spawned");

        await cancel.CancelAsync();
        var e = await Assert.ThrowsAsync<PluginException>(() => running.WaitAsync(TimeSpan.FromMinutes(2)));

        Assert.Equal(PluginErrorKind.Cancelled, e.Kind);
        Assert.StartsWith("relay → driver", e.CallChain); // loop_forever, unless the cancel landed just before its call
        Assert.Equal(0, host.LiveInstances);
        Assert.Equal("relay(end)", host.RunText("relay", "chain", "relay"));
    }
}
