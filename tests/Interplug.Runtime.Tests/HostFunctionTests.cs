using System.Text;
using System.Text.Json.Serialization;
using Interplug.Runtime.Manifests;

namespace Interplug.Runtime.Tests;

public sealed record Point(int X, int Y);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Point))]
internal sealed partial class HostJson : JsonSerializerContext;

/// <summary>
/// User host functions: any wasm signature in any namespace, the typed shortcuts, what
/// <see cref="CurrentPlugin"/> offers them, and how their failures reach the caller.
/// </summary>
public sealed class HostFunctionTests
{
    /// <summary>Imports <c>extism:host/user::host (i64) -> i64</c> and calls it with the input block.</summary>
    private static readonly string HostCallModule = TestPlugins.Module("""
          (data (i32.const 0) "ok")
          (func (export "call") (result i32)
            (call $out_block (call $host (call $input_offset))) (i32.const 0))
          ;; after the host function returns: is the argument block still the plugin's?
          (func (export "call_then_length") (result i32)
            (local $argument i64)
            (local.set $argument (call $input_copy))
            (drop (call $host (local.get $argument)))
            (call $out_i64 (call $length (local.get $argument))) (i32.const 0))
          (func (export "ok") (result i32)
            (call $out_str (i32.const 0) (i32.const 2)) (i32.const 0))
        """, """(import "extism:host/user" "host" (func $host (param i64) (result i64)))""");

    private static CompiledPlugin CompileHostCall(Func<CurrentPlugin, long, long> host) =>
        TestPlugins.CompileWat(HostCallModule, new PluginOptions { HostFunctions = [HostFunction.FromMethod("host", host)] });

    private static string CallHost(Func<CurrentPlugin, long, long> host, string input, in CallOptions options = default)
    {
        using var plugin = CompileHostCall(host);
        using var instance = plugin.Instantiate();
        return TestPlugins.Text(instance.Call("call", Encoding.UTF8.GetBytes(input), options));
    }

    [Theory]
    [InlineData(WasmValueType.V128)]
    [InlineData(WasmValueType.FuncRef)]
    [InlineData(WasmValueType.ExternRef)]
    [InlineData(WasmValueType.AnyRef)]
    public void A_host_function_of_a_vector_or_reference_type_is_refused_when_created(WasmValueType type)
    {
        var e = Assert.Throws<ArgumentException>(() => new HostFunction("my:ns", "f", [type], [], (_, _, _) => { }));
        Assert.Contains("takes and returns numbers (i32, i64, f32, f64)", e.Message);
        Assert.Throws<ArgumentException>(() => WasmValue.Zero(type));
    }

    [Fact]
    public void An_untyped_host_function_takes_and_returns_every_number_type()
    {
        var seen = new List<object>();
        var mix = new HostFunction("my:ns", "mix",
            [WasmValueType.I32, WasmValueType.I64, WasmValueType.F32, WasmValueType.F64],
            [WasmValueType.I64, WasmValueType.F64],
            (plugin, args, results) =>
            {
                seen.AddRange([args[0].AsInt32(), args[1].AsInt64(), args[2].AsFloat32(), args[3].AsFloat64()]);
                results[0] = args[0].AsInt32() + args[1].AsInt64();
                results[1] = args[2].AsFloat32() * args[3].AsFloat64();
            });
        const string Body = """
              (func (export "mix") (result i32)
                (local $f f64)
                (call $mix (i32.const -40) (i64.const -9000000000000) (f32.const 1.5) (f64.const -4.25))
                (local.set $f)
                (call $out_i64) ;; the i64 result
                (drop (local.get $f))
                (i32.const 0))
              (func (export "mix_float") (result i32)
                (local $f f64)
                (call $mix (i32.const 1) (i64.const 2) (f32.const 0.5) (f64.const 3))
                (local.set $f)
                (drop)
                (call $out_i64 (i64.reinterpret_f64 (local.get $f)))
                (i32.const 0))
            """;
        using var plugin = TestPlugins.CompileModule(Body, """(import "my:ns" "mix" (func $mix (param i32 i64 f32 f64) (result i64 f64)))""",
            new PluginOptions { HostFunctions = [mix] });
        using var instance = plugin.Instantiate();

        Assert.Equal(-9_000_000_000_040, instance.CallI64("mix"));
        Assert.Equal(new object[] { -40, -9_000_000_000_000L, 1.5f, -4.25 }, seen);
        Assert.Equal(1.5, BitConverter.Int64BitsToDouble(instance.CallI64("mix_float")));
    }

    [Fact]
    public void Host_functions_can_live_in_env_and_have_no_parameters_or_results()
    {
        var pings = 0;
        var functions = new[]
        {
            new HostFunction("env", "double", [WasmValueType.I32], [WasmValueType.I32], (_, args, results) => results[0] = args[0].AsInt32() * 2),
            new HostFunction("my:ns", "ping", [], [], (_, _, _) => pings++),
        };
        const string Body = """
              (func (export "run") (result i32)
                (call $ping) (call $ping)
                (call $out_i64 (i64.extend_i32_s (call $double (i32.const -21))))
                (i32.const 0))
            """;
        const string Imports = """
              (import "env" "double" (func $double (param i32) (result i32)))
              (import "my:ns" "ping" (func $ping))
            """;
        using var plugin = TestPlugins.CompileModule(Body, Imports, new PluginOptions { HostFunctions = functions });
        using var instance = plugin.Instantiate();
        Assert.Equal(-42, instance.CallI64("run"));
        Assert.Equal(2, pings);
    }

    [Fact]
    public void The_typed_shortcuts_cover_the_usual_handle_signatures()
    {
        var recorded = new List<string>();
        var functions = new[]
        {
            HostFunction.FromMethod("upper", (CurrentPlugin p, long h) => p.WriteString(p.ReadString(h).ToUpperInvariant())),
            HostFunction.FromMethod("concat", (CurrentPlugin p, long a, long b) => p.WriteString(p.ReadString(a) + "+" + p.ReadString(b))),
            HostFunction.FromMethod<long, long, long, long>("sum3", (_, a, b, c) => a + b + c),
            HostFunction.FromMethod("greeting", p => p.WriteString("hi")),
            HostFunction.FromMethod("record", (CurrentPlugin p, long h) => recorded.Add(p.ReadString(h))),
        };
        const string Imports = """
              (import "extism:host/user" "upper" (func $upper (param i64) (result i64)))
              (import "extism:host/user" "concat" (func $concat (param i64 i64) (result i64)))
              (import "extism:host/user" "sum3" (func $sum3 (param i64 i64 i64) (result i64)))
              (import "extism:host/user" "greeting" (func $greeting (result i64)))
              (import "extism:host/user" "record" (func $record (param i64)))
            """;
        const string Body = """
              (data (i32.const 0) "abc")
              (func (export "upper") (result i32) (call $out_block (call $upper (call $input_offset))) (i32.const 0))
              (func (export "concat") (result i32)
                (call $out_block (call $concat (call $input_offset) (call $str (i32.const 0) (i32.const 3)))) (i32.const 0))
              (func (export "sum3") (result i32)
                (call $out_i64 (call $sum3 (i64.const 1) (i64.const 20) (i64.const 300))) (i32.const 0))
              (func (export "greeting") (result i32) (call $out_block (call $greeting)) (i32.const 0))
              (func (export "record") (result i32) (call $record (call $input_offset)) (i32.const 0))
            """;
        using var plugin = TestPlugins.CompileModule(Body, Imports, new PluginOptions { HostFunctions = functions });
        using var instance = plugin.Instantiate();
        Assert.Equal("HÉLLO", instance.CallText("upper", "héllo"));
        Assert.Equal("xyz+abc", instance.CallText("concat", "xyz"));
        Assert.Equal(321, instance.CallI64("sum3"));
        Assert.Equal("hi", instance.CallText("greeting"));
        Assert.Equal("", instance.CallText("record", "first"));
        instance.CallText("record", "second");
        Assert.Equal(["first", "second"], recorded);
    }

    [Fact]
    public void FromMethod_infers_every_number_type_from_the_callback()
    {
        var functions = new[]
        {
            HostFunction.FromMethod("half", (CurrentPlugin _, int a, float b) => a * b / 2),
            HostFunction.FromMethod("widen", (CurrentPlugin _, float a) => (double)a * 4),
            HostFunction.FromMethod("count", (CurrentPlugin _, double a) => (int)a + 1),
        };
        const string Body = """
              (func (export "run") (result i32)
                ;; count(widen(half(3, 5.0))) = count(4 * 7.5) = 31
                (call $out_i64 (i64.extend_i32_s (call $count (call $widen (call $half (i32.const 3) (f32.const 5.0))))))
                (i32.const 0))
            """;
        const string Imports = """
              (import "extism:host/user" "half" (func $half (param i32 f32) (result f32)))
              (import "extism:host/user" "widen" (func $widen (param f32) (result f64)))
              (import "extism:host/user" "count" (func $count (param f64) (result i32)))
            """;
        using var plugin = TestPlugins.CompileModule(Body, Imports, new PluginOptions { HostFunctions = functions });
        using var instance = plugin.Instantiate();
        Assert.Equal(31, instance.CallI64("run"));
    }

    [Fact]
    public void FromMethod_defaults_to_the_user_module_and_WithModule_moves_the_function()
    {
        var now = HostFunction.FromMethod("now_ms", (CurrentPlugin _) => 42L);
        var moved = now.WithModule("env");

        Assert.Equal("extism:host/user::now_ms", now.ToString());
        Assert.Equal("env::now_ms", moved.ToString());
        using var plugin = TestPlugins.CompileModule("""
              (func (export "run") (result i32) (call $out_i64 (call $now)) (i32.const 0))
            """, """(import "env" "now_ms" (func $now (result i64)))""", new PluginOptions { HostFunctions = [moved] });
        using var instance = plugin.Instantiate();
        Assert.Equal(42, instance.CallI64("run"));
    }

    [Fact]
    public void FromMethod_refuses_a_type_wasm_has_no_number_for()
    {
        var e = Assert.Throws<ArgumentException>(() => HostFunction.FromMethod("flag", (CurrentPlugin _, bool b) => b ? 1L : 0L));
        Assert.Contains("\"flag\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("System.Boolean", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => HostFunction.FromMethod("big", (CurrentPlugin _) => 1m));
    }

    [Fact]
    public void An_untyped_host_function_setting_a_result_of_another_type_fails_the_call_with_Trap()
    {
        var wrong = new HostFunction(HostFunction.UserModule, "host", [WasmValueType.I64], [WasmValueType.I64], (_, _, results) => results[0] = 1.5);
        using var plugin = TestPlugins.CompileWat(HostCallModule, new PluginOptions { HostFunctions = [wrong] });
        using var instance = plugin.Instantiate();

        var e = TestPlugins.Fails(PluginErrorKind.Trap, () => instance.Call("call", "x"u8));

        Assert.Contains("set result 0 to f64 1.5, but that result is declared i64", e.Message, StringComparison.Ordinal);
        Assert.Equal("ok", instance.CallText("ok"));
    }

    [Fact]
    public void An_untyped_host_function_that_sets_no_result_returns_zero()
    {
        var silent = new HostFunction(HostFunction.UserModule, "host", [WasmValueType.I64], [WasmValueType.I64], (_, _, _) => { });
        using var plugin = TestPlugins.CompileWat(HostCallModule, new PluginOptions { HostFunctions = [silent] });
        using var instance = plugin.Instantiate();
        Assert.Equal("", instance.CallText("call", "x"));
    }

    [Fact]
    public void A_WasmValue_reads_only_as_its_own_type()
    {
        WasmValue value = 7L;

        Assert.Equal(WasmValueType.I64, value.Type);
        Assert.Equal(7, value.AsInt64());
        Assert.Equal("the value is i64, not i32", Assert.Throws<InvalidOperationException>(() => value.AsInt32()).Message);
        Assert.Equal(WasmValue.FromFloat32(-0.5f), (WasmValue)(-0.5f));
        Assert.NotEqual(WasmValue.FromInt32(0), WasmValue.FromInt64(0));
        Assert.Equal("f64 2.25", WasmValue.FromFloat64(2.25).ToString());
    }

    [Fact]
    public void ReadJson_and_WriteJson_convert_blocks()
    {
        Assert.Equal("""{"x":2,"y":-1}""", CallHost((p, h) =>
        {
            var point = p.ReadJson(h, HostJson.Default.Point)!;
            return p.WriteJson(new Point(point.X + 1, point.Y - 1), HostJson.Default.Point);
        }, """{"x":1,"y":0}"""));
    }

    [Fact]
    public void ReadJson_of_something_that_is_not_JSON_fails_the_call_with_InvalidArgument()
    {
        using var plugin = CompileHostCall((p, h) => p.WriteJson(p.ReadJson(h, HostJson.Default.Point)!, HostJson.Default.Point));
        using var instance = plugin.Instantiate();
        TestPlugins.Fails(PluginErrorKind.InvalidArgument, () => instance.Call("call", "{not json"u8));
        Assert.Equal("ok", instance.CallText("ok"));
    }

    [Fact]
    public void ReadString_of_invalid_UTF8_fails_the_call_with_InvalidArgument()
    {
        using var plugin = CompileHostCall((p, h) => p.WriteString(p.ReadString(h)));
        using var instance = plugin.Instantiate();
        TestPlugins.Fails(PluginErrorKind.InvalidArgument, () => instance.Call("call", [0x61, 0xFF, 0xFE]));
        Assert.Equal("ok", instance.CallText("ok"));
    }

    [Theory]
    [InlineData(-16L)]
    [InlineData(1L)]
    [InlineData(1040L)]
    [InlineData(1L << 40)]
    public void Reading_a_handle_that_is_not_a_block_fails_with_InvalidArgument(long handle)
    {
        using var plugin = CompileHostCall((p, _) => p.WriteBytes(p.ReadBytes(handle)));
        using var instance = plugin.Instantiate();
        TestPlugins.Fails(PluginErrorKind.InvalidArgument, () => instance.Call("call", "0123456789"u8));
        Assert.Equal("ok", instance.CallText("ok"));
    }

    [Fact]
    public void Handle_zero_reads_as_empty_and_an_empty_write_is_handle_zero()
    {
        long written = -1;
        Assert.Equal("", CallHost((p, _) =>
        {
            Assert.True(p.ReadBytes(0).IsEmpty);
            Assert.Equal("", p.ReadString(0));
            written = p.WriteBytes([]);
            return written;
        }, "x"));
        Assert.Equal(0, written);
    }

    [Fact]
    public void BlockLength_and_Free_see_the_plugins_blocks()
    {
        long length = -1, lengthAfterFree = -1;
        using var plugin = CompileHostCall((p, h) =>
        {
            length = p.BlockLength(h);
            p.Free(h);
            lengthAfterFree = p.BlockLength(h);
            return 0;
        });
        using var instance = plugin.Instantiate();
        Assert.Equal(0, instance.CallI64("call_then_length", "12345"u8));
        Assert.Equal((5, 0), (length, lengthAfterFree));
    }

    [Fact]
    public void Argument_blocks_stay_the_plugins_after_a_host_function_returns()
    {
        using var plugin = CompileHostCall((p, h) => p.WriteString(p.ReadString(h)));
        using var instance = plugin.Instantiate();
        Assert.Equal(5, instance.CallI64("call_then_length", "12345"u8));
    }

    [Fact]
    public void SetError_fails_the_call_even_when_the_export_returns_zero()
    {
        using var plugin = CompileHostCall((p, _) =>
        {
            p.SetError("host says no");
            return 0;
        });
        using var instance = plugin.Instantiate();
        var e = TestPlugins.Fails(PluginErrorKind.PluginError, () => instance.Call("call", "x"u8));
        Assert.Equal("host says no", e.Message);
        Assert.Equal("ok", instance.CallText("ok"));
    }

    [Fact]
    public void HostContext_is_the_object_passed_with_the_call()
    {
        using var plugin = CompileHostCall((p, _) => p.WriteString(p.HostContext?.ToString() ?? "none"));
        using var instance = plugin.Instantiate();
        Assert.Equal("first", TestPlugins.Text(instance.Call("call", [], new CallOptions { HostContext = "first" })));
        Assert.Equal("none", TestPlugins.Text(instance.Call("call", [])));
        Assert.Equal("second", TestPlugins.Text(instance.Call("call", [], new CallOptions { HostContext = new StringBuilder("second") })));
    }

    [Fact]
    public void The_current_plugin_shows_the_calling_instance_and_the_calls_limits()
    {
        using var cancel = new CancellationTokenSource();
        var deadline = DateTimeOffset.UtcNow.AddMinutes(5);
        PluginInstance? seen = null;
        bool busy = false, sameToken = false;
        DateTimeOffset? seenDeadline = null;
        using var plugin = CompileHostCall((p, _) =>
        {
            seen = p.Instance;
            busy = p.Instance.IsBusy;
            sameToken = p.CancellationToken == cancel.Token;
            seenDeadline = p.Deadline;
            return 0;
        });
        using var instance = plugin.Instantiate();
        instance.Call("call", [], new CallOptions { CancellationToken = cancel.Token, Deadline = deadline });
        Assert.Same(instance, seen);
        Assert.True(busy);
        Assert.True(sameToken);
        Assert.NotNull(seenDeadline);
        // The runtime keeps deadlines as stopwatch ticks; converted back they are the same instant, give or take clock rounding.
        Assert.True((seenDeadline.Value - deadline).Duration() < TimeSpan.FromMinutes(1), $"deadline {seenDeadline} instead of {deadline}");

        instance.Call("call", []);
        Assert.Null(seenDeadline);
        Assert.False(instance.IsBusy);
    }

    [Theory]
    [InlineData(PluginErrorKind.PermissionDenied)]
    [InlineData(PluginErrorKind.LimitExceeded)]
    [InlineData(PluginErrorKind.InvalidArgument)]
    [InlineData(PluginErrorKind.Timeout)]
    [InlineData(PluginErrorKind.HttpFailed)]
    public void A_host_function_throwing_a_PluginException_fails_the_call_with_its_kind(PluginErrorKind kind)
    {
        using var plugin = CompileHostCall((_, _) => throw new PluginException(kind, $"host failure {kind}"));
        using var instance = plugin.Instantiate();
        var e = TestPlugins.Fails(kind, () => instance.Call("call", "x"u8));
        Assert.Contains($"host failure {kind}", e.Message, StringComparison.Ordinal);
        Assert.Equal("call", e.ExportName);
        Assert.Equal("ok", instance.CallText("ok"));
    }

    [Fact]
    public void A_host_function_throwing_any_other_exception_fails_the_call_with_Trap()
    {
        using var plugin = CompileHostCall((_, _) => throw new InvalidOperationException("kaboom"));
        using var instance = plugin.Instantiate();
        var e = TestPlugins.Fails(PluginErrorKind.Trap, () => instance.Call("call", "x"u8));
        Assert.Contains("kaboom", e.Message, StringComparison.Ordinal);
        Assert.Equal("ok", instance.CallText("ok"));
        TestPlugins.Fails(PluginErrorKind.Trap, () => instance.Call("call", "x"u8));
    }

    [Fact]
    public void Calling_back_into_the_running_instance_fails_with_Busy_and_the_instance_keeps_working()
    {
        PluginErrorKind? inner = null;
        using var plugin = CompileHostCall((p, _) =>
        {
            try
            {
                p.Instance.Call("ok", []);
            }
            catch (PluginException e)
            {
                inner = e.Kind;
            }
            return p.WriteString("outer done");
        });
        using var instance = plugin.Instantiate();
        Assert.Equal("outer done", instance.CallText("call"));
        Assert.Equal(PluginErrorKind.Busy, inner);
        Assert.Equal("ok", instance.CallText("ok"));
    }

    [Fact]
    public void A_Busy_failure_that_escapes_the_host_function_fails_the_outer_call_with_Busy()
    {
        using var plugin = CompileHostCall((p, _) =>
        {
            p.Instance.Call("ok", []);
            return 0;
        });
        using var instance = plugin.Instantiate();
        TestPlugins.Fails(PluginErrorKind.Busy, () => instance.Call("call", []));
        Assert.False(instance.IsBusy);
        Assert.Equal("ok", instance.CallText("ok"));
    }

    [Fact]
    public void A_host_function_can_call_another_instance()
    {
        using var echo = TestPlugins.CompileDist("echo");
        using var other = echo.Instantiate();
        Assert.Equal("via echo", CallHost((p, h) => p.WriteBytes(other.Call("echo", p.ReadBytes(h))), "via echo"));
    }

    [Fact]
    public void A_host_function_the_plugin_does_not_import_is_ignored()
    {
        var unused = HostFunction.FromMethod<long, long>("unused", (_, _) => 0);
        using var plugin = TestPlugins.Runtime.Compile(TestPlugins.Dist("count_vowels"), new PluginOptions { HostFunctions = [unused] });
        using var instance = plugin.Instantiate();
        Assert.Contains("\"count\":1", instance.CallText("count_vowels", "a"), StringComparison.Ordinal);
    }

    [Fact]
    public void Defining_the_same_host_function_twice_is_rejected()
    {
        var functions = new[]
        {
            HostFunction.FromMethod<long, long>("host", (_, a) => a),
            HostFunction.FromMethod<long, long>("host", (_, a) => a),
        };
        Assert.Throws<ArgumentException>(() => TestPlugins.CompileWat(HostCallModule, new PluginOptions { HostFunctions = functions }));
    }

    [Fact]
    public void A_host_function_whose_type_differs_from_the_import_fails_to_instantiate()
    {
        var wrong = new HostFunction(HostFunction.UserModule, "host", [WasmValueType.I32], [WasmValueType.I32], (_, a, r) => r[0] = a[0].AsInt32());
        var e = Assert.Throws<PluginException>(() =>
        {
            using var plugin = TestPlugins.CompileWat(HostCallModule, new PluginOptions { HostFunctions = [wrong] });
            using var instance = plugin.Instantiate();
        });
        Assert.True(e.Kind is PluginErrorKind.BadModule or PluginErrorKind.MissingImport, $"got {e.Kind}: {e.Message}");
        Assert.Contains("extism:host/user::host", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_functions_are_matched_by_module_and_name()
    {
        var elsewhere = HostFunction.FromMethod<long, long>("host", (_, a) => a).WithModule("other:module");
        var e = TestPlugins.Fails(PluginErrorKind.MissingImport,
            () => TestPlugins.CompileWat(HostCallModule, new PluginOptions { HostFunctions = [elsewhere] }));
        Assert.Equal("extism:host/user::host", e.ImportName);
        Assert.Equal("other:module::host", elsewhere.ToString());
    }

    /// <summary>Host functions in the shape of the seed's inter-plugin functions, backed by count_vowels instances.</summary>
    private static HostFunction[] RegisterAndCall(string module, CompiledPlugin countVowels, List<PluginInstance> instances) =>
    [
        HostFunction.FromMethod("register_plugin", (CurrentPlugin p, long name) =>
        {
            Assert.Equal("count_vowels", p.ReadString(name));
            instances.Add(countVowels.Instantiate());
            return (long)instances.Count;
        }).WithModule(module),
        HostFunction.FromMethod("call_plugin", (CurrentPlugin p, long id, long function, long input) =>
            p.WriteBytes(instances[(int)id - 1].Call(p.ReadString(function), p.ReadBytes(input)))).WithModule(module),
    ];

    [Theory]
    [InlineData("run", HostFunction.UserModule)]
    [InlineData("relay_c", "env")]
    [InlineData("relay_rs", "env")]
    public void Plugins_from_three_toolchains_call_host_functions(string name, string module)
    {
        using var countVowels = TestPlugins.CompileDist("count_vowels");
        var instances = new List<PluginInstance>();
        try
        {
            using var plugin = TestPlugins.CompileDist(name, new PluginOptions { HostFunctions = RegisterAndCall(module, countVowels, instances) });
            using var instance = plugin.Instantiate();
            Assert.Equal("""{"count":3,"total":3,"vowels":"aeiouAEIOU"}""", instance.CallText("run"));
            Assert.Equal("""{"count":3,"total":3,"vowels":"aeiouAEIOU"}""", instance.CallText("run")); // a new instance each time
            Assert.Equal(2, instances.Count);
        }
        finally
        {
            foreach (var instance in instances)
                instance.Dispose();
        }
    }

    [Fact]
    public void The_C_plugin_runs_without_a_PDK_once_its_env_imports_exist()
    {
        TestPlugins.Fails(PluginErrorKind.MissingImport, () => TestPlugins.CompileDist("relay_c"));
        var stubs = new[]
        {
            HostFunction.FromMethod<long, long>("register_plugin", (_, _) => 0).WithModule("env"),
            HostFunction.FromMethod<long, long, long, long>("call_plugin", (_, _, _, _) => 0).WithModule("env"),
        };
        using var plugin = TestPlugins.CompileDist("relay_c", new PluginOptions { HostFunctions = stubs });
        using var instance = plugin.Instantiate();
        Assert.Equal("3", instance.CallText("count_vowels_native", "Hello, World!"));
        Assert.Equal("0", instance.CallText("count_vowels_native", ""));
        Assert.Equal("10", instance.CallText("count_vowels_native", "AEIOUaeiou"));
    }

    [Fact]
    public void A_large_block_written_by_a_host_function_reaches_the_plugin_intact()
    {
        var payload = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        using var plugin = CompileHostCall((p, _) => p.WriteBytes(payload));
        using var instance = plugin.Instantiate();
        Assert.Equal(payload, instance.Call("call", []));
    }

    [Fact]
    public void WriteBytes_beyond_the_memory_budget_fails_with_OutOfMemory()
    {
        var manifest = TestPlugins.Wat(HostCallModule) with { Memory = new ManifestMemory { MaxPages = 8 } };
        using var plugin = TestPlugins.Runtime.Compile(manifest, new PluginOptions
        {
            HostFunctions = [HostFunction.FromMethod<long, long>("host", (p, _) => p.WriteBytes(new byte[1 << 20]))],
        });
        using var instance = plugin.Instantiate();
        TestPlugins.Fails(PluginErrorKind.OutOfMemory, () => instance.Call("call", []));
        Assert.True(instance.MemoryPages <= 8);
        Assert.Equal("ok", instance.CallText("ok"));
    }
}
