using System.Buffers.Binary;
using System.Text;

namespace Interplug.Runtime.Tests;

/// <summary>
/// A call's input (input_length, input_offset, input_load_u8/u64) and output (output_set):
/// input and output never pass through wasm parameters, and output bytes are exactly the range set.
/// </summary>
public sealed class InputOutputTests
{
    private const string Body = """
          (data (i32.const 0) "hello world")


          ;; copies the input byte by byte
          (func (export "echo_u8") (result i32)
            (call $output_set (call $input_copy) (call $input_length))
            (i32.const 0))

          ;; copies the input 8 bytes at a time, then the tail byte by byte
          (func (export "echo_u64") (result i32)
            (local $n i64) (local $h i64) (local $i i64)
            (local.set $n (call $input_length))
            (local.set $h (call $alloc (local.get $n)))
            (block $done (loop $next
              (br_if $done (i64.gt_u (i64.add (local.get $i) (i64.const 8)) (local.get $n)))
              (call $store_u64 (i64.add (local.get $h) (local.get $i)) (call $input_load_u64 (local.get $i)))
              (local.set $i (i64.add (local.get $i) (i64.const 8)))
              (br $next)))
            (block $done (loop $next
              (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
              (call $store_u8 (i64.add (local.get $h) (local.get $i)) (call $input_load_u8 (local.get $i)))
              (local.set $i (i64.add (local.get $i) (i64.const 1)))
              (br $next)))
            (call $output_set (local.get $h) (local.get $n))
            (i32.const 0))

          ;; the input block itself is the output
          (func (export "echo_block") (result i32)
            (call $output_set (call $input_offset) (call $input_length))
            (i32.const 0))

          (func (export "input_info") (result i32)
            (call $out2 (call $input_length) (call $length (call $input_offset)))
            (i32.const 0))

          (func (export "input_offset") (result i32)
            (call $out_i64 (call $input_offset))
            (i32.const 0))

          ;; input = 8-byte offset ++ payload: reads at that offset (relative to the whole input)
          (func (export "load_u8_at") (result i32)
            (call $out_i64 (i64.extend_i32_u (call $input_load_u8 (call $arg))))
            (i32.const 0))
          (func (export "load_u64_at") (result i32)
            (call $out_i64 (call $input_load_u64 (call $arg)))
            (i32.const 0))

          (func (export "output_prefix") (result i32)
            (call $output_set (call $str (i32.const 0) (i32.const 11)) (i64.const 5))
            (i32.const 0))

          (func (export "output_inside") (result i32)
            (call $output_set (i64.add (call $str (i32.const 0) (i32.const 11)) (i64.const 6)) (i64.const 5))
            (i32.const 0))

          (func (export "output_twice") (result i32)
            (call $out_str (i32.const 0) (i32.const 5))
            (call $out_str (i32.const 6) (i32.const 5))
            (i32.const 0))

          (func (export "output_null") (result i32)
            (call $output_set (i64.const 0) (i64.const 0))
            (i32.const 0))

          (func (export "no_output") (result i32)
            (i32.const 0))

          (func (export "no_output_void"))

          (func (export "hello") (result i32)
            (call $out_str (i32.const 0) (i32.const 11))
            (i32.const 0))

          ;; input = offset (8 bytes) ++ length (8 bytes)
          (func (export "output_range") (result i32)
            (call $output_set (call $input_load_u64 (i64.const 0)) (call $input_load_u64 (i64.const 8)))
            (i32.const 0))
        """;

    private static readonly Lazy<CompiledPlugin> Plugin = new(() => TestPlugins.CompileModule(Body));

    private static PluginInstance NewInstance() => Plugin.Value.Instantiate();

    private static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static byte[] Range(long offset, long length)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, offset);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), length);
        return bytes;
    }

    [Fact]
    public void Empty_input_has_length_zero_and_the_null_handle()
    {
        using var instance = NewInstance();
        Assert.Equal(TestPlugins.Arg(0).Concat(TestPlugins.Arg(0)), instance.Call("input_info", []));
        Assert.Equal(0, instance.CallI64("input_offset"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(1000)]
    [InlineData(200_000)]
    public void The_input_block_is_as_long_as_the_input(int length)
    {
        using var instance = NewInstance();
        var output = instance.Call("input_info", new byte[length]);
        Assert.Equal(length, BinaryPrimitives.ReadInt64LittleEndian(output));
        Assert.Equal(length, BinaryPrimitives.ReadInt64LittleEndian(output.AsSpan(8)));
        Assert.True(instance.CallI64("input_offset", "x"u8) >= 1024);
    }

    [Theory]
    [InlineData("echo_u8")]
    [InlineData("echo_u64")]
    [InlineData("echo_block")]
    public void Every_byte_value_round_trips(string export)
    {
        using var instance = NewInstance();
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        Assert.Equal(all, instance.Call(export, all));
        Assert.Equal(all.Reverse(), instance.Call(export, all.Reverse().ToArray()));
    }

    [Theory]
    [InlineData("echo_u8", 0)]
    [InlineData("echo_u8", 1)]
    [InlineData("echo_u64", 0)]
    [InlineData("echo_u64", 1)]
    [InlineData("echo_u64", 15)]
    [InlineData("echo_u64", 1 << 20)]
    [InlineData("echo_block", 1 << 20)]
    public void Output_is_byte_exact(string export, int length)
    {
        using var instance = NewInstance();
        var input = Random(length, length);
        Assert.Equal(input, instance.Call(export, input));
    }

    [Fact]
    public void Input_load_u8_reads_relative_to_the_input_and_zero_past_its_end()
    {
        using var instance = NewInstance();
        byte[] Input(long offset) => [.. TestPlugins.Arg(offset), .. "abc"u8];
        Assert.Equal('a', instance.CallI64("load_u8_at", Input(8)));
        Assert.Equal('c', instance.CallI64("load_u8_at", Input(10)));
        Assert.Equal(0, instance.CallI64("load_u8_at", Input(11)));
        Assert.Equal(0, instance.CallI64("load_u8_at", Input(12)));
        Assert.Equal(0, instance.CallI64("load_u8_at", Input(4096)));
        Assert.Equal(0, instance.CallI64("load_u8_at", Input(long.MaxValue)));
        Assert.Equal(0, instance.CallI64("load_u8_at", Input(-1)));
        Assert.Equal(0, instance.CallI64("load_u8_at", Input(long.MinValue)));
    }

    [Fact]
    public void Input_load_u64_reads_little_endian_and_zero_past_the_end()
    {
        using var instance = NewInstance();
        byte[] Input(long offset) => [.. TestPlugins.Arg(offset), 1, 2, 3, 4, 5, 6, 7, 8];
        Assert.Equal(0x0807060504030201, instance.CallI64("load_u64_at", Input(8)));
        Assert.Equal(0, instance.CallI64("load_u64_at", Input(16)));
        Assert.Equal(0, instance.CallI64("load_u64_at", Input(24)));
        Assert.Equal(0, instance.CallI64("load_u64_at", Input(1L << 40)));
        Assert.Equal(0, instance.CallI64("load_u64_at", Input(long.MaxValue)));
        Assert.Equal(0, instance.CallI64("load_u64_at", Input(long.MaxValue - 7)));
        Assert.Equal(0, instance.CallI64("load_u64_at", Input(-8)));
        Assert.Equal(0, instance.CallI64("load_u64_at", Input(-1)));
    }

    [Fact]
    public void Output_is_exactly_the_range_set()
    {
        using var instance = NewInstance();
        Assert.Equal("hello world", instance.CallText("hello"));
        Assert.Equal("hello", instance.CallText("output_prefix"));
        Assert.Equal("world", instance.CallText("output_inside"));
        Assert.Equal("world", instance.CallText("output_twice"));
    }

    [Theory]
    [InlineData("output_null")]
    [InlineData("no_output")]
    [InlineData("no_output_void")]
    public void A_call_without_output_returns_no_bytes(string export)
    {
        using var instance = NewInstance();
        Assert.Equal("hello world", instance.CallText("hello"));
        Assert.Empty(instance.Call(export, "input"u8)); // nothing left over from the previous call
    }

    [Fact]
    public void Input_does_not_carry_over_to_the_next_call()
    {
        using var instance = NewInstance();
        Assert.Equal(3, BinaryPrimitives.ReadInt64LittleEndian(instance.Call("input_info", "abc"u8)));
        Assert.Equal(0, BinaryPrimitives.ReadInt64LittleEndian(instance.Call("input_info", [])));
    }

    [Theory]
    [InlineData(1L << 40, 10L)]
    [InlineData(1024L, 1L << 40)]
    [InlineData(1024L, long.MaxValue)]
    [InlineData(long.MaxValue, 1L)]
    [InlineData(long.MaxValue, long.MaxValue)]
    [InlineData(-5L, 10L)]
    [InlineData(1024L, -1L)]
    [InlineData(65536L, 1L)]
    [InlineData(65535L, 2L)]
    [InlineData(1024L, 65536L)]
    public void An_output_range_outside_memory_fails_with_InvalidArgument(long offset, long length)
    {
        using var instance = NewInstance();
        var e = TestPlugins.Fails(PluginErrorKind.InvalidArgument, () => instance.Call("output_range", Range(offset, length)));
        Assert.Contains("output range", e.Message, StringComparison.Ordinal);
        Assert.Equal("output_range", e.ExportName);
        Assert.Equal("hello world", instance.CallText("hello"));
    }

    [Fact]
    public void An_output_range_inside_memory_but_outside_any_block_is_returned_as_is()
    {
        using var instance = NewInstance();
        Assert.Equal(new byte[16], instance.Call("output_range", Range(65536 - 16, 16)));
    }

    [Fact]
    public void Output_is_a_copy_that_later_calls_do_not_change()
    {
        using var instance = NewInstance();
        var first = instance.Call("echo_u64", Encoding.UTF8.GetBytes("first output"));
        _ = instance.Call("echo_u64", Encoding.UTF8.GetBytes("second output"));
        Assert.Equal("first output", TestPlugins.Text(first));
    }
}
