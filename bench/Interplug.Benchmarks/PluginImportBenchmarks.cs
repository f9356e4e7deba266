using System.Buffers.Binary;
using System.Text;
using BenchmarkDotNet.Attributes;
using Interplug.Host;
using Interplug.Host.Catalog;
using Interplug.Host.Policy;
using Interplug.Runtime.Manifests;
using Interplug.Testing;

namespace Interplug.Benchmarks;

/// <summary>
/// An imported export (<c>plugin:echo_c::forward</c>) next to <c>call_plugin</c> of the same
/// export, from two WAT callers that differ only in how they reach it. Each runs
/// <see cref="Calls"/> calls of a <see cref="Size"/>-byte block inside one top-level call
/// (OperationsPerInvoke), freeing each output; each top-level call also spawns echo_c once
/// (register_plugin, or the import's first use), which the loop amortises.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 15)]
[BenchmarkCategory("PluginImport")]
public class PluginImportBenchmarks
{
    private const int Calls = 1000;

    private const string KernelImports = """
          (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
          (import "extism:host/env" "free" (func $free (param i64)))
          (import "extism:host/env" "length" (func $length (param i64) (result i64)))
          (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
          (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
          (import "extism:host/env" "input_load_u64" (func $input_load_u64 (param i64) (result i64)))
          (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))

        """;

    private const string Loop = $"""
          (memory 1)
          (data (i32.const 0) "echo_c")
          (data (i32.const 8) "forward")
          {GuestWat.Str}
          ;; input: calls and size as two u64; output: the bytes received in all, as a u64
          (func (export "loop") (result i32)
            (local $i i64) (local $n i64) (local $payload i64) (local $out i64) (local $total i64) (local $h i64)
            (call $prepare)
            (local.set $n (call $input_load_u64 (i64.const 0)))
            (local.set $payload (call $alloc (call $input_load_u64 (i64.const 8))))
            (block $done (loop $next
              (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
              (local.set $out (call $forward (local.get $payload)))
              (local.set $total (i64.add (local.get $total) (call $length (local.get $out))))
              (call $free (local.get $out))
              (local.set $i (i64.add (local.get $i) (i64.const 1)))
              (br $next)))
            (local.set $h (call $alloc (i64.const 8)))
            (call $store_u64 (local.get $h) (local.get $total))
            (call $output_set (local.get $h) (i64.const 8))
            (i32.const 0))

        """;

    /// <summary>Reaches echo_c.forward through register_plugin and call_plugin.</summary>
    private const string ByHandle = "(module\n" + KernelImports + """
          (import "extism:host/user" "register_plugin" (func $register (param i64) (result i64)))
          (import "extism:host/user" "call_plugin" (func $call (param i64 i64 i64) (result i64)))
          (global $id (mut i64) (i64.const 0))
          (global $func (mut i64) (i64.const 0))
          (func $prepare
            (global.set $id (call $register (call $str (i32.const 0) (i32.const 6))))
            (global.set $func (call $str (i32.const 8) (i32.const 7))))
          (func $forward (param $input i64) (result i64)
            (call $call (global.get $id) (global.get $func) (local.get $input)))

        """ + Loop + ")";

    /// <summary>Reaches echo_c.forward through its import section.</summary>
    private const string ByImport = "(module\n" + KernelImports + """
          (import "plugin:echo_c" "forward" (func $forward (param i64) (result i64)))
          (func $prepare)

        """ + Loop + ")";

    private PluginHost _host = null!;
    private PluginProcess _byHandle = null!;
    private PluginProcess _byImport = null!;
    private byte[] _input = null!;

    /// <summary>Bytes passed in and returned by each call.</summary>
    [Params(64, 65536)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _host = new PluginHost(new PluginHostOptions
        {
            Catalog = new PluginCatalog()
                .AddDirectory(Path.Combine(RepoPaths.Root, "plugins", "dist"))
                .Add("by_handle", Manifest.FromBytes(Encoding.UTF8.GetBytes(ByHandle)))
                .Add("by_import", Manifest.FromBytes(Encoding.UTF8.GetBytes(ByImport))),
            Policy = PluginPolicy.AllowAll,
        });
        _byHandle = _host.Start("by_handle");
        _byImport = _host.Start("by_import");
        _input = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(_input, Calls);
        BinaryPrimitives.WriteInt64LittleEndian(_input.AsSpan(8), Size);
        foreach (var received in new[] { CallPlugin(), ImportedCall() })
        {
            if (BinaryPrimitives.ReadInt64LittleEndian(received) != (long)Calls * Size)
                throw new InvalidOperationException($"a caller received {BinaryPrimitives.ReadInt64LittleEndian(received)} bytes, not {(long)Calls * Size}");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _host.Dispose();

    /// <summary>call_plugin(id, "forward", block), the seed's way.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Calls, Description = "call_plugin")]
    public byte[] CallPlugin() => _byHandle.Call("loop", _input);

    /// <summary>The import plugin:echo_c::forward called with the block.</summary>
    [Benchmark(OperationsPerInvoke = Calls, Description = "imported export")]
    public byte[] ImportedCall() => _byImport.Call("loop", _input);
}
