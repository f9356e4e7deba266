using BenchmarkDotNet.Attributes;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Benchmarks;

/// <summary>
/// Creating and disposing an instance from a plugin compiled once: what a host pays for a fresh
/// sandbox (new store, kernel, plugin memory, start-up code), without compilation.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 20)]
[BenchmarkCategory("Instantiate")]
public class InstantiateBenchmarks
{
    private PluginRuntime _runtime = null!;
    private CompiledPlugin _countVowels = null!;

    [GlobalSetup]
    public void Setup()
    {
        _runtime = new PluginRuntime();
        _countVowels = _runtime.Compile(Manifest.FromWasmFile(RepoPaths.Plugin("count_vowels")));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _countVowels.Dispose();
        _runtime.Dispose();
    }

    /// <summary>Instantiate + Dispose of the compiled count_vowels plugin.</summary>
    [Benchmark(Description = "Instantiate+Dispose count_vowels")]
    public void InstantiateAndDispose()
    {
        using var instance = _countVowels.Instantiate();
    }
}
