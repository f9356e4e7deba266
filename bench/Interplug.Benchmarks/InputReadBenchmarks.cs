using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Benchmarks;

/// <summary>
/// How fast a plugin reads a 1 MiB input through the kernel (requirement: well over 1 GB/s).
/// The plugin is input_read.wat, beside this file. Each benchmark is one whole host call, input
/// copy included; nothing is subtracted. <see cref="ReadNone"/> shows that fixed part on its own.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 20)]
[BenchmarkCategory("InputRead")]
public class InputReadBenchmarks
{
    /// <summary>Size of the input: 1 MiB.</summary>
    public const int InputBytes = 1 << 20;

    private PluginRuntime _runtime = null!;
    private CompiledPlugin _plugin = null!;
    private PluginInstance _instance = null!;
    private byte[] _input = null!;

    [GlobalSetup]
    public void Setup()
    {
        var wat = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "input_read.wat"));
        _runtime = new PluginRuntime();
        _plugin = _runtime.Compile(Manifest.FromBytes(wat, "input_read"));
        _instance = _plugin.Instantiate();
        _input = new byte[InputBytes];
        new Random(7).NextBytes(_input);

        // The fold proves every word was read. A 13-byte input checks the u8 tail as well.
        Check(_input);
        var small = new byte[13];
        new Random(8).NextBytes(small);
        Check(small);
        if (BinaryPrimitives.ReadInt64LittleEndian(ReadNone()) != InputBytes)
            throw new InvalidOperationException("read_none did not output the input length");
        if (ReadBlock().Length != 8)
            throw new InvalidOperationException("read_block did not output 8 bytes");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _instance.Dispose();
        _plugin.Dispose();
        _runtime.Dispose();
    }

    /// <summary>input_load_u64 over the whole 1 MiB input (plus input_load_u8 for a tail, none at 1 MiB).</summary>
    [Benchmark(Description = "input_load_u64 1 MiB")]
    public byte[] ReadInput() => _instance.Call("read_input", _input);

    /// <summary>The same loop with load_u64 over a 1 MiB block the plugin allocates; the call still carries the 1 MiB input.</summary>
    [Benchmark(Description = "load_u64 1 MiB block")]
    public byte[] ReadBlock() => _instance.Call("read_block", _input);

    /// <summary>The same call with the 1 MiB input, reading none of it.</summary>
    [Benchmark(Description = "no read, 1 MiB input")]
    public byte[] ReadNone() => _instance.Call("read_none", _input);

    private void Check(byte[] input)
    {
        var output = _instance.Call("read_input", input);
        var expected = Fold(input);
        if (output.Length != 8 || BinaryPrimitives.ReadUInt64LittleEndian(output) != expected)
            throw new InvalidOperationException($"read_input on {input.Length} bytes folded to {Convert.ToHexString(output)}, expected {expected:X16} (little-endian)");
    }

    /// <summary>The xor of the input's 8-byte little-endian words, the last one zero-padded.</summary>
    private static ulong Fold(ReadOnlySpan<byte> input)
    {
        ulong acc = 0;
        Span<byte> word = stackalloc byte[8];
        for (var i = 0; i < input.Length; i += 8)
        {
            word.Clear();
            input[i..Math.Min(input.Length, i + 8)].CopyTo(word);
            acc ^= BinaryPrimitives.ReadUInt64LittleEndian(word);
        }
        return acc;
    }
}
