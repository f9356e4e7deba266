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
    [Fact]
    public void A_warm_call_plugin_round_trip_allocates_no_managed_memory()
    {
        using var host = TestHosts.Host(TestHosts.Policy(("bench_caller", TestHosts.SpawnAll)));
        using var caller = host.Start("bench_caller");
        const int Calls = 20_000;
        var input = Encoding.ASCII.GetBytes($"{Calls} echo echo 13");
        Assert.Equal($"{Calls * 13}", caller.CallText("call_loop", $"{Calls} echo echo 13")); // warm-up and check

        var before = GC.GetAllocatedBytesForCurrentThread();
        caller.Call("call_loop", input);
        var perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Calls;

        // The top-level call itself allocates a few hundred bytes (its output, its call chain):
        // well under 1 B when spread over the loop. One object per round trip would be 24 B or more.
        Assert.True(perCall < 1, $"{perCall:F1} B allocated per round trip");
    }

    [Fact]
    public void A_warm_call_plugin_bytes_round_trip_allocates_no_managed_memory()
    {
        using var host = TestHosts.Host(TestHosts.Policy(("bulk_c", TestHosts.SpawnAll)));
        using var caller = host.Start("bulk_c");
        const int Calls = 20_000;
        var input = Encoding.ASCII.GetBytes($"{Calls} bulk_c echo 13");
        Assert.Equal($"{Calls * 13}", caller.CallText("call_loop", $"{Calls} bulk_c echo 13"));

        var before = GC.GetAllocatedBytesForCurrentThread();
        caller.Call("call_loop", input);
        var perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Calls;

        Assert.True(perCall < 1, $"{perCall:F1} B allocated per round trip");
    }
}
