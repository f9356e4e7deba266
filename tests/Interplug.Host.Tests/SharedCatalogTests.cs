using Interplug.Runtime;

namespace Interplug.Host.Tests;

/// <summary>A catalog only resolves names: hosts sharing one each compile on, and run with, their own runtime.</summary>
public sealed class SharedCatalogTests
{
    [Fact]
    public async Task A_host_keeps_its_deadlines_after_another_host_sharing_its_catalog_is_disposed()
    {
        var catalog = TestHosts.Catalog();
        var policy = TestHosts.Policy(("loop_forever", new Policy.PolicyRule { TimeoutMs = 200 }));
        var first = new PluginHost(new PluginHostOptions { Catalog = catalog, Policy = policy });
        using var second = new PluginHost(new PluginHostOptions { Catalog = catalog, Policy = policy });
        first.Start("loop_forever").Dispose(); // compiled by the first host
        using var loop = second.Start("loop_forever");

        first.Dispose(); // its runtime, and its epoch ticker, are gone

        var running = Task.Run(() => loop.CallText("loop_forever"));
        var e = await Assert.ThrowsAsync<PluginException>(() => running.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(PluginErrorKind.Timeout, e.Kind);
        Assert.Equal("hi", second.RunText("echo", "echo", "hi"));
    }
}
