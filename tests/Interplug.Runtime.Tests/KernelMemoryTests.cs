using System.Buffers.Binary;

namespace Interplug.Runtime.Tests;

/// <summary>
/// The block memory imports of <c>extism:host/env</c>: alloc, free, length, length_unsafe and
/// load/store. Handles are offsets into the kernel's memory; offsets below 1024 never hold a block,
/// blocks are 16-byte aligned, and every call starts with no blocks.
/// </summary>
public sealed class KernelMemoryTests
{
    private const string Body = """
          (global $saved (mut i64) (i64.const 0))


          (func (export "alloc_arg") (result i32)
            (call $out_i64 (call $alloc (call $arg))) (i32.const 0))

          (func (export "alloc_zero") (result i32)
            (call $out_i64 (call $alloc (i64.const 0))) (i32.const 0))

          (func (export "length_of_new_block") (result i32)
            (call $out_i64 (call $length (call $alloc (call $arg)))) (i32.const 0))

          (func (export "length_unsafe_of_new_block") (result i32)
            (call $out_i64 (call $length_unsafe (call $alloc (call $arg)))) (i32.const 0))

          (func (export "length_arg") (result i32)
            (call $out_i64 (call $length (call $arg))) (i32.const 0))

          ;; length of (a 64-byte block + arg), with another block above it
          (func (export "length_at_offset") (result i32)
            (local $h i64)
            (local.set $h (call $alloc (i64.const 64)))
            (drop (call $alloc (i64.const 64)))
            (call $out_i64 (call $length (i64.add (local.get $h) (call $arg)))) (i32.const 0))

          ;; length past the end of the topmost block
          (func (export "length_past_last") (result i32)
            (local $h i64)
            (local.set $h (call $alloc (i64.const 64)))
            (call $out2 (call $length (i64.add (local.get $h) (i64.const 64)))
                        (call $length (i64.add (local.get $h) (i64.const 4096)))) (i32.const 0))

          ;; lengths of a freed inner block and a freed topmost block
          (func (export "length_freed") (result i32)
            (local $a i64) (local $b i64)
            (local.set $a (call $alloc (i64.const 40)))
            (local.set $b (call $alloc (i64.const 40)))
            (call $free (local.get $a))
            (call $free (local.get $b))
            (call $out2 (call $length (local.get $a)) (call $length (local.get $b))) (i32.const 0))

          ;; freeing 0 and things that are not blocks changes nothing
          (func (export "free_non_blocks") (result i32)
            (local $h i64) (local $next i64)
            (local.set $h (call $alloc (i64.const 40)))
            (call $store_u8 (local.get $h) (i32.const 77))
            (call $free (i64.const 0))
            (call $free (i64.const 16))
            (call $free (i64.const 1008))
            (call $free (i64.add (local.get $h) (i64.const 1)))
            (call $free (i64.add (local.get $h) (i64.const 16)))
            (call $free (i64.add (local.get $h) (i64.const 48)))
            (call $free (i64.const -1))
            (call $free (i64.const -9223372036854775808))
            (call $free (i64.const 1099511627776))
            (local.set $next (call $alloc (i64.const 40)))
            ;; h intact (length, byte) and the next block lies past it
            (call $out2
              (i64.add (i64.mul (call $length (local.get $h)) (i64.const 1000))
                       (i64.extend_i32_u (call $load_u8 (local.get $h))))
              (i64.sub (local.get $next) (local.get $h))) (i32.const 0))

          ;; freeing the same block twice must not put it on the free list twice
          (func (export "double_free") (result i32)
            (local $b i64) (local $x i64) (local $y i64)
            (drop (call $alloc (i64.const 64)))
            (local.set $b (call $alloc (i64.const 64)))
            (drop (call $alloc (i64.const 64)))
            (call $free (local.get $b))
            (call $free (local.get $b))
            (local.set $x (call $alloc (i64.const 64)))
            (local.set $y (call $alloc (i64.const 64)))
            (call $out2 (i64.sub (local.get $x) (local.get $b)) (i64.sub (local.get $y) (local.get $b))) (i32.const 0))

          ;; a freed inner 100-byte block is reused by the next allocation of arg bytes that its size
          ;; class serves (33..64: the kernel files a block under the largest power of two it holds)
          (func (export "reuse_inner") (result i32)
            (local $a i64) (local $c i64)
            (local.set $a (call $alloc (i64.const 100)))
            (drop (call $alloc (i64.const 100)))
            (call $free (local.get $a))
            (local.set $c (call $alloc (call $arg)))
            (call $out2 (i64.sub (local.get $c) (local.get $a)) (call $length (local.get $c))) (i32.const 0))

          ;; a freed topmost block is reused too
          (func (export "reuse_top") (result i32)
            (local $a i64) (local $c i64)
            (drop (call $alloc (i64.const 100)))
            (local.set $a (call $alloc (i64.const 100)))
            (call $free (local.get $a))
            (local.set $c (call $alloc (i64.const 100)))
            (call $out2 (i64.sub (local.get $c) (local.get $a)) (call $length (local.get $c))) (i32.const 0))

          ;; returns 1 if 100 blocks of sizes 1..100 are all >= 1024 and 16-byte aligned, and do not overlap
          (func (export "alignment") (result i32)
            (local $n i64) (local $h i64) (local $prev_end i64) (local $ok i64)
            (local.set $ok (i64.const 1))
            (local.set $n (i64.const 1))
            (loop $next
              (local.set $h (call $alloc (local.get $n)))
              (if (i64.lt_u (local.get $h) (i64.const 1024)) (then (local.set $ok (i64.const 0))))
              (if (i64.ne (i64.and (local.get $h) (i64.const 15)) (i64.const 0)) (then (local.set $ok (i64.const 0))))
              (if (i64.lt_u (local.get $h) (local.get $prev_end)) (then (local.set $ok (i64.const 0))))
              (local.set $prev_end (i64.add (local.get $h) (local.get $n)))
              (local.set $n (i64.add (local.get $n) (i64.const 1)))
              (br_if $next (i64.le_u (local.get $n) (i64.const 100))))
            (call $out_i64 (local.get $ok)) (i32.const 0))

          (func (export "store_load") (result i32)
            (local $h i64)
            (local.set $h (call $alloc (i64.const 16)))
            (call $store_u8 (local.get $h) (i32.const 0x1AB))
            (call $store_u64 (i64.add (local.get $h) (i64.const 8)) (i64.const 0x0123456789ABCDEF))
            (call $out2 (i64.extend_i32_u (call $load_u8 (local.get $h)))
                        (call $load_u64 (i64.add (local.get $h) (i64.const 8)))) (i32.const 0))

          ;; the bytes of one u64 store read back one by one (little-endian)
          (func (export "store_u64_bytes") (result i32)
            (local $h i64)
            (local.set $h (call $alloc (i64.const 8)))
            (call $store_u64 (local.get $h) (i64.const 0x0807060504030201))
            (call $output_set (local.get $h) (i64.const 8)) (i32.const 0))

          (func (export "load_u8_arg") (result i32)
            (call $out_i64 (i64.extend_i32_u (call $load_u8 (call $arg)))) (i32.const 0))

          (func (export "load_u64_arg") (result i32)
            (call $out_i64 (call $load_u64 (call $arg))) (i32.const 0))

          ;; stores at arg must not trap; outputs 1
          (func (export "store_arg") (result i32)
            (call $store_u8 (call $arg) (i32.const 0xFF))
            (call $store_u64 (call $arg) (i64.const -1))
            (call $out_i64 (i64.const 1)) (i32.const 0))

          ;; a u64 store that would cross the end of the kernel's first page is ignored entirely
          (func (export "store_u64_across_end") (result i32)
            (call $store_u64 (i64.const 65532) (i64.const -1))
            (call $out2 (i64.extend_i32_u (call $load_u8 (i64.const 65532)))
                        (i64.extend_i32_u (call $load_u8 (i64.const 65535)))) (i32.const 0))

          ;; stores below offset 1024 (where no block lives) are ignored
          (func (export "store_low") (result i32)
            (call $store_u8 (i64.const 8) (i32.const 7))
            (call $store_u64 (i64.const 16) (i64.const -1))
            (call $out2 (i64.extend_i32_u (call $load_u8 (i64.const 8))) (call $load_u64 (i64.const 16))) (i32.const 0))

          (func (export "remember") (result i32)
            (global.set $saved (call $alloc (i64.const 40)))
            (call $store_u8 (global.get $saved) (i32.const 9))
            (call $out_i64 (global.get $saved)) (i32.const 0))

          (func (export "recall") (result i32)
            (call $out2 (call $length (global.get $saved)) (call $alloc (i64.const 40))) (i32.const 0))

          ;; allocates 700 blocks of 1..300 bytes, fills each with its own byte, frees every third of the
          ;; first 500 half-way, and checks at the end that every live block kept its length and bytes.
          ;; Outputs the number of bad blocks.
          (func $intact (param $h i64) (param $n i64) (param $v i32) (result i32)
            (local $i i64)
            (if (i64.ne (call $length (local.get $h)) (local.get $n)) (then (return (i32.const 0))))
            (if (i64.ne (i64.and (local.get $h) (i64.const 15)) (i64.const 0)) (then (return (i32.const 0))))
            (block $done (loop $next
              (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
              (if (i32.ne (call $load_u8 (i64.add (local.get $h) (local.get $i))) (local.get $v)) (then (return (i32.const 0))))
              (local.set $i (i64.add (local.get $i) (i64.const 1)))
              (br $next)))
            (i32.const 1))
          (func $size (param $i i32) (result i64)
            (i64.extend_i32_u (i32.add (i32.rem_u (i32.mul (local.get $i) (i32.const 37)) (i32.const 300)) (i32.const 1))))
          (func $new_block (param $i i32)
            (local $h i64)
            (local.set $h (call $alloc (call $size (local.get $i))))
            (i64.store (i32.add (i32.const 4096) (i32.shl (local.get $i) (i32.const 3))) (local.get $h))
            (call $fill (local.get $h) (call $size (local.get $i)) (i32.and (local.get $i) (i32.const 255))))
          (func (export "stress") (result i32)
            (local $i i32) (local $bad i64)
            (loop $a
              (call $new_block (local.get $i))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $a (i32.lt_u (local.get $i) (i32.const 500))))
            (local.set $i (i32.const 0))
            (loop $f
              (call $free (i64.load (i32.add (i32.const 4096) (i32.shl (local.get $i) (i32.const 3)))))
              (local.set $i (i32.add (local.get $i) (i32.const 3)))
              (br_if $f (i32.lt_u (local.get $i) (i32.const 500))))
            (local.set $i (i32.const 500))
            (loop $b
              (call $new_block (local.get $i))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $b (i32.lt_u (local.get $i) (i32.const 700))))
            (local.set $i (i32.const 0))
            (loop $v
              (if (i32.or (i32.ge_u (local.get $i) (i32.const 500)) (i32.ne (i32.rem_u (local.get $i) (i32.const 3)) (i32.const 0)))
                (then
                  (if (i32.eqz (call $intact
                        (i64.load (i32.add (i32.const 4096) (i32.shl (local.get $i) (i32.const 3))))
                        (call $size (local.get $i))
                        (i32.and (local.get $i) (i32.const 255))))
                    (then (local.set $bad (i64.add (local.get $bad) (i64.const 1)))))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $v (i32.lt_u (local.get $i) (i32.const 700))))
            (call $out_i64 (local.get $bad)) (i32.const 0))

          ;; a 3 MiB block (the kernel grows): its length and its last byte
          (func (export "big_block") (result i32)
            (local $h i64)
            (local.set $h (call $alloc (i64.const 3145728)))
            (call $store_u8 (i64.add (local.get $h) (i64.const 3145727)) (i32.const 42))
            (call $out2 (call $length (local.get $h))
                        (i64.extend_i32_u (call $load_u8 (i64.add (local.get $h) (i64.const 3145727))))) (i32.const 0))
        """;

    private static readonly Lazy<CompiledPlugin> Plugin = new(() => TestPlugins.CompileModule(Body));

    private static PluginInstance NewInstance() => Plugin.Value.Instantiate();

    private static (long A, long B) Two(byte[] output)
    {
        Assert.Equal(16, output.Length);
        return (BinaryPrimitives.ReadInt64LittleEndian(output), BinaryPrimitives.ReadInt64LittleEndian(output.AsSpan(8)));
    }

    [Fact]
    public void Alloc_of_zero_bytes_returns_null()
    {
        using var instance = NewInstance();
        Assert.Equal(0, instance.CallI64("alloc_zero"));
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    [InlineData(1L << 40)]
    [InlineData(0x80000000L)]
    public void Alloc_of_an_impossible_size_returns_null_without_trapping(long size)
    {
        using var instance = NewInstance();
        Assert.Equal(0, instance.CallI64("alloc_arg", size));
        Assert.Equal(5, instance.CallI64("length_of_new_block", 5));
    }

    [Fact]
    public void Blocks_start_at_or_above_1024_are_16_byte_aligned_and_do_not_overlap()
    {
        using var instance = NewInstance();
        Assert.Equal(1, instance.CallI64("alignment"));
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(5L)]
    [InlineData(16L)]
    [InlineData(17L)]
    [InlineData(1000L)]
    [InlineData(100_000L)]
    public void Length_of_a_new_block_is_its_exact_size(long size)
    {
        using var instance = NewInstance();
        Assert.Equal(size, instance.CallI64("length_of_new_block", size));
        Assert.Equal(size, instance.CallI64("length_unsafe_of_new_block", size));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(-16L)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    [InlineData(1L << 40)]
    [InlineData(1025L)]
    [InlineData(1032L)]
    [InlineData(1040L)]
    [InlineData(16L)]
    public void Length_of_something_that_is_not_a_block_is_zero(long handle)
    {
        using var instance = NewInstance();
        Assert.Equal(0, instance.CallI64("length_arg", handle));
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(8L)]
    [InlineData(15L)]
    [InlineData(16L)]
    [InlineData(32L)]
    [InlineData(48L)]
    [InlineData(63L)]
    public void Length_in_the_middle_of_a_block_is_zero(long offset)
    {
        using var instance = NewInstance();
        Assert.Equal(64, instance.CallI64("length_at_offset", 0));
        Assert.Equal(0, instance.CallI64("length_at_offset", offset));
    }

    [Fact]
    public void Length_past_the_last_block_is_zero()
    {
        using var instance = NewInstance();
        Assert.Equal((0, 0), Two(instance.Call("length_past_last", [])));
    }

    [Fact]
    public void Length_of_a_freed_block_is_zero()
    {
        using var instance = NewInstance();
        Assert.Equal((0, 0), Two(instance.Call("length_freed", [])));
    }

    [Fact]
    public void Freeing_null_or_anything_that_is_not_a_block_is_a_no_op()
    {
        using var instance = NewInstance();
        var (lengthAndByte, distanceToNext) = Two(instance.Call("free_non_blocks", []));
        Assert.Equal(40 * 1000 + 77, lengthAndByte);
        Assert.True(distanceToNext >= 48, $"the next block starts {distanceToNext} bytes after a live 40-byte block");
    }

    [Fact]
    public void Freeing_a_block_twice_does_not_hand_it_out_twice()
    {
        using var instance = NewInstance();
        var (x, y) = Two(instance.Call("double_free", []));
        Assert.Equal(0, x); // the freed block is reused once...
        Assert.NotEqual(0, y); // ...and only once
    }

    [Theory]
    [InlineData(33L)]
    [InlineData(60L)]
    [InlineData(64L)]
    public void A_freed_block_is_reused_with_its_new_length(long size)
    {
        using var instance = NewInstance();
        Assert.Equal((0, size), Two(instance.Call("reuse_inner", TestPlugins.Arg(size))));
    }

    [Fact]
    public void Freeing_the_topmost_block_gives_its_space_back()
    {
        using var instance = NewInstance();
        Assert.Equal((0, 100), Two(instance.Call("reuse_top", [])));
    }

    [Fact]
    public void Store_and_load_round_trip_u8_and_u64()
    {
        using var instance = NewInstance();
        var (u8, u64) = Two(instance.Call("store_load", []));
        Assert.Equal(0xAB, u8); // store_u8 keeps the low byte
        Assert.Equal(0x0123456789ABCDEF, u64);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, instance.Call("store_u64_bytes", []));
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(-8L)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MaxValue - 7)]
    [InlineData(1L << 40)]
    [InlineData(1L << 32)]
    [InlineData(65536L * 1024)]
    public void Out_of_bounds_loads_read_zero_without_trapping(long handle)
    {
        using var instance = NewInstance();
        Assert.Equal(0, instance.CallI64("load_u8_arg", handle));
        Assert.Equal(0, instance.CallI64("load_u64_arg", handle));
    }

    [Fact]
    public void A_u64_load_that_would_cross_the_end_of_memory_reads_zero()
    {
        using var instance = NewInstance();
        Assert.Equal(0, instance.CallI64("load_u64_arg", 65536 - 7));
        Assert.Equal(0, instance.CallI64("load_u64_arg", 65535));
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(-8L)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MaxValue - 7)]
    [InlineData(1L << 40)]
    [InlineData(1L << 32)]
    [InlineData(65536L - 7)]
    [InlineData(0L)]
    public void Out_of_bounds_stores_are_ignored_without_trapping(long handle)
    {
        using var instance = NewInstance();
        Assert.Equal(1, instance.CallI64("store_arg", handle));
        Assert.Equal(3, instance.CallI64("length_of_new_block", 3));
    }

    [Fact]
    public void A_u64_store_that_would_cross_the_end_of_memory_writes_nothing()
    {
        using var instance = NewInstance();
        Assert.Equal((0, 0), Two(instance.Call("store_u64_across_end", [])));
    }

    [Fact]
    public void Stores_below_offset_1024_are_ignored()
    {
        using var instance = NewInstance();
        Assert.Equal((0, 0), Two(instance.Call("store_low", [])));
    }

    [Fact]
    public void Every_call_starts_with_no_blocks()
    {
        using var instance = NewInstance();
        var first = instance.CallI64("remember");
        Assert.True(first >= 1024);
        var (lengthOfOld, next) = Two(instance.Call("recall", []));
        Assert.Equal(0, lengthOfOld); // the block of the previous call is gone...
        Assert.Equal(first, next); // ...and its space is handed out again
    }

    [Fact]
    public void Many_blocks_allocated_and_freed_keep_their_lengths_and_bytes()
    {
        using var instance = NewInstance();
        Assert.Equal(0, instance.CallI64("stress"));
        Assert.Equal(0, instance.CallI64("stress")); // and again after the per-call reset
    }

    [Fact]
    public void A_block_larger_than_the_kernels_initial_memory_grows_it()
    {
        using var instance = NewInstance();
        var pagesBefore = instance.MemoryPages;
        Assert.Equal((3L << 20, 42), Two(instance.Call("big_block", [])));
        Assert.True(instance.MemoryPages > pagesBefore);
    }
}
