using Interplug.Runtime;

namespace Interplug.Host.Tests;

/// <summary>The fan-out functions work from the AssemblyScript PDK (plugins/as/fanout.ts) and from C without any PDK, imported from <c>env</c> (plugins/c/fanout_c.c).</summary>
public sealed class FanOutPluginTests
{
    [Fact]
    public void Fanout_splits_its_input_among_children_and_merges_their_counts()
    {
        using var host = TestHosts.Host();

        Assert.Equal("""{"count":14,"parts":[3,4,4,3]}""", host.RunText("fanout", "run", "Hello, World! The quick brown fox jumps over the lazy dog."));
        Assert.Equal("""{"count":3,"parts":[2,1]}""", host.RunText("fanout", "run", "2:Hello, World!"));
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void Fanout_runs_two_burners_in_parallel_or_in_sequence_with_the_same_results()
    {
        using var host = TestHosts.Host();

        var parallel = host.RunText("fanout", "pair", "parallel 1000");
        Assert.Equal(parallel, host.RunText("fanout", "pair", "sequence 1000"));
        Assert.Equal("16", host.RunText("fanout", "round_trip", "async 2"));
        Assert.Equal("16", host.RunText("fanout", "round_trip", "sync 2"));
    }

    [Fact]
    public void A_C_plugin_without_a_PDK_fans_out_through_env_and_reassembles_its_input()
    {
        using var host = TestHosts.Host();
        var input = "Hello from C, in three slices, collected in the order they end.";

        Assert.Equal(input, host.RunText("fanout_c", "run", input));
        Assert.Equal("-19", host.RunText("fanout_c", "try_forged"));
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void Fanout_under_a_policy_that_forbids_it_fails_with_the_kind_of_the_refusal()
    {
        using var host = TestHosts.Host(TestHosts.Policy(("fanout", TestHosts.SpawnAll with { MaxParallel = 1 }), ("*", TestHosts.SpawnAll)));

        var e = TestHosts.Fails(PluginErrorKind.QuotaExceeded, () => host.RunText("fanout", "run", "Hello"));

        Assert.Contains("max_parallel", e.Message);
        Assert.Equal(0, host.LiveInstances);
    }
}
