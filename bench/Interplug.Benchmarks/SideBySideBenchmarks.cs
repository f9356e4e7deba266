using System.Text;
using BenchmarkDotNet.Attributes;
using Interplug.Host;

namespace Interplug.Benchmarks;

// The Interplug side of the side-by-side comparison with the Extism JS SDK (bench/peer runs the
// same plugins and the same inputs; bench/report puts both in one table). Every figure is one
// operation: loops inside one plugin call are divided by their count (OperationsPerInvoke), so the
// host's cost of entering the calling plugin is spread over N inner operations. The method names
// are the keys bench/report/report.mjs looks up: rename both together.

/// <summary>Host→plugin calls through the host API (<see cref="PluginProcess.Call"/>) on kept processes.</summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 15)]
[BenchmarkCategory("SideBySide")]
public class SideBySideHostCall
{
    private PluginHost _host = null!;
    private PluginProcess _countVowels = null!;
    private PluginProcess _echo = null!;

    [GlobalSetup]
    public void Setup()
    {
        _host = BenchHost.Create();
        _countVowels = _host.Start("count_vowels");
        _echo = _host.Start("echo");
        var vowels = BenchHost.Text(CountVowels13());
        if (!vowels.StartsWith("{\"count\":3,", StringComparison.Ordinal))
            throw new InvalidOperationException($"count_vowels returned {vowels}");
        if (!Echo13().AsSpan().SequenceEqual(BenchHost.Hello))
            throw new InvalidOperationException("echo did not return its input");
    }

    [GlobalCleanup]
    public void Cleanup() => _host.Dispose();

    /// <summary>count_vowels("Hello, World!"): the seed's call, from the host.</summary>
    [Benchmark(Description = "host→plugin count_vowels 13 B")]
    public byte[] CountVowels13() => _countVowels.Call("count_vowels", BenchHost.Hello);

    /// <summary>echo("Hello, World!") from the host: the baseline of the call_plugin round trip.</summary>
    [Benchmark(Description = "host→plugin echo 13 B")]
    public byte[] Echo13() => _echo.Call("echo", BenchHost.Hello);
}

/// <summary>
/// The host-function rows (issue 11), host→plugin on kept processes: an empty call, bench_env's
/// PDK loops of config_get and of var_get+var_set (N per call), and count_vowels on the 13-byte
/// payload bench_caller passes it in the nested row, so the direct and nested figures compare.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 15)]
[BenchmarkCategory("SideBySide")]
public class SideBySideEnv
{
    public const int N = 10_000;
    private static readonly byte[] Rounds = Encoding.ASCII.GetBytes(N.ToString(System.Globalization.CultureInfo.InvariantCulture));
    private static readonly byte[] Payload13 = BenchHost.Payload(13);
    private PluginHost _host = null!;
    private PluginProcess _env = null!;
    private PluginProcess _countVowels = null!;

    [GlobalSetup]
    public void Setup()
    {
        _host = BenchHost.Create();
        _env = _host.Start("bench_env");
        _countVowels = _host.Start("count_vowels");
        BenchHost.Expect(_env, "config_loop", "3", "3"); // vowels configured: found every time
        BenchHost.Expect(_env, "var_loop", "3", "3");
        if (Empty().Length != 0)
            throw new InvalidOperationException("bench_env.empty produced output");
        var vowels = BenchHost.Text(CountVowels13());
        if (!vowels.StartsWith("{\"count\":", StringComparison.Ordinal))
            throw new InvalidOperationException($"count_vowels returned {vowels}");
    }

    [GlobalCleanup]
    public void Cleanup() => _host.Dispose();

    [Benchmark(Description = "host→plugin empty call")]
    public byte[] Empty() => _env.Call("empty", []);

    [Benchmark(Description = "config_get (PDK Config.get)", OperationsPerInvoke = N)]
    public byte[] ConfigGet() => _env.Call("config_loop", Rounds);

    [Benchmark(Description = "var_get+var_set (PDK)", OperationsPerInvoke = N)]
    public byte[] VarPair() => _env.Call("var_loop", Rounds);

    [Benchmark(Description = "host→plugin count_vowels, call_loop's 13 B")]
    public byte[] CountVowels13() => _countVowels.Call("count_vowels", Payload13);
}

/// <summary>
/// Plugin→plugin round trips: bench_caller's call_loop calls echo N times through call_plugin
/// inside one top-level call (payload built once, each output freed).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 15)]
[BenchmarkCategory("SideBySide")]
public class SideBySideCallPlugin
{
    public const int N13 = 10_000;
    public const int N64 = 10_000;
    public const int N4K = 5_000;
    public const int N64K = 500;
    public const int N1M = 20;
    // The loop builds its 1 MiB payload and spawns the callee once per call, about 4 ms: forward's
    // round trip is short enough that it needs more calls to amortise that.
    public const int NEchoC1M = 50;
    public const int NForward1M = 500;
    public const int NBulk1M = 500;

    private PluginHost _host = null!;
    private PluginProcess _caller = null!;
    private PluginProcess _bulkC = null!, _bulkAs = null!;
    private byte[] _bulkC1M = null!, _bulkAs1M = null!;
    private byte[] _countVowels13 = null!, _empty = null!;
    private byte[] _in13 = null!, _in64 = null!, _in4K = null!, _in64K = null!, _in1M = null!, _echoC1M = null!, _forward1M = null!;

    [GlobalSetup]
    public void Setup()
    {
        _host = BenchHost.Create();
        _caller = _host.Start("bench_caller");
        _in13 = BenchHost.CallLoopInput(N13, 13);
        _countVowels13 = BenchHost.CallLoopInput(N13, 13, "count_vowels", "count_vowels");
        _empty = BenchHost.CallLoopInput(N13, 0, "bench_env", "empty");
        BenchHost.CheckLoop(_caller, "count_vowels", "count_vowels", 13, null);
        BenchHost.CheckLoop(_caller, "bench_env", "empty", 0, 0);
        _in64 = BenchHost.CallLoopInput(N64, 64);
        _in4K = BenchHost.CallLoopInput(N4K, 4 << 10);
        _in64K = BenchHost.CallLoopInput(N64K, 64 << 10);
        _in1M = BenchHost.CallLoopInput(N1M, 1 << 20);
        _echoC1M = BenchHost.CallLoopInput(NEchoC1M, 1 << 20, "echo_c", "echo");
        _forward1M = BenchHost.CallLoopInput(NForward1M, 1 << 20, "echo_c", "forward");
        BenchHost.CheckEcho(_caller, 13);
        foreach (var size in BenchHost.SweepSizes)
            BenchHost.CheckEcho(_caller, size);
        BenchHost.CheckEcho(_caller, 1 << 20, "echo_c", "echo");
        BenchHost.CheckEcho(_caller, 1 << 20, "echo_c", "forward");
        // Both sides on the bulk-data functions: bulk_c calls bulk_c, bulk (AssemblyScript) calls bulk.
        _bulkC = _host.Start("bulk_c");
        _bulkAs = _host.Start("bulk");
        _bulkC1M = BenchHost.CallLoopInput(NBulk1M, 1 << 20, "bulk_c", "echo");
        _bulkAs1M = BenchHost.CallLoopInput(NBulk1M, 1 << 20, "bulk", "echo");
        BenchHost.CheckEcho(_bulkC, 1 << 20, "bulk_c", "echo");
        BenchHost.CheckEcho(_bulkAs, 1 << 20, "bulk", "echo");
    }

    [GlobalCleanup]
    public void Cleanup() => _host.Dispose();

    [Benchmark(Description = "plugin→plugin echo 13 B", OperationsPerInvoke = N13)]
    public byte[] CallPlugin13() => _caller.Call("call_loop", _in13);

    [Benchmark(Description = "plugin→plugin count_vowels 13 B", OperationsPerInvoke = N13)]
    public byte[] CallPluginCountVowels13() => _caller.Call("call_loop", _countVowels13);

    [Benchmark(Description = "plugin→plugin empty call", OperationsPerInvoke = N13)]
    public byte[] CallPluginEmpty() => _caller.Call("call_loop", _empty);

    [Benchmark(Description = "call_plugin echo 64 B", OperationsPerInvoke = N64)]
    public byte[] CallPlugin64() => _caller.Call("call_loop", _in64);

    [Benchmark(Description = "call_plugin echo 4 KiB", OperationsPerInvoke = N4K)]
    public byte[] CallPlugin4K() => _caller.Call("call_loop", _in4K);

    [Benchmark(Description = "call_plugin echo 64 KiB", OperationsPerInvoke = N64K)]
    public byte[] CallPlugin64K() => _caller.Call("call_loop", _in64K);

    [Benchmark(Description = "call_plugin echo 1 MiB", OperationsPerInvoke = N1M)]
    public byte[] CallPlugin1M() => _caller.Call("call_loop", _in1M);

    // The same 1 MiB round trip without the AssemblyScript PDK: the cheapest echo the ABI allows,
    // and a callee that returns its input block unread (only the host's two copies remain).
    [Benchmark(Description = "call_plugin echo_c 1 MiB", OperationsPerInvoke = NEchoC1M)]
    public byte[] CallPluginEchoC1M() => _caller.Call("call_loop", _echoC1M);

    [Benchmark(Description = "call_plugin forward 1 MiB", OperationsPerInvoke = NForward1M)]
    public byte[] CallPluginForward1M() => _caller.Call("call_loop", _forward1M);

    // The same 1 MiB echo when caller and callee use the bulk-data functions (input_read,
    // output_write, call_plugin_bytes): four copies of the payload, each in one step.
    [Benchmark(Description = "call_plugin_bytes bulk_c echo 1 MiB", OperationsPerInvoke = NBulk1M)]
    public byte[] CallPluginBytesC1M() => _bulkC.Call("call_loop", _bulkC1M);

    [Benchmark(Description = "call_plugin_bytes bulk (AssemblyScript) echo 1 MiB", OperationsPerInvoke = NBulk1M)]
    public byte[] CallPluginBytesAs1M() => _bulkAs.Call("call_loop", _bulkAs1M);
}

/// <summary>A plain copy of the sweep's sizes in the same process: Span.CopyTo into a preallocated buffer.</summary>
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 15)]
[BenchmarkCategory("SideBySide")]
public class SideBySideCopy
{
    private readonly byte[] _source = new byte[1 << 20];
    private readonly byte[] _target = new byte[1 << 20];

    [GlobalSetup]
    public void Setup() => new Random(3).NextBytes(_source);

    [Benchmark(Description = "copy 64 B")]
    public void Copy64() => _source.AsSpan(0, 64).CopyTo(_target);

    [Benchmark(Description = "copy 4 KiB")]
    public void Copy4K() => _source.AsSpan(0, 4 << 10).CopyTo(_target);

    [Benchmark(Description = "copy 64 KiB")]
    public void Copy64K() => _source.AsSpan(0, 64 << 10).CopyTo(_target);

    [Benchmark(Description = "copy 1 MiB")]
    public void Copy1M() => _source.AsSpan(0, 1 << 20).CopyTo(_target);
}

/// <summary>
/// register_plugin of a cached module (count_vowels, compiled once in setup): bench_caller's
/// spawn_loop spawns N children without freeing them. The host keeps children between calls, so
/// freeing them happens in the iteration's clean-up, outside the measurement.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
[InvocationCount(1)]
[BenchmarkCategory("SideBySide")]
public class SideBySideSpawn
{
    public const int N = 2_000;
    private static readonly byte[] Input = Encoding.ASCII.GetBytes($"{N} count_vowels");
    private PluginHost _host = null!;
    private PluginProcess? _caller;

    [GlobalSetup]
    public void Setup()
    {
        _host = BenchHost.Create(keepChildren: true);
        using var first = _host.Start("bench_caller");
        BenchHost.Expect(first, "spawn_loop", "3 count_vowels", "spawned 3");
        if (_host.LiveInstances != 4)
            throw new InvalidOperationException($"expected 4 live instances after spawning 3, found {_host.LiveInstances}");
    }

    [IterationSetup]
    public void StartCaller() => _caller = _host.Start("bench_caller");

    [IterationCleanup]
    public void FreeCaller()
    {
        var live = _host.LiveInstances;
        _caller?.Dispose();
        if (live != N + 1)
            throw new InvalidOperationException($"expected {N + 1} live instances after spawn_loop, found {live}");
    }

    [GlobalCleanup]
    public void Cleanup() => _host.Dispose();

    [Benchmark(Description = "spawn (register_plugin, cached module)", OperationsPerInvoke = N)]
    public byte[] Spawn() => _caller!.Call("spawn_loop", Input);
}

/// <summary>register_plugin then free_plugin of a cached module, N times in one call (spawn_free_loop).</summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 15)]
[BenchmarkCategory("SideBySide")]
public class SideBySideSpawnFree
{
    public const int N = 2_000;
    private static readonly byte[] Input = Encoding.ASCII.GetBytes($"{N} count_vowels");
    private PluginHost _host = null!;
    private PluginProcess _caller = null!;

    [GlobalSetup]
    public void Setup()
    {
        _host = BenchHost.Create();
        _caller = _host.Start("bench_caller");
        BenchHost.Expect(_caller, "spawn_free_loop", "3 count_vowels", "freed 3");
    }

    [GlobalCleanup]
    public void Cleanup() => _host.Dispose();

    [Benchmark(Description = "spawn+free (register_plugin + free_plugin)", OperationsPerInvoke = N)]
    public byte[] SpawnFree() => _caller.Call("spawn_free_loop", Input);
}

/// <summary>
/// Two independent call chains (bench_caller → echo, 13 B, N round trips each) on two threads
/// against one host, versus one such chain on one thread. Throughput ratio = one-thread time per
/// round trip / two-thread time per round trip. The control pair runs a plain arithmetic loop the
/// same way: on a machine that really gives the process two idle cores it scales about 2×, so it
/// tells how far the machine itself allowed the chains to scale.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 15)]
[BenchmarkCategory("SideBySide")]
public class SideBySideThreads
{
    public const int N = 10_000;
    private PluginHost _host = null!;
    private PluginProcess _a = null!;
    private PluginProcess _b = null!;
    private byte[] _input = null!;

    [GlobalSetup]
    public void Setup()
    {
        _host = BenchHost.Create();
        _a = _host.Start("bench_caller");
        _b = _host.Start("bench_caller");
        _input = BenchHost.CallLoopInput(N, 13);
        BenchHost.CheckEcho(_a, 13);
        BenchHost.CheckEcho(_b, 13);
    }

    [GlobalCleanup]
    public void Cleanup() => _host.Dispose();

    [Benchmark(Description = "1 thread: plugin→plugin echo 13 B", OperationsPerInvoke = N)]
    public void OneThread() => _a.Call("call_loop", _input);

    [Benchmark(Description = "2 threads: plugin→plugin echo 13 B", OperationsPerInvoke = 2 * N)]
    public void TwoThreads() => Parallel.Invoke(
        () => _a.Call("call_loop", _input),
        () => _b.Call("call_loop", _input));

    /// <summary>About as long as one call_loop of N round trips; no memory traffic, no wasm.</summary>
    private static long Spin()
    {
        long x = 1;
        for (var i = 0; i < 4_000_000; i++)
            x = (x * 31) ^ i;
        return x;
    }

    [Benchmark(Description = "control: 1 thread arithmetic loop")]
    public long OneThreadSpin() => Spin();

    [Benchmark(Description = "control: 2 threads arithmetic loop", OperationsPerInvoke = 2)]
    public void TwoThreadsSpin() => Parallel.Invoke(() => GC.KeepAlive(Spin()), () => GC.KeepAlive(Spin()));
}
