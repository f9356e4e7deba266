using System.Buffers.Binary;
using System.Text;
using Interplug.Runtime.Manifests;

namespace Interplug.Runtime.Tests;

/// <summary>config_get: the manifest's config values as new blocks, 0 for a missing key.</summary>
public sealed class ConfigTests
{
    private const string Body = """
          ;; the value of the config key given as input
          (func (export "get") (result i32)
            (call $out_block (call $config_get (call $input_offset))) (i32.const 0))
          (func (export "handle") (result i32)
            (call $out_i64 (call $config_get (call $input_offset))) (i32.const 0))
          ;; the key block's length after config_get (the host owns and frees it)
          (func (export "key_length_after") (result i32)
            (local $key i64)
            (local.set $key (call $input_copy))
            (drop (call $alloc (i64.const 1))) ;; so that the key is not the topmost block
            (drop (call $config_get (local.get $key)))
            (call $out_i64 (call $length (local.get $key))) (i32.const 0))
          ;; two lookups of the same key: distinct live blocks?
          (func (export "two_gets") (result i32)
            (local $key i64) (local $a i64) (local $b i64)
            (local.set $key (call $input_copy))
            (local.set $a (call $config_get (call $input_offset)))
            (local.set $b (call $config_get (local.get $key)))
            (call $out_i64 (i64.extend_i32_u (i32.and (i64.ne (local.get $a) (local.get $b))
                                                      (i64.eq (call $length (local.get $a)) (call $length (local.get $b))))))
            (i32.const 0))
        """;

    private static readonly Dictionary<string, string> Config = new()
    {
        ["greeting"] = "hello",
        ["unicode"] = "héllo ✓ 日本",
        ["ключ"] = "value of a unicode key",
        ["empty"] = "",
        ["long"] = new string('x', 100_000),
    };

    private static readonly Lazy<CompiledPlugin> Plugin = new(() =>
        TestPlugins.Runtime.Compile(TestPlugins.Wat(TestPlugins.Module(Body)) with { Config = Config }));

    [Theory]
    [InlineData("greeting")]
    [InlineData("unicode")]
    [InlineData("ключ")]
    [InlineData("long")]
    public void A_configured_key_gives_its_value(string key)
    {
        using var instance = Plugin.Value.Instantiate();
        Assert.Equal(Config[key], instance.CallText("get", key));
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("Greeting")]
    [InlineData("greeting ")]
    [InlineData("empty")]
    public void A_missing_key_or_empty_value_gives_handle_zero(string key)
    {
        using var instance = Plugin.Value.Instantiate();
        Assert.Equal(0, instance.CallI64("handle", Encoding.UTF8.GetBytes(key)));
    }

    [Fact]
    public void The_host_frees_the_key_block()
    {
        using var instance = Plugin.Value.Instantiate();
        Assert.Equal(0, instance.CallI64("key_length_after", "greeting"u8));
        Assert.Equal(0, instance.CallI64("key_length_after", "missing"u8));
    }

    [Fact]
    public void Every_lookup_returns_a_new_block()
    {
        using var instance = Plugin.Value.Instantiate();
        Assert.Equal(1, instance.CallI64("two_gets", "greeting"u8));
    }

    [Fact]
    public void A_key_that_is_not_UTF8_fails_with_InvalidArgument()
    {
        using var instance = Plugin.Value.Instantiate();
        TestPlugins.Fails(PluginErrorKind.InvalidArgument, () => instance.Call("get", [0x67, 0xC3, 0x28]));
        TestPlugins.Fails(PluginErrorKind.InvalidArgument, () => instance.Call("get", [0xFF]));
        Assert.Equal("hello", instance.CallText("get", "greeting"));
    }

    [Fact]
    public void Without_config_every_key_is_missing()
    {
        using var plugin = TestPlugins.CompileModule(Body);
        using var instance = plugin.Instantiate();
        Assert.Equal(0, BinaryPrimitives.ReadInt64LittleEndian(instance.Call("handle", "greeting"u8)));
    }

    [Fact]
    public void The_config_read_plugin_reads_values_and_reports_missing_keys()
    {
        var json = $$"""
            { "wasm": [ { "path": {{System.Text.Json.JsonSerializer.Serialize(TestPlugins.DistPath("config_read"))}} } ],
              "config": { "name": "Interplug", "unicode": "héllo ✓", "empty": "" } }
            """;
        using var plugin = TestPlugins.Runtime.Compile(Manifest.Parse(json));
        using var instance = plugin.Instantiate();
        Assert.Equal("Interplug", instance.CallText("get", "name"));
        Assert.Equal("héllo ✓", instance.CallText("get", "unicode"));
        Assert.Equal("missing", TestPlugins.Fails(PluginErrorKind.PluginError, () => instance.Call("get", "nope"u8)).Message);
        Assert.Equal("missing", TestPlugins.Fails(PluginErrorKind.PluginError, () => instance.Call("get", "empty"u8)).Message);
        Assert.Equal("Interplug", instance.CallText("get", "name"));
    }

    [Fact]
    public void Count_vowels_takes_its_vowels_from_config()
    {
        using var plugin = TestPlugins.Runtime.Compile(TestPlugins.Dist("count_vowels") with
        {
            Config = new Dictionary<string, string> { ["vowels"] = "éà" },
        });
        using var instance = plugin.Instantiate();
        Assert.Equal("""{"count":3,"total":3,"vowels":"éà"}""", instance.CallText("count_vowels", "été à"));
    }
}
