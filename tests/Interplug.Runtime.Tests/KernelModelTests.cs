using CsCheck;

namespace Interplug.Runtime.Tests;

/// <summary>
/// A model-based test of the kernel's block memory: random programs of allocations, frees
/// (double and forged ones included), stores, host calls that consume and return blocks, and host
/// reads and writes run inside one call of an interpreter plugin, whose trace
/// <see cref="KernelModel"/> checks step by step.
/// </summary>
public sealed class KernelModelTests
{
    // The interpreter: slots at 1024 (8 handles), the trace at 4096 in the plugin's own memory,
    // one i64 per value; after every step the length and hash of each slot's block and the input's hash.
    private const string Interpreter = """
          (data (i32.const 0) "greeting")
          (data (i32.const 16) "k")
          (global $trace (mut i32) (i32.const 4096))
          (func $emit (param $v i64)
            (i64.store (global.get $trace) (local.get $v))
            (global.set $trace (i32.add (global.get $trace) (i32.const 8))))
          (func $slot (param $s i64) (result i32)
            (i32.add (i32.const 1024) (i32.shl (i32.wrap_i64 (i64.and (local.get $s) (i64.const 7))) (i32.const 3))))
          (func $get (param $s i64) (result i64) (i64.load (call $slot (local.get $s))))
          (func $put (param $s i64) (param $h i64) (i64.store (call $slot (local.get $s)) (local.get $h)))
          (func $live (param $h i64) (result i32) (i64.ne (call $length (local.get $h)) (i64.const 0)))
          (func $hash (param $h i64) (result i64)
            (local $i i64) (local $n i64) (local $acc i64)
            (local.set $n (call $length (local.get $h)))
            (block $done (loop $next
              (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
              (local.set $acc (i64.add (i64.mul (local.get $acc) (i64.const 31))
                                       (i64.extend_i32_u (call $load_u8 (i64.add (local.get $h) (local.get $i))))))
              (local.set $i (i64.add (local.get $i) (i64.const 1)))
              (br $next)))
            (local.get $acc))
          (func $input_hash (result i64)
            (local $i i64) (local $acc i64)
            (block $done (loop $next
              (br_if $done (i64.ge_u (local.get $i) (call $input_length)))
              (local.set $acc (i64.add (i64.mul (local.get $acc) (i64.const 31))
                                       (i64.extend_i32_u (call $input_load_u8 (local.get $i)))))
              (local.set $i (i64.add (local.get $i) (i64.const 1)))
              (br $next)))
            (local.get $acc))
          (func $emit_state
            (local $s i64)
            (block $done (loop $next
              (br_if $done (i64.ge_u (local.get $s) (i64.const 8)))
              (call $emit (call $length (call $get (local.get $s))))
              (call $emit (call $hash (call $get (local.get $s))))
              (local.set $s (i64.add (local.get $s) (i64.const 1)))
              (br $next)))
            (call $emit (call $input_hash)))
          ;; slot a := a host call on a new key block (config_get or var_get), the key freed by the plugin too when b != 0
          (func $keyed (param $a i64) (param $b i64) (param $key i64) (param $var i32)
            (local $h i64)
            (call $emit (local.get $key))
            (local.set $h (if (result i64) (local.get $var)
              (then (call $var_get (local.get $key)))
              (else (call $config_get (local.get $key)))))
            (call $emit (local.get $h))
            (if (i64.ne (local.get $b) (i64.const 0)) (then (call $free (local.get $key))))
            (call $put (local.get $a) (local.get $h)))

          (func $step (param $op i64) (param $a i64) (param $b i64) (param $c i64)
            (local $h i64) (local $key i64)
            (if (i64.eq (local.get $op) (i64.const 0)) (then
              (local.set $h (call $alloc (local.get $b)))
              (call $fill (local.get $h) (local.get $b) (i32.wrap_i64 (local.get $c)))
              (call $put (local.get $a) (local.get $h))
              (call $emit (local.get $h))
              (return)))
            (if (i64.eq (local.get $op) (i64.const 1)) (then
              (call $free (i64.add (call $get (local.get $a)) (local.get $b)))
              (return)))
            (if (i64.eq (local.get $op) (i64.const 2)) (then
              (local.set $h (call $get (local.get $a)))
              (if (call $live (local.get $h)) (then
                (call $store_u8 (i64.add (local.get $h) (i64.rem_u (local.get $b) (call $length (local.get $h))))
                                (i32.wrap_i64 (local.get $c)))))
              (return)))
            (if (i64.eq (local.get $op) (i64.const 3)) (then
              (call $keyed (local.get $a) (local.get $b) (call $str (i32.const 0) (i32.const 8)) (i32.const 0))
              (return)))
            (if (i64.eq (local.get $op) (i64.const 4)) (then
              (local.set $h (call $get (local.get $a)))
              (local.set $key (call $str (i32.const 16) (i32.const 1)))
              (call $emit (local.get $key))
              (if (call $live (local.get $h)) (then (call $var_set (local.get $key) (local.get $h))))
              (if (i64.ne (local.get $b) (i64.const 0)) (then
                (call $free (local.get $key))
                (call $free (local.get $h))))
              (return)))
            (if (i64.eq (local.get $op) (i64.const 5)) (then
              (call $keyed (local.get $a) (local.get $b) (call $str (i32.const 16) (i32.const 1)) (i32.const 1))
              (return)))
            (if (i64.eq (local.get $op) (i64.const 6)) (then
              (local.set $h (call $get (local.get $b)))
              (local.set $h (if (result i64) (call $live (local.get $h))
                (then (call $echo (local.get $h)))
                (else (i64.const 0))))
              (call $emit (local.get $h))
              (call $put (local.get $a) (local.get $h))
              (return)))
            (if (i64.eq (local.get $op) (i64.const 7)) (then
              (local.set $h (call $get (local.get $a)))
              (if (call $live (local.get $h)) (then (call $log_info (local.get $h))))
              (return)))
            (if (i64.eq (local.get $op) (i64.const 8)) (then
              (call $free (call $input_offset))
              (return)))
            (unreachable))

          (func (export "run") (result i32)
            (local $pc i64) (local $out i64) (local $i i32)
            (call $emit (call $input_offset))
            (block $end (loop $next
              (br_if $end (i64.gt_u (i64.add (local.get $pc) (i64.const 32)) (call $input_length)))
              (call $step
                (call $input_load_u64 (local.get $pc))
                (call $input_load_u64 (i64.add (local.get $pc) (i64.const 8)))
                (call $input_load_u64 (i64.add (local.get $pc) (i64.const 16)))
                (call $input_load_u64 (i64.add (local.get $pc) (i64.const 24))))
              (call $emit_state)
              (local.set $pc (i64.add (local.get $pc) (i64.const 32)))
              (br $next)))
            (local.set $out (call $alloc (i64.extend_i32_u (i32.sub (global.get $trace) (i32.const 4096)))))
            (local.set $i (i32.const 4096))
            (block $done (loop $copy
              (br_if $done (i32.ge_u (local.get $i) (global.get $trace)))
              (call $store_u64 (i64.add (local.get $out) (i64.extend_i32_u (i32.sub (local.get $i) (i32.const 4096))))
                               (i64.load (local.get $i)))
              (local.set $i (i32.add (local.get $i) (i32.const 8)))
              (br $copy)))
            (call $output_set (local.get $out) (i64.extend_i32_u (i32.sub (global.get $trace) (i32.const 4096))))
            (i32.const 0))
        """;

    private const string EchoImport = """
          (import "extism:host/user" "echo" (func $echo (param i64) (result i64)))
        """;

    // The trace of one step is at most 2 + 17 values; 80 steps stay well inside the page below the trace's end.
    private const int MaxSteps = 80;

    private static readonly HostFunction Echo = HostFunction.FromMethod("echo",
        (CurrentPlugin plugin, long handle) => plugin.WriteBytes(plugin.ReadBytes(handle).ToArray()));

    private static readonly Lazy<CompiledPlugin> Plugin = new(() =>
        TestPlugins.Runtime.Compile(
            TestPlugins.Wat(TestPlugins.Module(Interpreter, EchoImport)) with
            {
                Config = new Dictionary<string, string> { [KernelModel.ConfigKey] = KernelModel.ConfigValue },
            },
            new PluginOptions { HostFunctions = [Echo] }));

    private static readonly Gen<long> Slot = Gen.Long[0, KernelModel.Slots - 1];
    private static readonly Gen<long> Flag = Gen.Long[0, 1];

    private static readonly Gen<KernelOp> Op = Gen.Frequency(
        (6, Gen.Select(Slot, Gen.Frequency((4, Gen.Long[1, 64]), (1, Gen.Long[65, 5000])), Gen.Long[0, 255],
            (a, n, fill) => new KernelOp(KernelOpCode.Alloc, a, n, fill))),
        (3, Slot.Select(a => new KernelOp(KernelOpCode.Free, a, 0, 0))),
        (1, Gen.Select(Slot, Gen.OneOf(16L, -16L, 1L, 32L, 1024L), (a, delta) => new KernelOp(KernelOpCode.Free, a, delta, 0))),
        (3, Gen.Select(Slot, Gen.Long[0, 1000], Gen.Long[0, 255], (a, offset, v) => new KernelOp(KernelOpCode.Store, a, offset, v))),
        (2, Gen.Select(Slot, Flag, (a, pdkFree) => new KernelOp(KernelOpCode.ConfigGet, a, pdkFree, 0))),
        (2, Gen.Select(Slot, Flag, (a, pdkFree) => new KernelOp(KernelOpCode.VarSet, a, pdkFree, 0))),
        (2, Gen.Select(Slot, Flag, (a, pdkFree) => new KernelOp(KernelOpCode.VarGet, a, pdkFree, 0))),
        (2, Gen.Select(Slot, Slot, (a, b) => new KernelOp(KernelOpCode.Echo, a, b, 0))),
        (1, Slot.Select(a => new KernelOp(KernelOpCode.Log, a, 0, 0))),
        (1, Gen.Const(new KernelOp(KernelOpCode.FreeInput, 0, 0, 0))));

    [Fact]
    public void Every_live_block_keeps_its_length_and_contents_whatever_the_plugin_frees()
    {
        Op.Array[1, MaxSteps].Sample(program =>
        {
            using var instance = Plugin.Value.Instantiate();
            KernelModel.Check(program, instance.Call("run", KernelOp.Encode(program)));
        }, iter: 300, threads: 1, print: program => string.Join(", ", program));
    }
}
