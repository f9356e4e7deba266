using Interplug.Host.Calls;
using Interplug.Host.Catalog;
using Interplug.Host.Policy;
using Interplug.Runtime;

namespace Interplug.Host.Tests;

/// <summary>Plugins calling plugins: chains, the chain shown in errors, cycles and the depth limit.</summary>
public class CallChainTests
{
    [Fact]
    public void One_module_under_three_names_chains_a_to_b_to_c()
    {
        using var host = TestHosts.Host(PluginPolicy.AllowAll, TestHosts.CatalogWithRelayAs("a", "b", "c"));

        Assert.Equal("b(c(end))", host.RunText("a", "chain", "b,c"));
        Assert.Equal("b(c(end))", host.RunText("a", "try_chain", "b,c"));
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void An_empty_chain_ends_in_the_first_plugin()
    {
        using var host = TestHosts.Host();

        Assert.Equal("end", host.RunText("relay", "chain"));
    }

    [Fact]
    public void A_failure_deep_in_a_chain_carries_the_chain_it_travelled_through()
    {
        using var host = TestHosts.Host(PluginPolicy.AllowAll, TestHosts.CatalogWithRelayAs("a", "b", "c"));

        var e = TestHosts.Fails(PluginErrorKind.NotFound, () => host.RunText("a", "chain", "b,c,nope"));

        Assert.Equal("a → b → c", e.CallChain);
        Assert.Contains("no plugin named \"nope\"", e.Message);
    }

    [Fact]
    public void Re_entering_a_plugin_already_on_the_chain_is_a_cycle_and_the_message_shows_the_chain()
    {
        using var host = TestHosts.Host(PluginPolicy.AllowAll, TestHosts.CatalogWithRelayAs("a", "b"));
        using var a = host.Start("a");
        using var b = host.Start("b");
        var chain = new CallChain(CancellationToken.None);
        chain.Enter(a, long.MaxValue);
        chain.Enter(b, long.MaxValue);

        var e = TestHosts.Fails(PluginErrorKind.CallCycle, () => chain.Enter(a, long.MaxValue));

        Assert.Contains("a → b → a", e.Message);
        Assert.Equal("a → b → a", e.CallChain);
        Assert.Equal("a → b", chain.Describe()); // the refused entry left the chain as it was
    }

    [Fact]
    public void A_plugin_calling_itself_is_a_cycle()
    {
        using var host = TestHosts.Host(PluginPolicy.AllowAll, TestHosts.CatalogWithRelayAs("a"));
        using var a = host.Start("a");
        var chain = new CallChain(CancellationToken.None);
        chain.Enter(a, long.MaxValue);

        var e = TestHosts.Fails(PluginErrorKind.CallCycle, () => chain.Enter(a, long.MaxValue));

        Assert.Equal("a → a", e.CallChain);
    }

    [Fact]
    public void Two_instances_of_one_plugin_are_not_a_cycle_and_leaving_a_call_allows_entering_again()
    {
        using var host = TestHosts.Host(PluginPolicy.AllowAll, TestHosts.CatalogWithRelayAs("a", "b"));
        using var first = host.Start("a");
        using var second = host.Start("a");
        using var b = host.Start("b");
        var chain = new CallChain(CancellationToken.None);

        chain.Enter(first, long.MaxValue);
        chain.Enter(second, long.MaxValue);
        Assert.Equal("a → a", chain.Describe());
        chain.Enter(b, long.MaxValue);
        chain.Exit();
        chain.Enter(b, long.MaxValue);
        Assert.Equal("a → a → b", chain.Describe());
    }

    [Fact]
    public void The_tightest_max_depth_on_the_chain_applies()
    {
        var policy = TestHosts.Policy(
            ("a", TestHosts.SpawnAll with { MaxDepth = 2 }),
            ("*", TestHosts.SpawnAll with { MaxDepth = 8 }));
        using var host = TestHosts.Host(policy, TestHosts.CatalogWithRelayAs("a", "b", "c"));
        using var a = host.Start("a");
        using var b = host.Start("b");
        using var c = host.Start("c");
        var chain = new CallChain(CancellationToken.None);
        chain.Enter(a, long.MaxValue);
        chain.Enter(b, long.MaxValue);

        var e = TestHosts.Fails(PluginErrorKind.DepthExceeded, () => chain.Enter(c, long.MaxValue));

        Assert.Contains("call depth 3 exceeds the limit of 2", e.Message);
        Assert.Equal("a → b → c", e.CallChain);
    }

    [Fact]
    public void Unbounded_recursion_stops_at_the_depth_limit_with_DepthExceeded()
    {
        using var host = TestHosts.Host();

        var output = host.RunText("relay", "self_call");

        Assert.StartsWith(TestHosts.ErrorPrefix(PluginErrorKind.DepthExceeded), output);
        Assert.StartsWith("error -21: ", output);
        Assert.Contains("call depth 9 exceeds the limit of 8", output);
        Assert.Contains("→", output);
        var chain = output[(output.LastIndexOf(": ", StringComparison.Ordinal) + 2)..];
        Assert.Equal(string.Join(" → ", Enumerable.Repeat("relay", 9)), chain);
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void Unbounded_recursion_stops_at_the_policys_max_depth()
    {
        using var host = TestHosts.Host(TestHosts.Policy(("relay", TestHosts.SpawnAll with { MaxDepth = 3 })));

        var output = host.RunText("relay", "self_call");

        Assert.Equal("error -21: call depth 4 exceeds the limit of 3: relay → relay → relay → relay", output);
    }
}
