using Interplug.Host.Policy;

namespace Interplug.Host.Tests;

/// <summary>Past Linux's limit on memory mappings the .NET runtime aborts; the host must refuse spawns before that.</summary>
public class MemoryMapBudgetTests
{
    [Fact]
    public void The_host_holds_its_live_instances_below_the_memory_map_limit()
    {
        using var host = new PluginHost(new PluginHostOptions());
        Assert.InRange(host.MaxLiveInstances, 1, host.Options.MaxLiveInstances);
        // The budget depends on the mappings in use when the host was made, which other tests
        // change, so check what it guarantees: the capped instances' mappings (8 each, at most)
        // leave room under the OS limit.
        if (File.Exists("/proc/sys/vm/max_map_count"))
        {
            var limit = long.Parse(File.ReadAllText("/proc/sys/vm/max_map_count").Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(host.MaxLiveInstances * 8L < limit, $"{host.MaxLiveInstances} instances would need {host.MaxLiveInstances * 8L} of {limit} mappings");
        }
    }

    [Fact]
    public void Spawning_past_the_limit_fails_with_QuotaExceeded_and_the_process_lives_on()
    {
        using var host = TestHosts.Host(TestHosts.Policy(("relay", new PolicyRule
        {
            Spawn = ["echo"],
            MaxChildren = 1_000_000,
            MaxDescendants = 1_000_000,
            // The whole tree shares the root's budget: room for thousands of small children.
            MemoryMaxPages = PolicyRule.MaxMemoryPagesLimit,
        })),
        // Where vm.max_map_count is raised the host's own limit stays at its default (65,536), and the
        // tree's memory would run out first; this limit keeps the instance limit the first one hit.
        maxLiveInstances: 4096);
        var output = host.RunText("relay", "spawn_many", "1000000 echo");

        Assert.StartsWith($"spawned {host.MaxLiveInstances - 1}; {TestHosts.ErrorPrefix(Runtime.PluginErrorKind.QuotaExceeded)}", output);
        Assert.Equal(0, host.LiveInstances);
        Assert.Equal("still here", host.RunText("echo", "echo", "still here"));
    }
}
