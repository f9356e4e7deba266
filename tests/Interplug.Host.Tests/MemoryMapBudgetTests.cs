using Interplug.Host.Policy;

namespace Interplug.Host.Tests;

/// <summary>Past Linux's limit on memory mappings the .NET runtime aborts; the host must refuse spawns before that.</summary>
public class MemoryMapBudgetTests
{
    [Fact]
    public void The_host_holds_its_live_instances_below_the_memory_map_limit()
    {
        using var host = new PluginHost(new PluginHostOptions());
        var fit = MemoryMapBudget.MaxInstances();
        if (fit is { } limit)
            Assert.Equal(Math.Min(limit, host.Options.MaxLiveInstances), host.MaxLiveInstances);
        else
            Assert.Equal(host.Options.MaxLiveInstances, host.MaxLiveInstances);
    }

    [Fact]
    public void Spawning_past_the_limit_fails_with_QuotaExceeded_and_the_process_lives_on()
    {
        using var host = TestHosts.Host(TestHosts.Policy(("relay", new PolicyRule
        {
            Spawn = ["echo"],
            MaxChildren = 1_000_000,
            MaxDescendants = 1_000_000,
        })));
        var output = host.RunText("relay", "spawn_many", "1000000 echo");

        Assert.StartsWith($"spawned {host.MaxLiveInstances - 1}; {TestHosts.ErrorPrefix(Runtime.PluginErrorKind.QuotaExceeded)}", output);
        Assert.Equal(0, host.LiveInstances);
        Assert.Equal("still here", host.RunText("echo", "echo", "still here"));
    }
}
