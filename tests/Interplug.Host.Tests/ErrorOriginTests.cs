using Interplug.Runtime;

namespace Interplug.Host.Tests;

/// <summary>
/// Every failure says whose it is: the application's request (<see cref="PluginErrorOrigin.Caller"/>),
/// a plugin's (<see cref="PluginErrorOrigin.Plugin"/>, with the chain when it arose in a plugin's call),
/// or the host's (<see cref="PluginErrorOrigin.Host"/>).
/// </summary>
public sealed class ErrorOriginTests
{
    [Fact]
    public void An_unknown_plugin_asked_for_by_the_application_is_the_callers_mistake_without_a_chain()
    {
        using var host = TestHosts.Host();

        var e = TestHosts.Fails(PluginErrorKind.NotFound, () => host.Run("nope", "run", []));

        Assert.Equal(PluginErrorOrigin.Caller, e.Origin);
        Assert.Null(e.CallChain);
    }

    [Fact]
    public void An_invalid_plugin_name_from_the_application_is_the_callers_mistake()
    {
        using var host = TestHosts.Host();

        var e = TestHosts.Fails(PluginErrorKind.InvalidArgument, () => host.Start("../etc"));

        Assert.Equal(PluginErrorOrigin.Caller, e.Origin);
    }

    [Fact]
    public void An_unknown_export_asked_for_by_the_application_is_the_callers_mistake()
    {
        using var host = TestHosts.Host();

        var e = TestHosts.Fails(PluginErrorKind.ExportNotFound, () => host.Run("echo", "nope", []));

        Assert.Equal(PluginErrorOrigin.Caller, e.Origin);
        Assert.Null(e.CallChain);
    }

    [Fact]
    public void A_top_level_plugin_asking_for_a_missing_plugin_is_the_plugins_failure_and_names_its_chain()
    {
        using var host = TestHosts.Host();

        var e = TestHosts.Fails(PluginErrorKind.NotFound, () => host.RunText("driver", "chain", "nope run x"));

        Assert.Equal(PluginErrorOrigin.Plugin, e.Origin);
        Assert.Equal("driver", e.CallChain);
        Assert.Equal("driver: no plugin named \"nope\" in the catalog", e.Message);
    }

    [Fact]
    public void A_plugin_deeper_in_the_chain_asking_for_a_missing_plugin_names_the_chain_down_to_it()
    {
        using var host = TestHosts.Host();

        var e = TestHosts.Fails(PluginErrorKind.NotFound, () => host.RunText("relay", "chain", "relay,nope"));

        Assert.Equal(PluginErrorOrigin.Plugin, e.Origin);
        Assert.Equal("relay → relay", e.CallChain);
    }

    [Fact]
    public void A_plugin_calling_a_missing_export_of_its_child_is_the_plugins_failure()
    {
        using var host = TestHosts.Host();

        var e = TestHosts.Fails(PluginErrorKind.ExportNotFound, () => host.RunText("driver", "chain", "echo nope x"));

        Assert.Equal(PluginErrorOrigin.Plugin, e.Origin);
        Assert.Equal("driver → echo", e.CallChain);
    }

    [Fact]
    public void A_top_level_plugin_that_traps_is_the_plugins_failure()
    {
        using var host = TestHosts.Host();

        var e = TestHosts.Fails(PluginErrorKind.Trap, () => host.Run("trap", "trap", []));

        Assert.Equal(PluginErrorOrigin.Plugin, e.Origin);
    }

    [Fact]
    public async Task A_call_the_application_cancels_is_the_callers_even_deep_in_a_chain()
    {
        using var host = TestHosts.Host();
        using var cancel = new CancellationTokenSource();
        // Cancelled once driver has spawned loop_forever: the cancel lands inside the chain.
        var canceller = Task.Run(() =>
        {
            TestHosts.WaitUntil(() => host.LiveInstances == 2, "driver spawned loop_forever");
            cancel.Cancel();
        });

        var e = TestHosts.Fails(PluginErrorKind.Cancelled, () => host.RunText("driver", "chain", "loop_forever loop_forever x", cancel.Token));
        await canceller;

        Assert.Equal(PluginErrorOrigin.Caller, e.Origin);
        // Where it landed: in loop_forever, in driver's spawn, or in driver's own code (no chain).
        Assert.True(e.CallChain is null or "driver" or "driver → loop_forever", $"chain {e.CallChain}");
    }

    [Fact]
    public void A_full_host_is_the_hosts_failure()
    {
        using var host = TestHosts.Host(maxLiveInstances: 1);
        using var first = host.Start("echo");

        var e = TestHosts.Fails(PluginErrorKind.QuotaExceeded, () => host.Start("echo"));

        Assert.Equal(PluginErrorOrigin.Host, e.Origin);
    }

    [Fact]
    public void Calling_a_freed_process_is_the_callers_mistake()
    {
        using var host = TestHosts.Host();
        var process = host.Start("echo");
        process.Dispose();

        var e = TestHosts.Fails(PluginErrorKind.Disposed, () => process.Call("echo", []));

        Assert.Equal(PluginErrorOrigin.Caller, e.Origin);
    }
}
