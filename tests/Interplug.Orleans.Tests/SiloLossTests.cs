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
        var (process, doomed) = await StartOffThePrimary("spin");
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
        await cluster.Cluster.StartAdditionalSiloAsync().WaitAsync(Patience);
    }

    [Fact]
    public async Task A_silo_stopped_gracefully_mid_call_fails_the_call_as_unavailable()
    {
        var (process, leaving) = await StartOffThePrimary("spin");
        var call = process.CallAsync("loop_forever", ReadOnlyMemory<byte>.Empty);
        await ClusterHostTests.WaitUntil(() => cluster.Running.Of("spin") == 1, "the call runs");
        var clock = Stopwatch.StartNew();

        var stopping = cluster.Cluster.StopSiloAsync(leaving);

        var e = await Assert.ThrowsAsync<PluginException>(() => call.WaitAsync(Patience));
        output.WriteLine($"the call failed {clock.Elapsed.TotalSeconds:0.0} s after its silo began to stop: {e.Kind}: {e.Message}");
        await stopping.WaitAsync(Patience);
        output.WriteLine($"the silo stopped after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(PluginErrorKind.Unavailable, e.Kind);
        await cluster.Cluster.StartAdditionalSiloAsync().WaitAsync(Patience);
    }

    [Fact]
    public async Task A_silo_killed_while_a_child_runs_on_it_fails_the_parents_call_as_unavailable_and_the_cluster_keeps_serving()
    {
        var (driver, call, doomed) = await RunAChildOffThePrimary("far_spin");
        await using (driver)
        {
            var clock = Stopwatch.StartNew();

            await cluster.Cluster.KillSiloAsync(doomed).WaitAsync(Patience);

            // The driver calls with try_call_plugin, so the failure comes back as its output.
            var text = System.Text.Encoding.UTF8.GetString(await call.WaitAsync(Patience));
            output.WriteLine($"the parent's call failed {clock.Elapsed.TotalSeconds:0.0} s after its child's silo was killed: {text}");
            Assert.StartsWith($"1|error -{(int)PluginErrorKind.Unavailable}: fan_driver → far_spin: ", text);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the call failed {clock.Elapsed} after the silo died; the child's deadline was 120 s");
            var demo = await cluster.Host.RunAsync("relay", "chain", "far_relay,far_relay"u8.ToArray()).WaitAsync(Patience);
            Assert.Equal("far_relay(far_relay(end))", System.Text.Encoding.UTF8.GetString(demo));
        }
        await cluster.Cluster.StartAdditionalSiloAsync().WaitAsync(Patience);
    }

    /// <summary>
    /// Runs a driver that spawns <paramref name="child"/> and calls it forever, until Orleans places
    /// the child off the primary silo, which the test cluster's membership needs; the test replaces the silo it takes down.
    /// </summary>
    private async Task<(ClusterPluginProcess Driver, Task<byte[]> Call, InProcessSiloHandle Silo)> RunAChildOffThePrimary(string child)
    {
        var host = (ClusterPluginHost)cluster.Host;
        var primary = cluster.Cluster.Silos[0].SiloAddress.Endpoint.ToString();
        var guard = Stopwatch.StartNew();
        while (guard.Elapsed < Patience)
        {
            var mark = cluster.Running.Mark;
            var driver = await host.StartOnClusterAsync("fan_driver").WaitAsync(Patience);
            // Not disposed on the way out: the call returned keeps its token.
            var cancel = new CancellationTokenSource();
            var call = driver.CallAsync("script", System.Text.Encoding.UTF8.GetBytes($";spawn {child};call 1 loop_forever x"), cancel.Token);
            await ClusterHostTests.WaitUntil(() => cluster.Running.CrossingsSince(mark).Any(c => c.Callee == child), "the child runs");
            var site = cluster.Running.CrossingsSince(mark).First(c => c.Callee == child).Site;
            if (site != primary && cluster.Cluster.Silos.SingleOrDefault(s => s.SiloAddress.Endpoint.ToString() == site) is { } silo)
                return (driver, call, silo);
            await cancel.CancelAsync();
            await Assert.ThrowsAsync<PluginException>(() => call.WaitAsync(Patience));
            cancel.Dispose();
            await driver.DisposeAsync();
        }
        throw new TimeoutException($"Orleans placed no {child} off the primary silo within {Patience}");
    }

    /// <summary>
    /// Starts processes until Orleans places one off the primary silo, which the test cluster's
    /// membership needs, and frees the others. The test replaces the silo it takes down.
    /// </summary>
    private async Task<(ClusterPluginProcess Process, InProcessSiloHandle Silo)> StartOffThePrimary(string plugin)
    {
        var host = (ClusterPluginHost)cluster.Host;
        var primary = cluster.Cluster.Silos[0].SiloAddress.Endpoint.ToString();
        var guard = Stopwatch.StartNew();
        while (guard.Elapsed < Patience)
        {
            var process = await host.StartOnClusterAsync(plugin).WaitAsync(Patience);
            if (process.Silo != primary && cluster.Cluster.Silos.SingleOrDefault(s => s.SiloAddress.Endpoint.ToString() == process.Silo) is { } silo)
                return (process, silo);
            await process.DisposeAsync();
        }
        throw new TimeoutException($"Orleans placed no process off the primary silo within {Patience}");
    }
}
