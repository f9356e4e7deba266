using Interplug.Host.Policy;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Host.Tests;

/// <summary>
/// Every level of a call chain enters a new store, and Wasmtime gives each store its own wasm
/// stack budget on the thread's native stack. Whatever the policy allows and whatever thread the
/// caller uses, the host must never run off that stack (which ends the process): it continues the
/// chain on a fresh stack, and refuses with <see cref="PluginErrorKind.DepthExceeded"/> a chain it
/// cannot afford.
/// </summary>
public class NativeStackTests
{
    /// <summary>
    /// <c>diver.dive</c>: input is two u64, <c>levels</c> then <c>burn</c>. It recurses
    /// <c>burn</c> wasm frames deep, and at the bottom, when <c>levels</c> &gt; 0, spawns
    /// another diver and calls its <c>dive</c> with <c>levels - 1</c>.
    /// </summary>
    private static readonly string DiverWat = $"""
        (module
          (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
          (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
          (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
          (import "extism:host/env" "input_load_u64" (func $input_load_u64 (param i64) (result i64)))
          (import "extism:host/user" "register_plugin" (func $register (param i64) (result i64)))
          (import "extism:host/user" "call_plugin" (func $call (param i64 i64 i64) (result i64)))
          (memory (export "memory") 1)
          (data (i32.const 0) "diver")
          (data (i32.const 8) "dive")
          {Interplug.Testing.GuestWat.Str}
          ;; Keeps eight values alive across the recursive call, so that every frame spills them.
          (func $burn (param $n i64) (param $levels i64) (param $burn i64) (result i64)
            (local $a i64) (local $b i64) (local $c i64) (local $d i64)
            (local $e i64) (local $f i64) (local $g i64) (local $h i64)
            (if (i64.eqz (local.get $n)) (then (return (call $next (local.get $levels) (local.get $burn)))))
            (local.set $a (i64.mul (local.get $n) (i64.const 3)))
            (local.set $b (i64.add (local.get $a) (i64.const 5)))
            (local.set $c (i64.xor (local.get $b) (local.get $n)))
            (local.set $d (i64.mul (local.get $c) (i64.const 7)))
            (local.set $e (i64.add (local.get $d) (local.get $a)))
            (local.set $f (i64.xor (local.get $e) (local.get $b)))
            (local.set $g (i64.mul (local.get $f) (local.get $c)))
            (local.set $h (i64.add (local.get $g) (local.get $d)))
            (i64.add
              (call $burn (i64.sub (local.get $n) (i64.const 1)) (local.get $levels) (local.get $burn))
              (i64.xor (i64.xor (i64.xor (local.get $a) (local.get $b)) (i64.xor (local.get $c) (local.get $d)))
                       (i64.xor (i64.xor (local.get $e) (local.get $f)) (i64.xor (local.get $g) (local.get $h))))))
          (func $next (param $levels i64) (param $burn i64) (result i64)
            (local $input i64)
            (if (i64.eqz (local.get $levels)) (then (return (i64.const 0))))
            (local.set $input (call $alloc (i64.const 16)))
            (call $store_u64 (local.get $input) (i64.sub (local.get $levels) (i64.const 1)))
            (call $store_u64 (i64.add (local.get $input) (i64.const 8)) (local.get $burn))
            (call $call (call $register (call $str (i32.const 0) (i32.const 5)))
                        (call $str (i32.const 8) (i32.const 4))
                        (local.get $input)))
          (func (export "dive") (result i32)
            (drop (call $burn (call $input_load_u64 (i64.const 8)) (call $input_load_u64 (i64.const 0)) (call $input_load_u64 (i64.const 8))))
            (i32.const 0)))
        """;

    private static readonly Lazy<long> NearlyFullBurn = new(() =>
    {
        // The deepest recursion that still fits one store's wasm stack, found by bisection; three
        // quarters of it leaves every level using most of its budget.
        using var host = DiverHost(int.MaxValue);
        long fits = 0, traps = 1 << 20;
        while (traps - fits > 1)
        {
            var mid = (fits + traps) / 2;
            try
            {
                host.Run("diver", "dive", Input(0, mid));
                fits = mid;
            }
            catch (PluginException e) when (e.Kind == PluginErrorKind.Trap)
            {
                traps = mid;
            }
        }
        return fits * 3 / 4;
    });

    [Fact]
    public void A_chain_whose_levels_each_fill_their_wasm_stack_runs_deeper_than_the_callers_stack_holds()
    {
        // 40 levels of nearly 512 KiB each need about 20 MiB of native stack: more than the 8 MiB
        // of a main thread, let alone the 1.5 MiB of a pool thread.
        using var host = DiverHost(maxDepth: 64);
        var burn = NearlyFullBurn.Value;
        Assert.True(burn > 1000, $"a full wasm stack should hold thousands of frames, found {burn}");

        var output = RunOnThread(host, levels: 40, burn, stackBytes: 1536 * 1024);

        Assert.Null(output.Failure);
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void A_caller_on_a_thread_with_a_small_stack_can_still_run_a_plugin_that_fills_its_wasm_stack()
    {
        using var host = DiverHost(maxDepth: 8);

        var output = RunOnThread(host, levels: 2, NearlyFullBurn.Value, stackBytes: 256 * 1024);

        Assert.Null(output.Failure);
    }

    [Fact]
    public void Recursion_that_the_policy_does_not_bound_fails_with_DepthExceeded_when_the_native_stack_runs_out()
    {
        using var host = DiverHost(maxDepth: int.MaxValue);

        // Each level fills most of its wasm stack, so a 16 MiB fresh stack holds only a few dozen
        // levels and the chain runs out of fresh stacks long before the host's instance cap.
        var output = RunOnThread(host, levels: 100_000, NearlyFullBurn.Value, stackBytes: 1536 * 1024);

        Assert.NotNull(output.Failure);
        Assert.True(output.Failure.Kind == PluginErrorKind.DepthExceeded, $"{output.Failure.Kind}: {output.Failure.Message[^300..]}");
        Assert.Contains("native stack", output.Failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, host.LiveInstances);
        // The host still serves.
        Assert.Null(RunOnThread(host, levels: 3, burn: 10, stackBytes: 1536 * 1024).Failure);
    }

    private static PluginHost DiverHost(int maxDepth) =>
        TestHosts.Host(
            TestHosts.Policy(("diver", TestHosts.SpawnAll with { MaxDepth = maxDepth, MaxDescendants = 1_000_000, TimeoutMs = 600_000, MemoryMaxPages = PolicyRule.MaxMemoryPagesLimit })),
            new Catalog.PluginCatalog().Add("diver", Manifest.FromBytes(System.Text.Encoding.UTF8.GetBytes(DiverWat))));

    private static byte[] Input(long levels, long burn)
    {
        var input = new byte[16];
        BitConverter.TryWriteBytes(input.AsSpan(0, 8), levels);
        BitConverter.TryWriteBytes(input.AsSpan(8, 8), burn);
        return input;
    }

    private static (PluginException? Failure, bool Done) RunOnThread(PluginHost host, long levels, long burn, int stackBytes)
    {
        PluginException? failure = null;
        var done = false;
        var thread = new Thread(() =>
        {
            try
            {
                host.Run("diver", "dive", Input(levels, burn));
            }
            catch (PluginException e)
            {
                failure = e;
            }
            done = true;
        }, stackBytes);
        thread.Start();
        thread.Join();
        Assert.True(done);
        return (failure, done);
    }
}
