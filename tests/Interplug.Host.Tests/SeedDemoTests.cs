using Interplug.Host.Policy;
using Interplug.Runtime;

namespace Interplug.Host.Tests;

/// <summary>The seed's demo: a plugin registers count_vowels through the host and calls it.</summary>
public class SeedDemoTests
{
    [Theory]
    [InlineData("run")] // AssemblyScript with the PDK, imports from extism:host/user
    [InlineData("relay_c")] // C without PDK or libc, imports from env
    [InlineData("relay_rs")] // no_std Rust without crates, imports from env
    public void Each_toolchain_registers_count_vowels_and_returns_its_json(string plugin)
    {
        using var host = TestHosts.Host(PluginPolicy.AllowAll);

        var output = host.RunText(plugin, "run");

        Assert.StartsWith("{", output);
        Assert.Contains("\"count\":3", output);
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void The_demo_runs_under_a_policy_that_allows_exactly_what_it_needs()
    {
        var policy = PluginPolicy.Parse("""
            {
              "plugins": {
                "run": { "spawn": ["count_vowels"], "call": { "count_vowels": ["count_vowels"] }, "max_children": 1 }
              }
            }
            """);
        using var host = TestHosts.Host(policy);

        Assert.Contains("\"count\":3", host.RunText("run", "run"));
    }

    [Fact]
    public void The_demo_is_denied_by_the_default_policy()
    {
        using var host = new PluginHost(new PluginHostOptions { Catalog = TestHosts.Catalog() }, TestHosts.Runtime);

        var e = TestHosts.Fails(PluginErrorKind.PermissionDenied, () => host.RunText("run", "run"));

        Assert.Contains("run may not spawn count_vowels", e.Message);
        Assert.Contains("no policy rule covers \"run\"", e.Message);
        Assert.Equal(0, host.LiveInstances);
    }
}
