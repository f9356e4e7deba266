using System.Text;

namespace Interplug.Host.Tests;

/// <summary>
/// A warm plugin-to-plugin call allocates no managed memory, so call chains on several threads do
/// not trigger collections that stop them all. Measured on one thread, with nobody listening to
/// the host's activities (as in production without tracing), so it runs alone: the telemetry
/// tests' listener would make the host build activities.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class AllocationTests
{
    [Theory]
    [InlineData("bench_caller", "echo")] // call_plugin, Extism blocks on both sides
    [InlineData("bulk_c", "bulk_c")] // call_plugin_bytes, the bulk-data functions on both sides
    public void A_warm_plugin_to_plugin_round_trip_allocates_no_managed_memory(string caller, string callee)
    {
        using var host = TestHosts.Host(TestHosts.Policy((caller, TestHosts.SpawnAll)));
        using var process = host.Start(caller);
        const int Calls = 20_000;
        var input = Encoding.ASCII.GetBytes($"{Calls} {callee} echo 13");
        Assert.Equal($"{Calls * 13}", process.CallText("call_loop", $"{Calls} {callee} echo 13")); // warm-up and check

        var before = GC.GetAllocatedBytesForCurrentThread();
        process.Call("call_loop", input);
        var perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Calls;

        // The top-level call itself allocates a few hundred bytes (its output, its call chain):
        // well under 1 B when spread over the loop. One object per round trip would be 24 B or more.
        Assert.True(perCall < 1, $"{perCall:F1} B allocated per round trip");
    }
}
