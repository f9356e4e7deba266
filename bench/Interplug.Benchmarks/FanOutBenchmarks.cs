using System.Text;
using BenchmarkDotNet.Attributes;
using Interplug.Host;

namespace Interplug.Benchmarks;

/// <summary>
/// Fan-out (plugins/as/fanout.ts): two CPU-bound children run at once through
/// call_plugin_async + await_call against the same two one after the other through call_plugin
/// (target: parallel ≥ 1.8× faster on two free cores; read it next to the arithmetic-loop control
/// of <see cref="SideBySideThreads"/>, which shows what two threads give on the machine at all),
/// and the cost of one call_plugin_async + await_call round trip against one call_plugin round
/// trip on the same 8-byte echo (target ≤ 1.5×). Each pair spawns its two children, in both rows.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
[BenchmarkCategory("FanOut")]
public class FanOutBenchmarks
{
    /// <summary>xorshift rounds per child: tens of milliseconds, so a pair is dominated by the work, not the spawns.</summary>
    public const int BurnRounds = 20_000_000;

    public const int RoundTrips = 10_000;

    private PluginHost _host = null!;
    private PluginProcess _fanout = null!;
    private byte[] _parallel = null!, _sequence = null!, _async = null!, _sync = null!;

    [GlobalSetup]
    public void Setup()
    {
        _host = BenchHost.Create();
        _fanout = _host.Start("fanout");
        _parallel = Encoding.ASCII.GetBytes($"parallel {BurnRounds}");
        _sequence = Encoding.ASCII.GetBytes($"sequence {BurnRounds}");
        _async = Encoding.ASCII.GetBytes($"async {RoundTrips}");
        _sync = Encoding.ASCII.GetBytes($"sync {RoundTrips}");
        // Both orders compute the same thing, and every round trip returned its 8 bytes.
        var parallel = BenchHost.Text(Parallel());
        if (parallel != BenchHost.Text(Sequence()) || parallel.Split(',').Length != 2)
            throw new InvalidOperationException($"fanout.pair returned '{parallel}' in parallel and something else in sequence");
        var bytes = (8L * RoundTrips).ToString(System.Globalization.CultureInfo.InvariantCulture);
        BenchHost.Expect(_fanout, "round_trip", $"async {RoundTrips}", bytes);
        BenchHost.Expect(_fanout, "round_trip", $"sync {RoundTrips}", bytes);
    }

    [GlobalCleanup]
    public void Cleanup() => _host.Dispose();

    [Benchmark(Description = "two CPU-bound children in parallel (call_plugin_async)")]
    public byte[] Parallel() => _fanout.Call("pair", _parallel);

    [Benchmark(Description = "two CPU-bound children in sequence (call_plugin)")]
    public byte[] Sequence() => _fanout.Call("pair", _sequence);

    [Benchmark(Description = "call_plugin_async + await_call echo 8 B", OperationsPerInvoke = RoundTrips)]
    public byte[] AsyncRoundTrip() => _fanout.Call("round_trip", _async);

    [Benchmark(Description = "call_plugin echo 8 B", OperationsPerInvoke = RoundTrips)]
    public byte[] SyncRoundTrip() => _fanout.Call("round_trip", _sync);
}
