using System.Diagnostics;
using Xunit.Abstractions;

namespace Interplug.Host.Tests;

/// <summary>Tests that measure the process and so must run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "serial";
}

/// <summary>A long-running plugin that spawns and frees children forever neither leaks instances nor memory.</summary>
[Collection(RunsAlone.Name)]
public class SpawnFreeCycleTests(ITestOutputHelper output)
{
    private const long MiB = 1 << 20;

    [Fact]
    public async Task A_hundred_thousand_spawn_free_cycles_keep_one_instance_alive_and_memory_flat()
    {
        // The default 30 s timeout is not what this test is about.
        using var host = TestHosts.Host(TestHosts.Policy(("relay", TestHosts.SpawnAll with { TimeoutMs = 600_000 })));
        var clock = Stopwatch.StartNew();
        using (var warmUp = host.Start("relay"))
            Assert.Equal("ok 10000", warmUp.CallText("spawn_free", "10000 echo"));
        Assert.Equal(0, host.LiveInstances);
        var before = WorkingSet();
        var warmUpTime = clock.Elapsed;
        clock.Restart();

        var relay = host.Start("relay");
        int lowest = int.MaxValue, highest = int.MinValue, samples = 0;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var live = host.LiveInstances;
                lowest = Math.Min(lowest, live);
                highest = Math.Max(highest, live);
                samples++;
                Thread.Sleep(1);
            }
        });
        var result = relay.CallText("spawn_free", "100000 echo");
        var cyclesTime = clock.Elapsed;
        await stop.CancelAsync();
        await sampler.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal("ok 100000", result);
        Assert.True(samples > 0);
        Assert.InRange(lowest, 1, 2); // the relay, plus the one echo it has between spawn and free
        Assert.InRange(highest, 1, 2);
        Assert.Equal(1, host.LiveInstances);
        Assert.Equal(0, relay.DescendantCount);
        relay.Dispose();
        Assert.Equal(0, host.LiveInstances);

        var after = WorkingSet();
        output.WriteLine($"working set after 10,000 warm-up cycles: {before / (double)MiB:0.0} MiB");
        output.WriteLine($"working set after 100,000 more cycles:  {after / (double)MiB:0.0} MiB (growth {(after - before) / (double)MiB:+0.0;-0.0} MiB)");
        output.WriteLine($"time: {warmUpTime.TotalSeconds:0.0} s for the warm-up, {cyclesTime.TotalSeconds:0.0} s for the 100,000 cycles");
        output.WriteLine($"LiveInstances during the cycles: {lowest}..{highest} over {samples} samples");
        Assert.True(after - before < 64 * MiB, $"working set grew from {before / MiB} MiB to {after / MiB} MiB");
    }

    /// <summary>The process's working set after a full collection, for tests that hold memory flat.</summary>
    internal static long WorkingSet()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}
