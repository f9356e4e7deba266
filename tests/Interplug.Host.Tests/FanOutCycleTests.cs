using System.Diagnostics;
using System.Text;
using Interplug.Runtime.Manifests;
using Xunit.Abstractions;

namespace Interplug.Host.Tests;

/// <summary>Many start/await cycles neither leak instances nor memory; measures the process, so it runs alone.</summary>
[Collection(RunsAlone.Name)]
public class FanOutCycleTests(ITestOutputHelper output)
{
    private const long MiB = 1 << 20;
    private const int Cycles = 10_000;

    [Fact]
    public async Task Ten_thousand_start_await_cycles_keep_memory_and_live_instances_flat()
    {
        using var host = new PluginHost(new PluginHostOptions
        {
            Catalog = TestHosts.Catalog().Add("fan_driver", Manifest.FromWasmFile(TestHosts.DistPath("fan_driver"))),
            Policy = TestHosts.Policy(("*", TestHosts.SpawnAll with { TimeoutMs = 600_000 })),
        }, TestHosts.Runtime);
        var script = new StringBuilder(";spawn echo");
        for (var ticket = 1; ticket <= Cycles; ticket++)
            script.Append(";start 1 echo x;await ").Append(ticket);
        var expected = "1" + string.Concat(Enumerable.Range(1, Cycles).Select(ticket => $"|{ticket}|x"));

        Assert.Equal(expected, host.RunText("fan_driver", "script", script.ToString())); // warm-up
        var before = SpawnFreeCycleTests.WorkingSet();
        int highest = 0, samples = 0;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                highest = Math.Max(highest, host.LiveInstances);
                samples++;
                Thread.Sleep(1);
            }
        }, TaskCreationOptions.LongRunning);
        var clock = Stopwatch.StartNew();
        var result = host.RunText("fan_driver", "script", script.ToString());
        var time = clock.Elapsed;
        await stop.CancelAsync();
        await sampler.WaitAsync(TimeSpan.FromMinutes(1));
        var after = SpawnFreeCycleTests.WorkingSet();

        output.WriteLine($"{Cycles} cycles in {time.TotalMilliseconds:0} ms; working set {before / (double)MiB:0.0} → {after / (double)MiB:0.0} MiB; LiveInstances at most {highest} over {samples} samples");
        Assert.Equal(expected, result);
        Assert.True(samples > 0);
        Assert.InRange(highest, 0, 2); // fan_driver and its one echo
        Assert.Equal(0, host.LiveInstances);
        Assert.True(after - before < 64 * MiB, $"working set grew from {before / MiB} MiB to {after / MiB} MiB");
    }
}
