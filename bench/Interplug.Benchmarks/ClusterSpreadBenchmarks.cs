using BenchmarkDotNet.Attributes;
using Interplug.Host.Policy;
using Interplug.Orleans;

namespace Interplug.Benchmarks;

/// <summary>
/// call_plugin from a process on one silo into a child that the policy places with
/// <c>"placement": "spread"</c> (issue 13), next to the plain grain call across the same silos.
/// The cluster places every grain on a silo other than the one that activates it, so the caller
/// started from the first silo runs on the second and its spread child on the first: each
/// call_plugin crosses silos. Each call_loop spawns its child once, calls it <see cref="N"/>
/// times and frees it. Compiled once the spread branch adds the policy key (see the .csproj).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 15)]
[BenchmarkCategory("Cluster")]
public class ClusterSpreadBenchmarks
{
    /// <summary>call_plugin round trips per call_loop.</summary>
    public const int N = 200;

    /// <summary>echo under another name, so that only the benchmark's child is spread.</summary>
    private const string Policy = """
        {
          "plugins": {
            "echo_spread": { "placement": "spread" }
          }
        }
        """;

    private static readonly byte[] Hello = BenchHost.Hello.ToArray();

    private BenchCluster _cluster = null!;
    private IBenchEchoGrain _grainThere = null!;
    private ClusterPluginProcess _caller = null!;
    private byte[] _callLoop13 = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = BenchHost.Options();
        _cluster = BenchCluster.StartAsync(options with
        {
            Catalog = options.Catalog.Add("echo_spread", Runtime.Manifests.Manifest.FromWasmFile(RepoPaths.Plugin("echo"))),
            Policy = options.Policy with
            {
                Plugins = new Dictionary<string, PolicyRule>(options.Policy.Plugins) { ["echo_spread"] = PluginPolicy.Parse(Policy).Plugins["echo_spread"] },
            },
        }, placeOnOtherSilo: true).GetAwaiter().GetResult();
        _grainThere = _cluster.EchoOn(_cluster.There).GetAwaiter().GetResult();
        _caller = _cluster.StartOn("bench_caller", _cluster.There).GetAwaiter().GetResult();
        _callLoop13 = BenchHost.CallLoopInput(N, Hello.Length, callee: "echo_spread");
        var total = BenchHost.Text(CrossSiloCallPlugin13());
        if (total != (N * Hello.Length).ToString(System.Globalization.CultureInfo.InvariantCulture))
            throw new InvalidOperationException($"call_loop into echo_spread received {total} bytes");
    }

    [GlobalCleanup]
    public void Cleanup() => _cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The anchor, in this run: a plain grain call carrying 13 bytes to the other silo and back.</summary>
    [Benchmark(Description = "Orleans grain call across silos, 13 B (spread run)")]
    public byte[] GrainCall13() => _grainThere.Echo(Hello).GetAwaiter().GetResult();

    /// <summary>call_plugin into a spread child, per round trip (spawn and free included once per loop).</summary>
    [Benchmark(Description = "call_plugin into a spread child, echo 13 B", OperationsPerInvoke = N)]
    public byte[] CrossSiloCallPlugin13() => _caller.CallAsync("call_loop", _callLoop13).GetAwaiter().GetResult();
}
