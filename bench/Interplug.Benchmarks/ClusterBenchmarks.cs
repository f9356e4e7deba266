using BenchmarkDotNet.Attributes;
using Interplug.Host;
using Interplug.Orleans;

namespace Interplug.Benchmarks;

/// <summary>
/// Interplug on an Orleans cluster (issue 13), against the anchors the targets name: a plain
/// grain call carrying the same 13 bytes across the same two silos, and the embedded host running
/// the same call_plugin loop. Calls start on one silo; "across silos" means the process lives on
/// the other. The method names are the keys bench/report/report.mjs looks up.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 15)]
[BenchmarkCategory("Cluster")]
public class ClusterBenchmarks
{
    /// <summary>call_plugin round trips per call_loop: the one Orleans call that enters the caller is spread over them.</summary>
    public const int N = 1_000;

    private static readonly byte[] Hello = BenchHost.Hello.ToArray();

    private BenchCluster _cluster = null!;
    private IBenchEchoGrain _grainThere = null!;
    private ClusterPluginProcess _echoThere = null!;
    private ClusterPluginProcess _echoHere = null!;
    private ClusterPluginProcess _callerHere = null!;
    private PluginHost _embedded = null!;
    private PluginProcess _embeddedCaller = null!;
    private byte[] _mebibyte = null!;
    private byte[] _callLoop13 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _cluster = BenchCluster.StartAsync().GetAwaiter().GetResult();
        _grainThere = _cluster.EchoOn(_cluster.There).GetAwaiter().GetResult();
        _echoThere = _cluster.StartOn("echo", _cluster.There).GetAwaiter().GetResult();
        _echoHere = _cluster.StartOn("echo", _cluster.Here).GetAwaiter().GetResult();
        _callerHere = _cluster.StartOn("bench_caller", _cluster.Here).GetAwaiter().GetResult();
        _embedded = BenchHost.Create();
        _embeddedCaller = _embedded.Start("bench_caller");
        _mebibyte = BenchHost.Payload(1 << 20);
        _callLoop13 = BenchHost.CallLoopInput(N, Hello.Length);

        // Check once that every row does what it claims, so a broken path cannot look fast.
        Expect(GrainCall13(), Hello, "the echo grain");
        Expect(CrossSiloEcho13(), Hello, "echo across silos");
        Expect(CrossSiloEcho1MiB(), _mebibyte, "echo of 1 MiB across silos");
        Expect(SameSiloEcho13(), Hello, "echo on the calling silo");
        var total = (N * Hello.Length).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (BenchHost.Text(SameSiloCallPlugin13()) != total || BenchHost.Text(EmbeddedCallPlugin13()) != total)
            throw new InvalidOperationException($"call_loop did not receive {total} bytes on both hosts");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _embedded.Dispose();
        _cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The anchor: a plain Orleans grain call carrying 13 bytes to the other silo and back.</summary>
    [Benchmark(Description = "Orleans grain call across silos, 13 B")]
    public byte[] GrainCall13() => _grainThere.Echo(Hello).GetAwaiter().GetResult();

    /// <summary>A top-level call of echo on a process on the other silo: the grain call plus the plugin call.</summary>
    [Benchmark(Description = "Interplug call across silos, echo 13 B")]
    public byte[] CrossSiloEcho13() => _echoThere.CallAsync("echo", Hello).GetAwaiter().GetResult();

    /// <summary>1 MiB to a process on the other silo and back: MB/s is the payload over this time.</summary>
    [Benchmark(Description = "Interplug call across silos, echo 1 MiB")]
    public byte[] CrossSiloEcho1MiB() => _echoThere.CallAsync("echo", _mebibyte).GetAwaiter().GetResult();

    /// <summary>The same top-level call on a process on the calling silo: what the grain call and the host cost without the network.</summary>
    [Benchmark(Description = "Interplug call on the calling silo, echo 13 B")]
    public byte[] SameSiloEcho13() => _echoHere.CallAsync("echo", Hello).GetAwaiter().GetResult();

    /// <summary>call_plugin from a process on a silo into a child on the same silo (placement local), per round trip.</summary>
    [Benchmark(Description = "call_plugin on one silo, echo 13 B", OperationsPerInvoke = N)]
    public byte[] SameSiloCallPlugin13() => _callerHere.CallAsync("call_loop", _callLoop13).GetAwaiter().GetResult();

    /// <summary>The same call_plugin loop on the embedded host: the anchor of the same-silo row.</summary>
    [Benchmark(Description = "call_plugin on the embedded host, echo 13 B", OperationsPerInvoke = N)]
    public byte[] EmbeddedCallPlugin13() => _embeddedCaller.Call("call_loop", _callLoop13);

    private static void Expect(byte[] actual, byte[] expected, string what)
    {
        if (!actual.AsSpan().SequenceEqual(expected))
            throw new InvalidOperationException($"{what} returned {actual.Length} bytes that are not its input");
    }
}
