using System.Buffers.Binary;
using System.Text;
using Interplug.Runtime.Manifests;

namespace Interplug.Runtime.Tests;

/// <summary>
/// Plugin variables (var_get / var_set): they persist across the calls of one instance and never
/// leak into another, value 0 deletes, and their total size is capped by <c>max_var_bytes</c>.
/// </summary>
public sealed class VarsTests
{
    private const string Body = """
          (data (i32.const 0) "k")
          (data (i32.const 1) "j")
          (data (i32.const 16) "value")

          ;; var k := the input (an empty input is handle 0, which deletes k)
          (func (export "set_k") (result i32)
            (call $var_set (call $str (i32.const 0) (i32.const 1)) (call $input_offset)) (i32.const 0))
          (func (export "set_j") (result i32)
            (call $var_set (call $str (i32.const 1) (i32.const 1)) (call $input_offset)) (i32.const 0))
          (func (export "delete_k") (result i32)
            (call $var_set (call $str (i32.const 0) (i32.const 1)) (i64.const 0)) (i32.const 0))
          (func (export "get_k") (result i32)
            (call $out_block (call $var_get (call $str (i32.const 0) (i32.const 1)))) (i32.const 0))
          (func (export "has_k") (result i32)
            (call $out_i64 (i64.extend_i32_u (i64.ne (call $var_get (call $str (i32.const 0) (i32.const 1))) (i64.const 0))))
            (i32.const 0))
          ;; var named by the input := "value"; then read it back in the same call (var_set consumes the
          ;; key block, so var_get gets a copy of it)
          (func (export "set_named_and_get") (result i32)
            (local $copy i64)
            (local.set $copy (call $input_copy))
            (call $var_set (call $input_offset) (call $str (i32.const 16) (i32.const 5)))
            (call $out_block (call $var_get (local.get $copy)))
            (i32.const 0))
          (func (export "set_then_get_same_call") (result i32)
            (call $var_set (call $str (i32.const 0) (i32.const 1)) (call $input_offset))
            (call $out_block (call $var_get (call $str (i32.const 0) (i32.const 1))))
            (i32.const 0))
          ;; lengths of the key and value blocks right after var_set (the host owns and frees them), and of
          ;; a 1-byte key block after var_get (freed, or reused for the 5-byte value var_get returns)
          (func (export "ownership") (result i32)
            (local $k i64) (local $v i64) (local $k2 i64) (local $lk i64) (local $lv i64) (local $h i64)
            (local.set $k (call $str (i32.const 0) (i32.const 1)))
            (local.set $v (call $str (i32.const 16) (i32.const 5)))
            (drop (call $alloc (i64.const 1))) ;; so that neither is the topmost block
            (call $var_set (local.get $k) (local.get $v))
            (local.set $lk (call $length (local.get $k)))
            (local.set $lv (call $length (local.get $v)))
            (local.set $k2 (call $str (i32.const 0) (i32.const 1)))
            (drop (call $var_get (local.get $k2)))
            (local.set $h (call $alloc (i64.const 24)))
            (call $store_u64 (local.get $h) (local.get $lk))
            (call $store_u64 (i64.add (local.get $h) (i64.const 8)) (local.get $lv))
            (call $store_u64 (i64.add (local.get $h) (i64.const 16)) (call $length (local.get $k2)))
            (call $output_set (local.get $h) (i64.const 24))
            (i32.const 0))
          ;; sets vars with distinct 3-byte keys and 1-byte values, as many as the first input i64 says
          (func (export "set_many") (result i32)
            (local $i i64) (local $key i64) (local $value i64)
            (block $done (loop $next
              (br_if $done (i64.ge_u (local.get $i) (call $arg)))
              (local.set $key (call $alloc (i64.const 3)))
              (call $store_u8 (local.get $key) (i32.wrap_i64 (i64.add (i64.const 33) (i64.rem_u (local.get $i) (i64.const 94)))))
              (call $store_u8 (i64.add (local.get $key) (i64.const 1))
                              (i32.wrap_i64 (i64.add (i64.const 33) (i64.rem_u (i64.div_u (local.get $i) (i64.const 94)) (i64.const 94)))))
              (call $store_u8 (i64.add (local.get $key) (i64.const 2))
                              (i32.wrap_i64 (i64.add (i64.const 33) (i64.div_u (local.get $i) (i64.const 8836)))))
              (local.set $value (call $alloc (i64.const 1)))
              (call $var_set (local.get $key) (local.get $value))
              (local.set $i (i64.add (local.get $i) (i64.const 1)))
              (br $next)))
            (call $out_i64 (local.get $i)) (i32.const 0))
          ;; two var_get calls give two distinct live blocks
          (func (export "two_gets") (result i32)
            (local $a i64) (local $b i64)
            (local.set $a (call $var_get (call $str (i32.const 0) (i32.const 1))))
            (local.set $b (call $var_get (call $str (i32.const 0) (i32.const 1))))
            (call $out_i64 (i64.extend_i32_u (i32.and (i64.ne (local.get $a) (local.get $b))
                                                      (i64.eq (call $length (local.get $a)) (call $length (local.get $b))))))
            (i32.const 0))
        """;

    private static readonly Lazy<CompiledPlugin> Default = new(() => Compile(null));

    private static CompiledPlugin Compile(long? maxVarBytes) =>
        TestPlugins.Runtime.Compile(TestPlugins.Wat(TestPlugins.Module(Body)) with { Memory = new ManifestMemory { MaxVarBytes = maxVarBytes } });

    private static void Set(PluginInstance instance, string value) => instance.Call("set_k", Encoding.UTF8.GetBytes(value));

    [Fact]
    public void A_var_set_in_one_call_is_read_in_the_next()
    {
        using var instance = Default.Value.Instantiate();
        Assert.Equal(0, instance.CallI64("has_k"));
        Set(instance, "hello");
        Assert.Equal("hello", instance.CallText("get_k"));
        Assert.Equal("hello", instance.CallText("get_k"));
        Set(instance, "replaced");
        Assert.Equal("replaced", instance.CallText("get_k"));
    }

    [Fact]
    public void A_var_replaced_by_a_value_of_the_same_length_reads_back_the_new_value()
    {
        using var instance = Default.Value.Instantiate();
        Set(instance, "first");
        var earlier = instance.Call("get_k", []);
        Set(instance, "later");
        Assert.Equal("later", instance.CallText("get_k"));
        Assert.Equal("first", System.Text.Encoding.UTF8.GetString(earlier)); // what a call returned stays its own
    }

    [Fact]
    public void A_var_set_is_visible_in_the_same_call()
    {
        using var instance = Default.Value.Instantiate();
        Assert.Equal("now", instance.CallText("set_then_get_same_call", "now"));
    }

    [Fact]
    public void Vars_do_not_leak_between_instances()
    {
        using var first = Default.Value.Instantiate();
        using var second = Default.Value.Instantiate();
        Set(first, "one");
        Assert.Equal(0, second.CallI64("has_k"));
        Set(second, "two");
        Assert.Equal("one", first.CallText("get_k"));
        Assert.Equal("two", second.CallText("get_k"));
        using var third = Default.Value.Instantiate();
        Assert.Equal(0, third.CallI64("has_k"));
    }

    [Fact]
    public void Value_zero_deletes_the_var()
    {
        using var instance = Default.Value.Instantiate();
        Set(instance, "x");
        Assert.Equal(1, instance.CallI64("has_k"));
        instance.Call("delete_k", []);
        Assert.Equal(0, instance.CallI64("has_k"));
        Set(instance, "x");
        Set(instance, ""); // an empty input is handle 0
        Assert.Equal(0, instance.CallI64("has_k"));
        instance.Call("delete_k", []); // deleting a missing var is fine
    }

    [Fact]
    public void Values_are_kept_byte_exact()
    {
        using var instance = Default.Value.Instantiate();
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)(255 - i)).ToArray();
        instance.Call("set_k", bytes);
        Assert.Equal(bytes, instance.Call("get_k", []));
    }

    [Theory]
    [InlineData("k")]
    [InlineData("a longer key with spaces")]
    [InlineData("ключ ✓")]
    public void Any_UTF8_key_works(string key)
    {
        using var instance = Default.Value.Instantiate();
        Assert.Equal("value", instance.CallText("set_named_and_get", key));
    }

    [Fact]
    public void The_host_frees_key_and_value_blocks_it_was_given()
    {
        using var instance = Default.Value.Instantiate();
        var output = instance.Call("ownership", []);
        var lengths = new[] { 0, 8, 16 }.Select(at => BinaryPrimitives.ReadInt64LittleEndian(output.AsSpan(at))).ToArray();
        Assert.Equal(0, lengths[0]);
        Assert.Equal(0, lengths[1]);
        Assert.NotEqual(1, lengths[2]); // no longer the 1-byte key
        Assert.Equal("value", instance.CallText("get_k"));
    }

    [Fact]
    public void Every_var_get_returns_a_new_block()
    {
        using var instance = Default.Value.Instantiate();
        Set(instance, "abc");
        Assert.Equal(1, instance.CallI64("two_gets"));
    }

    [Fact]
    public void Max_var_bytes_caps_keys_and_values_together()
    {
        using var plugin = Compile(ManifestMemory.VarEntryOverheadBytes + 10);
        using var instance = plugin.Instantiate();
        Set(instance, "123456789"); // 1 + 9 bytes and the entry
        var e = TestPlugins.Fails(PluginErrorKind.LimitExceeded, () => Set(instance, "1234567890"));
        Assert.Contains("max_var_bytes", e.Message, StringComparison.Ordinal);
        Assert.Equal("123456789", instance.CallText("get_k")); // the old value is kept
        Set(instance, "abcdefghi"); // replacing counts the new value only
        TestPlugins.Fails(PluginErrorKind.LimitExceeded, () => instance.Call("set_j", "x"u8));
        instance.Call("delete_k", []);
        instance.Call("set_j", "123456789"u8); // deleting gave the bytes back
        TestPlugins.Fails(PluginErrorKind.LimitExceeded, () => Set(instance, "1"));
    }

    [Fact]
    public void Max_var_bytes_zero_disables_vars()
    {
        using var plugin = Compile(0);
        using var instance = plugin.Instantiate();
        TestPlugins.Fails(PluginErrorKind.LimitExceeded, () => Set(instance, "x"));
        Assert.Equal(0, instance.CallI64("has_k"));
        instance.Call("delete_k", []);
    }

    [Fact]
    public void Max_var_bytes_is_read_from_manifest_json()
    {
        var json = $$"""
            { "wasm": [ { "data": "{{Convert.ToBase64String(Encoding.UTF8.GetBytes(TestPlugins.Module(Body)))}}" } ],
              "memory": { "max_var_bytes": {{ManifestMemory.VarEntryOverheadBytes + 4}} } }
            """;
        using var plugin = TestPlugins.Runtime.Compile(Manifest.Parse(json));
        using var instance = plugin.Instantiate();
        Set(instance, "123");
        TestPlugins.Fails(PluginErrorKind.LimitExceeded, () => Set(instance, "1234"));
    }

    [Fact]
    public void The_vars_plugin_round_trips_and_deletes()
    {
        using var plugin = TestPlugins.CompileDist("vars");
        using var instance = plugin.Instantiate();
        Assert.Equal("hello", instance.CallText("var_roundtrip", "hello"));
        Assert.Equal("wörld", instance.CallText("var_roundtrip", "wörld"));
        Assert.Equal("", instance.CallText("var_roundtrip", ""));
    }

    [Fact]
    public void The_default_cap_of_1_MiB_stops_the_var_bomb()
    {
        using var plugin = TestPlugins.CompileDist("vars");
        using var instance = plugin.Instantiate();
        var e = TestPlugins.Fails(PluginErrorKind.LimitExceeded, () => instance.Call("var_bomb", []));
        Assert.Contains(ManifestMemory.DefaultMaxVarBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
        Assert.Equal("still works", instance.CallText("var_roundtrip", "still works"));
    }

    [Fact]
    public void A_smaller_cap_stops_the_var_bomb_sooner()
    {
        using var plugin = TestPlugins.Runtime.Compile(TestPlugins.Dist("vars") with { Memory = new ManifestMemory { MaxVarBytes = 5000 } });
        using var instance = plugin.Instantiate();
        var e = TestPlugins.Fails(PluginErrorKind.LimitExceeded, () => instance.Call("var_bomb", []));
        Assert.Contains("5000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Many_tiny_vars_hit_the_cap_before_the_heap_grows_past_a_few_times_max_var_bytes()
    {
        using var instance = Default.Value.Instantiate();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        // 300,000 vars of 3 + 1 bytes: 1.2 MB of keys and values alone, so the cap stops them either way.
        TestPlugins.Fails(PluginErrorKind.LimitExceeded, () => instance.Call("set_many", TestPlugins.Arg(300_000)));
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        // Everything the host allocated on this thread for the vars, kept or not, bounds what they hold.
        Assert.True(allocated < 4 * ManifestMemory.DefaultMaxVarBytes, $"{allocated} bytes allocated for vars under a cap of {ManifestMemory.DefaultMaxVarBytes}");
    }
}
