using Interplug.Host.Policy;
using Interplug.Runtime;

namespace Interplug.Host.Tests;

/// <summary>
/// Disposing the host, a top-level process or the runtime while a call runs stops that call
/// (it fails with Disposed long before its own timeout of ten minutes) and leaves nothing alive.
/// </summary>
public sealed class DisposeDuringCallTests
{
    private static readonly TimeSpan WellBeforeItsTimeout = TimeSpan.FromSeconds(30);

    private static readonly PluginPolicy TenMinutes = new()
    {
        Defaults = PluginPolicy.BuiltInDefaults with { TimeoutMs = 600_000 },
        Plugins = new Dictionary<string, PolicyRule> { ["*"] = TestHosts.SpawnAll },
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Disposing_the_host_stops_a_running_call_and_frees_its_whole_chain(bool hostOwnsRuntime)
    {
        var options = new PluginHostOptions { Catalog = TestHosts.Catalog(), Policy = TenMinutes, KeepChildrenBetweenCalls = true };
        var host = hostOwnsRuntime ? new PluginHost(options) : new PluginHost(options, TestHosts.Runtime);
        var relay = host.Start("relay");
        var running = Task.Run(() => relay.CallText("chain", "driver,loop_forever loop_forever"));
        TestHosts.WaitUntil(() => host.LiveInstances == 3 || running.IsCompleted, "loop_forever was spawned");

        host.Dispose();

        var e = await Assert.ThrowsAsync<PluginException>(() => running.WaitAsync(WellBeforeItsTimeout));
        Assert.Equal(PluginErrorKind.Disposed, e.Kind);
        Assert.Equal(0, host.LiveInstances);
        Assert.False(relay.IsAlive);
        TestHosts.Fails(PluginErrorKind.Disposed, () => relay.CallText("chain", ""));
    }

    [Fact]
    public async Task Disposing_a_top_level_process_mid_call_stops_the_call_and_its_tree_is_freed_as_it_unwinds()
    {
        using var host = TestHosts.Host(TenMinutes, keepChildren: true);
        using var bystander = host.Start("echo");
        var driver = host.Start("driver");
        Assert.Equal("spawned 2", driver.CallText("keep", "relay spawn_many 2 echo"));
        var running = Task.Run(() => driver.CallText("keep", "loop_forever loop_forever"));
        TestHosts.WaitUntil(() => host.LiveInstances == 6 || running.IsCompleted, "loop_forever was spawned");

        driver.Dispose();

        var e = await Assert.ThrowsAsync<PluginException>(() => running.WaitAsync(WellBeforeItsTimeout));
        Assert.Equal(PluginErrorKind.Disposed, e.Kind);
        Assert.False(driver.IsAlive);
        Assert.Equal(1, host.LiveInstances); // the bystander
        Assert.Equal("still here", bystander.CallText("echo", "still here"));
    }

    [Fact]
    public async Task Disposing_the_runtime_interrupts_a_call_still_running_on_one_of_its_instances()
    {
        var runtime = new PluginRuntime();
        using var host = new PluginHost(new PluginHostOptions { Catalog = TestHosts.Catalog(), Policy = TenMinutes }, runtime);
        using var loop = host.Start("loop_forever");
        var running = Task.Run(() => loop.CallText("loop_forever"));
        TestHosts.WaitUntil(() => loop.Instance.IsBusy || running.IsCompleted, "the call is running");

        runtime.Dispose();

        var e = await Assert.ThrowsAsync<PluginException>(() => running.WaitAsync(WellBeforeItsTimeout));
        Assert.Equal(PluginErrorKind.Disposed, e.Kind);
    }
}
