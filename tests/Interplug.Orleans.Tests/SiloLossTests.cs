using System.Diagnostics;
using Interplug.Host;
using Interplug.Orleans;
using Interplug.Runtime;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace Interplug.Orleans.Tests;

/// <summary>A silo that dies during a call: the call fails as Unavailable, and the rest of the cluster keeps serving.</summary>
[Collection(SharedCluster.Name)]
public sealed class SiloLossTests(ClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = ClusterFixture.Patience;

    [Fact]
    public async Task A_silo_killed_mid_call_fails_the_call_as_unavailable_and_a_new_run_succeeds_on_the_silos_left()
    {
        // The fixture's three silos stay; this test kills a fourth, started for it.
        var doomed = await cluster.Cluster.StartAdditionalSiloAsync().WaitAsync(Patience);
        var process = await StartOn(doomed, "spin");
        var call = process.CallAsync("loop_forever", ReadOnlyMemory<byte>.Empty);
        await ClusterHostTests.WaitUntil(() => cluster.Running.Of("spin") == 1, "the call runs");
        var clock = Stopwatch.StartNew();

        await cluster.Cluster.KillSiloAsync(doomed).WaitAsync(Patience);

        var e = await Assert.ThrowsAsync<PluginException>(() => call.WaitAsync(Patience));
        Assert.Equal(PluginErrorKind.Unavailable, e.Kind);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the call failed {clock.Elapsed} after its silo died; its deadline was 120 s");
        output.WriteLine($"the call failed {clock.Elapsed.TotalSeconds:0.0} s after its silo was killed: {e.Message}");
        var demo = await cluster.Host.RunAsync("run", "run", ReadOnlyMemory<byte>.Empty).WaitAsync(Patience);
        Assert.Contains("\"count\":3", System.Text.Encoding.UTF8.GetString(demo));
    }

    [Fact]
    public async Task A_silo_stopped_gracefully_mid_call_fails_the_call_as_unavailable()
    {
        var leaving = await cluster.Cluster.StartAdditionalSiloAsync().WaitAsync(Patience);
        var process = await StartOn(leaving, "spin");
        var call = process.CallAsync("loop_forever", ReadOnlyMemory<byte>.Empty);
        await ClusterHostTests.WaitUntil(() => cluster.Running.Of("spin") == 1, "the call runs");
        var clock = Stopwatch.StartNew();

        var stopping = cluster.Cluster.StopSiloAsync(leaving);

        var e = await Assert.ThrowsAsync<PluginException>(() => call.WaitAsync(Patience));
        output.WriteLine($"the call failed {clock.Elapsed.TotalSeconds:0.0} s after its silo began to stop: {e.Kind}: {e.Message}");
        await stopping.WaitAsync(Patience);
        output.WriteLine($"the silo stopped after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(PluginErrorKind.Unavailable, e.Kind);
    }

    /// <summary>Starts processes until Orleans places one on <paramref name="silo"/>, which the cluster may take a moment to learn of; frees the others.</summary>
    private async Task<ClusterPluginProcess> StartOn(InProcessSiloHandle silo, string plugin)
    {
        var host = (ClusterPluginHost)cluster.Host;
        var endpoint = silo.SiloAddress.Endpoint.ToString();
        var guard = Stopwatch.StartNew();
        while (guard.Elapsed < Patience)
        {
            var process = await host.StartOnClusterAsync(plugin).WaitAsync(Patience);
            if (process.Silo == endpoint)
                return process;
            await process.DisposeAsync();
            await Task.Delay(50);
        }
        throw new TimeoutException($"Orleans placed no process on {endpoint} within {Patience}");
    }
}
