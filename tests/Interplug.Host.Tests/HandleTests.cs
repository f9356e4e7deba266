using Interplug.Host.Calls;
using Interplug.Host.Policy;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Host.Tests;

/// <summary>Plugin ids are capabilities: they mean something only to the plugin they were issued to, until freed.</summary>
public class HandleTests
{
    [Theory]
    [InlineData("99")]
    [InlineData("1")]
    [InlineData("0")]
    [InlineData("-5")]
    public void A_forged_id_finds_nothing(string id)
    {
        using var host = TestHosts.Host();

        var output = host.RunText("relay", "call_id", $"{id} echo hi");

        Assert.Equal($"error -19: relay holds no plugin handle {id} (never issued to it, or already freed)", output);
    }

    [Fact]
    public void A_freed_id_finds_nothing()
    {
        using var host = TestHosts.Host();

        var output = host.RunText("relay", "call_twice_free");

        Assert.StartsWith("error -19: ", output);
        Assert.Contains("relay holds no plugin handle 1", output);
    }

    [Fact]
    public void Another_plugins_id_finds_nothing_while_it_works_for_its_holder()
    {
        using var host = TestHosts.Host();

        var output = host.RunText("driver", "foreign").Split('|');

        Assert.Equal("1", output[0]); // the driver's echo handle, which relay is asked to use
        Assert.StartsWith("error -19: ", output[1]);
        Assert.Contains("relay holds no plugin handle 1", output[1]);
        Assert.Equal("hi", output[2]); // the same number still works for the driver
    }

    [Theory]
    [InlineData("12345")]
    [InlineData("0")]
    [InlineData("-1")]
    public void Freeing_a_bogus_id_returns_minus_19(string id)
    {
        using var host = TestHosts.Host();

        Assert.Equal("-19", host.RunText("relay", "free_id", id));
    }

    [Fact]
    public void Freeing_an_id_twice_returns_0_then_minus_19()
    {
        using var host = TestHosts.Host(keepChildren: true);
        using var driver = host.Start("driver");

        Assert.Equal("hi", driver.CallText("keep", "echo echo hi"));
        Assert.Equal("0", driver.CallText("free", "1"));
        Assert.Equal("-19", driver.CallText("free", "1"));
    }

    [Fact]
    public void Handle_numbers_are_never_reused()
    {
        using var host = TestHosts.Host();
        using var a = host.Start("echo");
        using var b = host.Start("echo");
        var table = new HandleTable<PluginProcess>("plugin handle", "already freed");

        Assert.Equal(1, table.Add(a));
        Assert.Equal(2, table.Add(b));
        Assert.Same(a, table.Remove(1, "test"));
        Assert.Equal(3, table.Add(a));
        Assert.Equal(PluginErrorKind.InvalidHandle, Assert.Throws<PluginException>(() => table.Get(1, "test")).Kind);
        Assert.Same(b, table.Get(2, "test"));
        Assert.Same(a, table.Get(3, "test"));
    }

    [Fact]
    public void Inter_plugin_functions_refuse_to_work_outside_the_host()
    {
        using var plugin = TestHosts.Runtime.Compile(Manifest.FromWasmFile(TestHosts.DistPath("relay")),
            new PluginOptions { HostFunctions = InterPluginFunctions.All });
        using var instance = plugin.Instantiate();

        var e = Assert.Throws<PluginException>(() => instance.Call("chain", "echo"u8));

        Assert.Equal(PluginErrorKind.PermissionDenied, e.Kind);
        Assert.Contains("only inside a call made through the Interplug host", e.Message);
    }

    [Fact]
    public void A_process_spawned_by_a_plugin_cannot_be_called_by_the_application()
    {
        using var host = TestHosts.Host(PluginPolicy.AllowAll, keepChildren: true);
        using var relay = host.Start("relay");
        Assert.Equal("spawned 1", relay.CallText("spawn_many", "1 echo"));
        var child = Assert.Single(relay.Handles.Values);

        Assert.Throws<InvalidOperationException>(() => child.CallText("echo", "hi"));
        Assert.Equal("hi", relay.CallText("call_id", "1 echo hi"));
    }
}
