using System.Text.Json;

namespace Interplug.Runtime.Tests;

/// <summary>
/// The blocks a plugin passes to <c>config_get</c>, <c>var_get</c>, <c>http_request</c> and the
/// like: the host frees them, yet a PDK that frees them itself too (the Haskell PDK's
/// <c>getConfig</c> does) must still get its result, and the call's input must survive being
/// passed as an argument.
/// </summary>
public sealed class ArgumentBlockTests : IDisposable
{
    private const string Body = """
          (data (i32.const 0) "k")

          ;; getConfig: alloc key, config_get, free key, read value
          (func (export "pdk_config_get") (result i32)
            (local $key i64) (local $value i64)
            (local.set $key (call $input_copy))
            (local.set $value (call $config_get (local.get $key)))
            (call $free (local.get $key))
            (call $out_block (local.get $value)) (i32.const 0))

          ;; var k := the input, the key and value freed by the plugin too
          (func (export "pdk_var_set") (result i32)
            (local $key i64) (local $value i64)
            (local.set $key (call $str (i32.const 0) (i32.const 1)))
            (local.set $value (call $input_copy))
            (call $var_set (local.get $key) (local.get $value))
            (call $free (local.get $value))
            (call $free (local.get $key)) (i32.const 0))

          (func (export "pdk_var_get") (result i32)
            (local $key i64) (local $value i64)
            (local.set $key (call $str (i32.const 0) (i32.const 1)))
            (local.set $value (call $var_get (local.get $key)))
            (call $free (local.get $key))
            (call $out_block (local.get $value)) (i32.const 0))

          ;; input: the request JSON
          (func (export "pdk_http_request") (result i32)
            (local $request i64) (local $body i64)
            (local.set $request (call $input_copy))
            (local.set $body (call $http_request (local.get $request) (i64.const 0)))
            (call $free (local.get $request))
            (call $out_block (local.get $body)) (i32.const 0))

          ;; the input passed as a config key, then a new block filled with 0xAA: the input is unchanged
          (func (export "input_as_key") (result i32)
            (local $h i64) (local $i i64)
            (drop (call $config_get (call $input_offset)))
            (local.set $h (call $alloc (call $input_length)))
            (block $done (loop $next
              (br_if $done (i64.ge_u (local.get $i) (call $input_length)))
              (call $store_u8 (i64.add (local.get $h) (local.get $i)) (i32.const 0xAA))
              (local.set $i (i64.add (local.get $i) (i64.const 1)))
              (br $next)))
            (call $out_block (call $input_copy)) (i32.const 0))
        """;

    private readonly LocalHttpServer _server = new(context => LocalHttpServer.Reply(context, 200, "response body"));

    public void Dispose() => _server.Dispose();

    private static CompiledPlugin Compile() =>
        TestPlugins.Runtime.Compile(TestPlugins.Wat(TestPlugins.Module(Body)) with
        {
            Config = new Dictionary<string, string> { ["greeting"] = "hello" },
            AllowedHosts = ["127.0.0.1"],
        });

    [Fact]
    public void A_plugin_that_frees_its_config_key_itself_still_reads_the_value()
    {
        using var plugin = Compile();
        using var instance = plugin.Instantiate();
        Assert.Equal("hello", instance.CallText("pdk_config_get", "greeting"));
    }

    [Fact]
    public void A_plugin_that_frees_its_var_key_itself_still_reads_the_value()
    {
        using var plugin = Compile();
        using var instance = plugin.Instantiate();
        instance.Call("pdk_var_set", "stored value"u8);
        Assert.Equal("stored value", instance.CallText("pdk_var_get"));
    }

    [Fact]
    public void A_plugin_that_frees_its_http_request_itself_still_reads_the_response()
    {
        using var plugin = Compile();
        using var instance = plugin.Instantiate();
        var request = JsonSerializer.Serialize(new Dictionary<string, string> { ["url"] = _server.Url("/") });
        Assert.Equal("response body", instance.CallText("pdk_http_request", request));
    }

    [Fact]
    public void The_input_survives_being_passed_as_an_argument()
    {
        using var plugin = Compile();
        using var instance = plugin.Instantiate();
        Assert.Equal("greeting", instance.CallText("input_as_key", "greeting"));
    }
}
