using BenchmarkDotNet.Attributes;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Benchmarks;

/// <summary>
/// The runtime's per-call and per-host-function costs, through the runtime API on a kept instance
/// of host_functions.wat (beside this file). The loop rows run N rounds inside one call and count
/// each round as one operation; a round includes the kernel work a PDK does around the function
/// (the <c>kernel</c> row alone), so a host function's own cost is its row minus that one.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 20)]
[BenchmarkCategory("HostFunction")]
public class HostFunctionBenchmarks
{
    /// <summary>Rounds per call of the loop exports.</summary>
    public const int N = 10_000;

    private PluginRuntime _runtime = null!;
    private CompiledPlugin _plugin = null!;
    private PluginInstance _instance = null!;
    private readonly byte[] _rounds = BitConverter.GetBytes((long)N);

    [GlobalSetup]
    public void Setup()
    {
        var wat = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "host_functions.wat"));
        _runtime = new PluginRuntime();
        _plugin = _runtime.Compile(Manifest.FromBytes(wat, "host_functions") with
        {
            Config = new Dictionary<string, string> { ["vowels"] = "aeiouAEIOU" },
        });
        _instance = _plugin.Instantiate();
        // Every export must run to the end; var_get needs the var to exist.
        _instance.Call("var_set", BitConverter.GetBytes(1L));
        foreach (var export in new[] { "kernel", "bare", "config_get", "var_get", "var_set", "var_pair", "log_off" })
            _instance.Call(export, BitConverter.GetBytes(3L));
        if (Empty().Length != 0)
            throw new InvalidOperationException("empty produced output");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _instance.Dispose();
        _plugin.Dispose();
        _runtime.Dispose();
    }

    /// <summary>A host→plugin call of an export that does nothing: no input, no output.</summary>
    [Benchmark(Description = "empty call")]
    public byte[] Empty() => _instance.Call("empty", []);

    [Benchmark(Description = "kernel alloc+store+free", OperationsPerInvoke = N)]
    public byte[] Kernel() => _instance.Call("kernel", _rounds);

    [Benchmark(Description = "bare host function", OperationsPerInvoke = N)]
    public byte[] Bare() => _instance.Call("bare", _rounds);

    [Benchmark(Description = "config_get", OperationsPerInvoke = N)]
    public byte[] ConfigGet() => _instance.Call("config_get", _rounds);

    [Benchmark(Description = "var_get", OperationsPerInvoke = N)]
    public byte[] VarGet() => _instance.Call("var_get", _rounds);

    [Benchmark(Description = "var_set", OperationsPerInvoke = N)]
    public byte[] VarSet() => _instance.Call("var_set", _rounds);

    [Benchmark(Description = "var_get+var_set", OperationsPerInvoke = N)]
    public byte[] VarPair() => _instance.Call("var_pair", _rounds);

    [Benchmark(Description = "log_info, logging off", OperationsPerInvoke = N)]
    public byte[] LogOff() => _instance.Call("log_off", _rounds);
}
