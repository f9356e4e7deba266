using System.Text;
using Interplug.Host.Catalog;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Host.Tests;

/// <summary>
/// The bulk-data functions (input_read, output_write, call_plugin_bytes, try_call_plugin_bytes,
/// result_read): bytes copied between a plugin's own memory and the host in one step, from C
/// (bulk_c), AssemblyScript (bulk) and WAT (the probe below), mixed with plugins that use only
/// Extism-ABI blocks, and every bad argument refused with a typed error that leaves the plugin usable.
/// </summary>
public sealed class BulkDataTests
{
    private const int OneMiB = 1 << 20;

    /// <summary>
    /// The probe: each export calls one bulk function with its i64 arguments read from the input
    /// (little-endian, 8 bytes each), and outputs the 8-byte result followed by 40 bytes of its
    /// memory from offset 24, where tests point destinations. Memory 0..5 holds "bulk_c", 8..11 "echo".
    /// </summary>
    private const string ProbeWat = $$"""
        (module
          (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
          (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
          (import "extism:host/env" "input_load_u64" (func $input_load_u64 (param i64) (result i64)))
          (import "extism:host/user" "input_read" (func $input_read (param i64 i64 i64) (result i64)))
          (import "extism:host/user" "output_write" (func $output_write (param i64 i64)))
          (import "extism:host/user" "result_read" (func $result_read (param i64 i64 i64) (result i64)))
          (import "extism:host/user" "register_plugin" (func $register (param i64) (result i64)))
          (import "extism:host/user" "call_plugin_bytes" (func $call_bytes (param i64 i64 i64 i64 i64 i64 i64) (result i64)))
          (import "extism:host/user" "try_call_plugin_bytes" (func $try_call_bytes (param i64 i64 i64 i64 i64 i64 i64) (result i64)))
          (memory (export "memory") 1)
          (data (i32.const 0) "bulk_c")
          (data (i32.const 8) "echo")
          (data (i32.const 200) "mixout")
          (data (i32.const 208) "then_set")
          (data (i32.const 216) "forge")
          {{Interplug.Testing.GuestWat.Str}}
          (func $arg (param $n i64) (result i64) (call $input_load_u64 (i64.mul (local.get $n) (i64.const 8))))
          (func $out (param $v i64) (result i32)
            (i64.store (i32.const 16) (local.get $v))
            (call $output_write (i64.const 16) (i64.const 48))
            (i32.const 0))
          (func $child (result i64) (call $register (call $str (i32.const 0) (i32.const 6))))
          (func (export "input_read") (result i32)
            (call $out (call $input_read (call $arg (i64.const 0)) (call $arg (i64.const 1)) (call $arg (i64.const 2)))))
          (func (export "output_write") (result i32)
            (call $output_write (call $arg (i64.const 0)) (call $arg (i64.const 1)))
            (i32.const 0))
          (func (export "result_read") (result i32)
            (call $out (call $result_read (call $arg (i64.const 0)) (call $arg (i64.const 1)) (call $arg (i64.const 2)))))
          ;; try_call_plugin_bytes into a new bulk_c child with (func, func_len, src, src_len, dst, cap) from the input
          (func (export "try_call") (result i32)
            (call $out (call $try_call_bytes (call $child)
              (call $arg (i64.const 0)) (call $arg (i64.const 1)) (call $arg (i64.const 2))
              (call $arg (i64.const 3)) (call $arg (i64.const 4)) (call $arg (i64.const 5)))))
          ;; the same with the child's id from the input too: (id, func, func_len, src, src_len, dst, cap)
          (func (export "try_call_id") (result i32)
            (call $out (call $try_call_bytes (call $arg (i64.const 0))
              (call $arg (i64.const 1)) (call $arg (i64.const 2)) (call $arg (i64.const 3))
              (call $arg (i64.const 4)) (call $arg (i64.const 5)) (call $arg (i64.const 6)))))
          (func (export "call") (result i32)
            (call $out (call $call_bytes (call $child)
              (call $arg (i64.const 0)) (call $arg (i64.const 1)) (call $arg (i64.const 2))
              (call $arg (i64.const 3)) (call $arg (i64.const 4)) (call $arg (i64.const 5)))))
          ;; call_plugin_bytes of mixout's export named by (func, func_len) from the input, on "bulk_c", into [24, +40)
          (func (export "call_mixout") (result i32)
            (call $out (call $call_bytes (call $register (call $str (i32.const 200) (i32.const 6)))
              (call $arg (i64.const 0)) (call $arg (i64.const 1)) (i64.const 0) (i64.const 6) (i64.const 24) (i64.const 40))))
          ;; a too-small destination, then result_read of the rest: (cap, first_len) from the input;
          ;; outputs the call's result length; the destination at 24 then holds the result read back
          (func (export "call_then_read") (result i32)
            (local $n i64)
            (local.set $n (call $call_bytes (call $child) (i64.const 8) (i64.const 4) (i64.const 0) (i64.const 6)
              (i64.const 24) (call $arg (i64.const 0))))
            (drop (call $result_read (i64.const 0) (i64.const 24) (call $arg (i64.const 1))))
            (drop (call $result_read (call $arg (i64.const 1)) (i64.add (i64.const 24) (call $arg (i64.const 1))) (i64.const 40)))
            (call $out (local.get $n)))
        )
        """;

    /// <summary>
    /// A callee that mixes output_write with the Extism ABI's output_set: <c>then_set</c> writes its
    /// input with output_write, then sets the block "late" with output_set; <c>forge</c> writes 4 bytes
    /// with output_write, then claims 1000 bytes at offset -1 with output_set.
    /// </summary>
    private const string MixedOutputWat = $$"""
        (module
          (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
          (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
          (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
          (import "extism:host/env" "input_length" (func $input_length (result i64)))
          (import "extism:host/user" "input_read" (func $input_read (param i64 i64 i64) (result i64)))
          (import "extism:host/user" "output_write" (func $output_write (param i64 i64)))
          (memory (export "memory") 1)
          (data (i32.const 0) "late")
          {{Interplug.Testing.GuestWat.Str}}
          (func (export "then_set") (result i32)
            (call $output_write (i64.const 1024) (call $input_read (i64.const 0) (i64.const 1024) (i64.const 1024)))
            (call $output_set (call $str (i32.const 0) (i32.const 4)) (i64.const 4))
            (i32.const 0))
          (func (export "forge") (result i32)
            (call $output_write (i64.const 0) (i64.const 4))
            (call $output_set (i64.const -1) (i64.const 1000))
            (i32.const 0)))
        """;

    /// <summary>A plugin without an exported memory that calls output_write.</summary>
    private const string NoMemoryWat = """
        (module
          (import "extism:host/user" "output_write" (func $output_write (param i64 i64)))
          (memory 1)
          (func (export "run") (result i32) (call $output_write (i64.const 0) (i64.const 0)) (i32.const 0)))
        """;

    private static PluginHost Host() => TestHosts.Host(catalog: TestHosts.Catalog()
        .Add("probe", Manifest.FromBytes(Encoding.UTF8.GetBytes(ProbeWat)))
        .Add("no_memory", Manifest.FromBytes(Encoding.UTF8.GetBytes(NoMemoryWat)))
        .Add("mixout", Manifest.FromBytes(Encoding.UTF8.GetBytes(MixedOutputWat))));

    private static byte[] Args(params long[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    private static long Result(byte[] output) => BitConverter.ToInt64(output, 0);

    private static byte[] Destination(byte[] output) => output[8..];

    [Theory]
    [InlineData("bulk_c")]
    [InlineData("bulk")]
    public void An_echo_built_on_input_read_and_output_write_returns_1_MiB_byte_for_byte(string plugin)
    {
        using var host = Host();
        var payload = new byte[OneMiB];
        new Random(11).NextBytes(payload);

        Assert.Equal(payload, host.Run(plugin, "echo", payload));
        Assert.Empty(host.Run(plugin, "echo", []));
    }

    [Theory]
    [InlineData("bulk_c", "bulk_c")]
    [InlineData("bulk", "bulk")]
    [InlineData("bulk_c", "bulk")]
    [InlineData("bulk", "bulk_c")]
    public void Call_plugin_bytes_moves_1_MiB_through_a_child_byte_for_byte(string caller, string callee)
    {
        using var host = Host();

        // call_check: a destination one byte short, so the host keeps the result and result_read copies it in two halves.
        Assert.Equal($"ok {OneMiB}", host.RunText(caller, "call_check", $"{callee} echo {OneMiB}"));
        // call_loop: the result fits, so it lands in the destination straight from the child's memory.
        Assert.Equal($"{3 * OneMiB}", host.RunText(caller, "call_loop", $"3 {callee} echo {OneMiB}"));
    }

    [Theory]
    [InlineData("bulk_c", "echo", "echo")] // a bulk caller, a callee that reads and writes Extism blocks (AssemblyScript PDK)
    [InlineData("bulk_c", "echo_c", "forward")] // a callee that outputs its input block unread
    [InlineData("bulk", "echo_c", "echo")]
    public void A_bulk_caller_calls_a_callee_that_uses_only_Extism_blocks(string caller, string callee, string export)
    {
        using var host = Host();

        Assert.Equal($"ok {OneMiB}", host.RunText(caller, "call_check", $"{callee} {export} {OneMiB}"));
    }

    [Theory]
    [InlineData("bulk_c")]
    [InlineData("bulk")]
    public void A_caller_that_uses_only_Extism_blocks_calls_a_bulk_callee(string callee)
    {
        using var host = Host();

        Assert.Equal($"ok {OneMiB}", host.RunText("bench_caller", "call_check", $"{callee} echo {OneMiB}"));
    }

    [Fact]
    public void Input_read_copies_from_an_offset_at_most_the_length_asked_and_nothing_past_the_end()
    {
        using var host = Host();
        var process = host.Start("probe");
        var input = Args(24, 24, 5).Concat("abcdefgh"u8.ToArray()).ToArray(); // 5 bytes from offset 24, just past the arguments

        var output = process.Call("input_read", input);

        Assert.Equal(5, Result(output));
        Assert.Equal("abcde", Encoding.ASCII.GetString(Destination(output)[..5]));
        Assert.Equal(3, Result(process.Call("input_read", Args(24, 24, 40).Concat("abc"u8.ToArray()).ToArray()))); // only 3 left
        Assert.Equal(0, Result(process.Call("input_read", Args(1000, 24, 40)))); // past the end
    }

    [Theory]
    [InlineData(-1, 24, 8, "offset -1 must not be negative")]
    [InlineData(0, -8, 8, "must not be negative")]
    [InlineData(0, 24, -1, "must not be negative")]
    [InlineData(0, 65530, 8, "lies outside probe's memory (65536 bytes)")]
    [InlineData(0, long.MaxValue, 2, "lies outside probe's memory")]
    public void Input_read_refuses_a_bad_range_and_the_plugin_carries_on(long offset, long destination, long length, string message)
    {
        using var host = Host();
        var process = host.Start("probe");

        var e = TestHosts.Fails(PluginErrorKind.InvalidArgument, () => process.Call("input_read", Args(offset, destination, length)));

        Assert.Contains("input_read", e.Message);
        Assert.Contains(message, e.Message);
        Assert.Equal(24, Result(process.Call("input_read", Args(0, 24, 40)))); // the same process, a good range
    }

    [Fact]
    public void Output_write_makes_a_copy_of_plugin_memory_the_output()
    {
        using var host = Host();
        var process = host.Start("probe");

        Assert.Equal("bulk_c", process.CallText("output_write", Encoding.Latin1.GetString(Args(0, 6))));
        Assert.Empty(process.Call("output_write", Args(0, 0)));
    }

    [Theory]
    [InlineData(-1, 4)]
    [InlineData(0, -4)]
    [InlineData(65535, 2)]
    public void Output_write_refuses_a_bad_range(long source, long length)
    {
        using var host = Host();
        var process = host.Start("probe");

        var e = TestHosts.Fails(PluginErrorKind.InvalidArgument, () => process.Call("output_write", Args(source, length)));

        Assert.Contains("output_write source", e.Message);
        Assert.Equal("echo", process.CallText("output_write", Encoding.Latin1.GetString(Args(8, 4))));
    }

    [Fact]
    public void A_plugin_that_does_not_export_its_memory_gets_an_error_naming_the_export()
    {
        using var host = Host();

        var e = TestHosts.Fails(PluginErrorKind.BadModule, () => host.Run("no_memory", "run", []));

        Assert.Contains("no_memory does not export its memory as \"memory\", which output_write source needs", e.Message);
    }

    [Fact]
    public void Call_plugin_bytes_places_the_result_in_the_destination_and_returns_its_length()
    {
        using var host = Host();
        var process = host.Start("probe");

        var output = process.Call("call", Args(8, 4, 0, 6, 24, 40)); // bulk_c.echo("bulk_c") into [24, +40)

        Assert.Equal(6, Result(output));
        Assert.Equal("bulk_c", Encoding.ASCII.GetString(Destination(output)[..6]));
    }

    [Theory]
    [InlineData(5, 3)]
    [InlineData(0, 6)]
    public void A_result_too_large_for_the_destination_is_kept_for_result_read(long capacity, long firstRead)
    {
        using var host = Host();
        var process = host.Start("probe");

        var output = process.Call("call_then_read", Args(capacity, firstRead));

        Assert.Equal(6, Result(output));
        Assert.Equal("bulk_c", Encoding.ASCII.GetString(Destination(output)[..6]));
    }

    [Fact]
    public void Result_read_without_a_kept_result_copies_nothing()
    {
        using var host = Host();
        var process = host.Start("probe");

        Assert.Equal(0, Result(process.Call("result_read", Args(0, 24, 40))));
        TestHosts.Fails(PluginErrorKind.InvalidArgument, () => process.Call("result_read", Args(-1, 24, 40)));
        TestHosts.Fails(PluginErrorKind.InvalidArgument, () => process.Call("result_read", Args(0, 65535, 40)));
    }

    [Theory]
    [InlineData(new long[] { 8, 4, 0, 6, 4, 40 }, PluginErrorKind.InvalidArgument, "overlaps the input [0, +6)")]
    [InlineData(new long[] { 8, 4, 24, 8, 28, 8 }, PluginErrorKind.InvalidArgument, "overlaps the input")]
    [InlineData(new long[] { 8, 4, 0, 6, 65530, 40 }, PluginErrorKind.InvalidArgument, "call_plugin_bytes destination: range [65530, +40) lies outside")]
    [InlineData(new long[] { 8, 4, 0, -6, 24, 40 }, PluginErrorKind.InvalidArgument, "call_plugin_bytes input")]
    [InlineData(new long[] { 8, 4, -1, 6, 24, 40 }, PluginErrorKind.InvalidArgument, "call_plugin_bytes input")]
    [InlineData(new long[] { 8, 4, 0, 6, 24, -1 }, PluginErrorKind.InvalidArgument, "call_plugin_bytes destination")]
    [InlineData(new long[] { 65530, 40, 0, 6, 24, 40 }, PluginErrorKind.InvalidArgument, "call_plugin_bytes export name")]
    [InlineData(new long[] { 0, 6, 0, 6, 24, 40 }, PluginErrorKind.ExportNotFound, "no export named bulk_c")]
    public void Try_call_plugin_bytes_returns_a_status_and_writes_nothing_on_failure(long[] args, PluginErrorKind kind, string message)
    {
        using var host = Host();
        var process = host.Start("probe");

        var output = process.Call("try_call", Args(args));

        Assert.Equal(-(long)kind, Result(output));
        Assert.Equal(new byte[40], Destination(output)); // nothing written where the result would go
        Assert.Contains(message, process.LastError);
        Assert.Equal(6, Result(process.Call("try_call", Args(8, 4, 0, 6, 24, 40)))); // the same caller, a good call
    }

    [Fact]
    public void Try_call_plugin_bytes_on_a_handle_never_issued_is_InvalidHandle()
    {
        using var host = Host();
        var process = host.Start("probe");

        Assert.Equal(-(long)PluginErrorKind.InvalidHandle, Result(process.Call("try_call_id", Args(7, 8, 4, 0, 6, 24, 40))));
    }

    [Fact]
    public void Call_plugin_bytes_fails_the_call_with_the_chain_named()
    {
        using var host = Host();
        var process = host.Start("probe");

        var e = TestHosts.Fails(PluginErrorKind.InvalidArgument, () => process.Call("call", Args(8, 4, 0, 6, 4, 40)));

        Assert.Equal("probe", e.CallChain);
        Assert.Contains("overlaps the input", e.Message);
    }

    [Fact]
    public void An_output_set_after_output_write_replaces_the_result_the_child_placed_in_the_destination()
    {
        using var host = Host();
        var process = host.Start("probe");

        var output = process.Call("call_mixout", Args(208, 8)); // mixout.then_set

        Assert.Equal(4, Result(output));
        Assert.Equal("late", Encoding.ASCII.GetString(Destination(output)[..4]));
        Assert.Equal("late", host.RunText("mixout", "then_set", "abc")); // the same from the host
    }

    [Fact]
    public void An_output_set_that_claims_more_than_output_write_placed_is_refused()
    {
        using var host = Host();
        var process = host.Start("probe");

        var e = TestHosts.Fails(PluginErrorKind.InvalidArgument, () => process.Call("call_mixout", Args(216, 5))); // mixout.forge

        Assert.Contains("output range [-1, +1000) lies outside", e.Message);
        TestHosts.Fails(PluginErrorKind.InvalidArgument, () => host.Run("mixout", "forge", []));
    }
}
