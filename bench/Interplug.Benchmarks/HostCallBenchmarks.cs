using BenchmarkDotNet.Attributes;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Benchmarks;

/// <summary>
/// Host→plugin calls on an instance that is kept between calls: the per-call cost a host pays
/// once a plugin is running. Both plugins are the AssemblyScript ones built by <c>make -C plugins</c>.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 20)]
[BenchmarkCategory("HostCall")]
public class HostCallBenchmarks
{
    /// <summary>Size of the echo input: 1 MiB.</summary>
    public const int EchoBytes = 1 << 20;

    private PluginRuntime _runtime = null!;
    private CompiledPlugin _countVowels = null!;
    private CompiledPlugin _echo = null!;
    private PluginInstance _countVowelsInstance = null!;
    private PluginInstance _echoInstance = null!;
    private byte[] _echoInput = null!;

    [GlobalSetup]
    public void Setup()
    {
        _runtime = new PluginRuntime();
        _countVowels = _runtime.Compile(Manifest.FromWasmFile(RepoPaths.Plugin("count_vowels")));
        _echo = _runtime.Compile(Manifest.FromWasmFile(RepoPaths.Plugin("echo")));
        _countVowelsInstance = _countVowels.Instantiate();
        _echoInstance = _echo.Instantiate();

        _echoInput = new byte[EchoBytes];
        new Random(42).NextBytes(_echoInput);

        // Check once that the calls do what the benchmark claims, so a broken plugin cannot look fast.
        var vowels = System.Text.Encoding.UTF8.GetString(CountVowels());
        if (!vowels.StartsWith("{\"count\":3,", StringComparison.Ordinal))
            throw new InvalidOperationException($"count_vowels returned {vowels}");
        if (!Echo1MiB().AsSpan().SequenceEqual(_echoInput))
            throw new InvalidOperationException("echo did not return its 1 MiB input unchanged");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _countVowelsInstance.Dispose();
        _echoInstance.Dispose();
        _countVowels.Dispose();
        _echo.Dispose();
        _runtime.Dispose();
    }

    /// <summary>count_vowels on "Hello, World!" (13 bytes).</summary>
    [Benchmark(Description = "count_vowels 13 B")]
    [BenchmarkCategory("HostCall", "Small")]
    public byte[] CountVowels() => _countVowelsInstance.Call("count_vowels", "Hello, World!"u8);

    /// <summary>echo of 1 MiB of random bytes: input copied in, read by the plugin, written back, copied out.</summary>
    [Benchmark(Description = "echo 1 MiB")]
    [BenchmarkCategory("HostCall", "Large")]
    public byte[] Echo1MiB() => _echoInstance.Call("echo", _echoInput);
}
