using System.Text;
using Interplug.Runtime.Manifests;

namespace Interplug.Runtime.Tests;

/// <summary>
/// How calls fail: each failure has its own <see cref="PluginErrorKind"/>, and after any failure
/// the same instance still serves a normal call.
/// </summary>
public sealed class CallFailureTests
{
    private const string Body = """
          (data (i32.const 0) "ok")
          (data (i32.const 16) "boom")
          (data (i32.const 32) "bad \ff\fe utf-8")
          (global $spins (mut i64) (i64.const 0))

          (func (export "ok") (result i32)
            (call $out_str (i32.const 0) (i32.const 2)) (i32.const 0))
          (func (export "ok_void")
            (call $out_str (i32.const 0) (i32.const 2)))
          (func (export "trap") (result i32)
            unreachable)
          (func (export "divide_by_zero") (result i32)
            (i32.div_s (i32.const 1) (i32.const 0)))
          (func (export "out_of_bounds") (result i32)
            (i32.load (i32.const 0x7FFFFFF0)))
          (func $recurse (param i64) (result i64)
            (i64.add (call $recurse (i64.add (local.get 0) (i64.const 1))) (i64.const 1)))
          (func (export "stack_overflow") (result i32)
            (drop (call $recurse (i64.const 0))) (i32.const 0))
          (func (export "fail") (result i32)
            (call $error_set (call $str (i32.const 16) (i32.const 4))) (i32.const 1))
          (func (export "fail_zero") (result i32)
            (call $error_set (call $str (i32.const 16) (i32.const 4))) (i32.const 0))
          (func (export "fail_void")
            (call $error_set (call $str (i32.const 16) (i32.const 4))))
          (func (export "fail_then_trap") (result i32)
            (call $error_set (call $str (i32.const 16) (i32.const 4))) unreachable)
          (func (export "fail_bad_utf8") (result i32)
            (call $error_set (call $str (i32.const 32) (i32.const 12))) (i32.const 1))
          (func (export "fail_then_clear") (result i32)
            (call $error_set (call $str (i32.const 16) (i32.const 4)))
            (call $error_set (i64.const 0))
            (call $out_str (i32.const 0) (i32.const 2)) (i32.const 0))
          ;; error_get returns what error_set stored (1 if so), and 0 before any error_set
          (func (export "error_get") (result i32)
            (local $h i64) (local $before i64)
            (local.set $before (call $error_get))
            (local.set $h (call $str (i32.const 16) (i32.const 4)))
            (call $error_set (local.get $h))
            (if (i64.eq (call $error_get) (local.get $h))
              (then (call $error_set (i64.const 0))
                    (call $out_i64 (i64.add (i64.const 1) (local.get $before)))))
            (i32.const 0))
          (func (export "exit7") (result i32)
            (i32.const 7))
          (func (export "exit_negative") (result i32)
            (i32.const -1))
          (func (export "loop") (result i32)
            (loop $forever
              (global.set $spins (i64.add (global.get $spins) (i64.const 1)))
              (br $forever))
            (i32.const 0))
          ;; spins arg times
          (func (export "spin") (result i32)
            (local $n i64)
            (local.set $n (call $arg))
            (block $done (loop $next
              (br_if $done (i64.eqz (local.get $n)))
              (local.set $n (i64.sub (local.get $n) (i64.const 1)))
              (br $next)))
            (call $out_str (i32.const 0) (i32.const 2)) (i32.const 0))
          (func (export "grow") (result i32)
            (loop $more
              (br_if $more (i32.ge_s (memory.grow (i32.const 1)) (i32.const 0))))
            unreachable)
          (func (export "with_param") (param i32) (result i32)
            (i32.const 0))
          (func (export "returns_i64") (result i64)
            (i64.const 0))
          (func (export "returns_two") (result i32 i32)
            (i32.const 0) (i32.const 0))
          (global (export "a_global") i32 (i32.const 1))
        """;

    private static readonly Lazy<CompiledPlugin> Plugin = new(() => TestPlugins.CompileModule(Body));

    private static PluginInstance NewInstance() => Plugin.Value.Instantiate();

    private static CompiledPlugin Compile(Manifest manifest, PluginOptions? options = null) => TestPlugins.Runtime.Compile(manifest, options);

    private static Manifest WatManifest => TestPlugins.Wat(TestPlugins.Module(Body));

    private static void StillWorks(PluginInstance instance)
    {
        Assert.Equal("ok", instance.CallText("ok"));
        Assert.False(instance.IsBusy);
    }

    [Theory]
    [InlineData("trap")]
    [InlineData("divide_by_zero")]
    [InlineData("out_of_bounds")]
    [InlineData("stack_overflow")]
    public void A_trap_fails_with_Trap(string export)
    {
        using var instance = NewInstance();
        var e = TestPlugins.Fails(PluginErrorKind.Trap, () => instance.Call(export, []));
        Assert.Equal(export, e.ExportName);
        Assert.DoesNotContain('\n', e.Message);
        StillWorks(instance);
    }

    [Fact]
    public void The_trap_plugin_traps_with_Trap_and_keeps_working()
    {
        using var plugin = TestPlugins.CompileDist("trap");
        using var instance = plugin.Instantiate();
        TestPlugins.Fails(PluginErrorKind.Trap, () => instance.Call("trap", []));
        // The AssemblyScript runtime still allocates and reports errors afterwards.
        var e = TestPlugins.Fails(PluginErrorKind.PluginError, () => instance.Call("fail", []));
        Assert.Equal("deliberate failure", e.Message);
    }

    [Theory]
    [InlineData("fail")]
    [InlineData("fail_zero")]
    [InlineData("fail_void")]
    [InlineData("fail_then_trap")]
    public void An_error_set_by_the_plugin_fails_the_call_with_its_message(string export)
    {
        using var instance = NewInstance();
        var e = TestPlugins.Fails(PluginErrorKind.PluginError, () => instance.Call(export, []));
        Assert.Equal("boom", e.Message);
        Assert.Equal(export, e.ExportName);
        StillWorks(instance);
    }

    [Theory]
    [InlineData("fail", "deliberate failure")]
    [InlineData("fail_zero", "deliberate failure")]
    public void The_trap_plugins_errors_fail_the_call_with_PluginError(string export, string message)
    {
        using var plugin = TestPlugins.CompileDist("trap");
        using var instance = plugin.Instantiate();
        Assert.Equal(message, TestPlugins.Fails(PluginErrorKind.PluginError, () => instance.Call(export, [])).Message);
        Assert.Equal(message, TestPlugins.Fails(PluginErrorKind.PluginError, () => instance.Call(export, [])).Message);
    }

    [Fact]
    public void An_error_message_that_is_not_UTF8_is_reported_lossily()
    {
        using var instance = NewInstance();
        var e = TestPlugins.Fails(PluginErrorKind.PluginError, () => instance.Call("fail_bad_utf8", []));
        Assert.Equal("bad \uFFFD\uFFFD utf-8", e.Message);
        StillWorks(instance);
    }

    [Fact]
    public void Error_set_of_null_clears_the_error()
    {
        using var instance = NewInstance();
        Assert.Equal("ok", instance.CallText("fail_then_clear"));
    }

    [Fact]
    public void Error_get_returns_the_current_error_and_null_before_one_is_set()
    {
        using var instance = NewInstance();
        TestPlugins.Fails(PluginErrorKind.PluginError, () => instance.Call("fail", []));
        Assert.Equal(1, instance.CallI64("error_get")); // 0 at the start, even after a failed call
    }

    [Fact]
    public void A_non_zero_return_code_fails_with_NonZeroExitCode()
    {
        using var instance = NewInstance();
        var e = TestPlugins.Fails(PluginErrorKind.NonZeroExitCode, () => instance.Call("exit7", []));
        Assert.Equal(7, e.ExitCode);
        Assert.Contains("7", e.Message, StringComparison.Ordinal);
        Assert.Equal(-1, TestPlugins.Fails(PluginErrorKind.NonZeroExitCode, () => instance.Call("exit_negative", [])).ExitCode);
        StillWorks(instance);
    }

    [Fact]
    public void The_trap_plugins_exit_code_is_7()
    {
        using var plugin = TestPlugins.CompileDist("trap");
        using var instance = plugin.Instantiate();
        var e = TestPlugins.Fails(PluginErrorKind.NonZeroExitCode, () => instance.Call("exit_code", []));
        Assert.Equal(7, e.ExitCode);
        Assert.Equal(7, TestPlugins.Fails(PluginErrorKind.NonZeroExitCode, () => instance.Call("exit_code", [])).ExitCode);
    }

    [Fact]
    public void An_export_of_type_void_is_called_as_returning_zero()
    {
        using var instance = NewInstance();
        Assert.Equal("ok", instance.CallText("ok_void"));
    }

    [Fact]
    public void The_manifest_timeout_stops_an_endless_loop_with_Timeout()
    {
        var manifest = Manifest.Parse(
            $$"""{ "wasm": [ { "path": {{System.Text.Json.JsonSerializer.Serialize(TestPlugins.DistPath("loop_forever"))}} } ], "timeout_ms": 100 }""");
        using var plugin = Compile(manifest);
        using var instance = plugin.Instantiate();
        var e = TestPlugins.Fails(PluginErrorKind.Timeout, () => instance.Call("loop_forever", []));
        Assert.Equal("loop_forever", e.ExportName);
        TestPlugins.Fails(PluginErrorKind.Timeout, () => instance.Call("loop_forever", [])); // each call gets its own timeout
    }

    [Fact]
    public void A_timeout_leaves_the_instance_usable()
    {
        using var plugin = Compile(WatManifest with { TimeoutMs = 100 });
        using var instance = plugin.Instantiate();
        TestPlugins.Fails(PluginErrorKind.Timeout, () => instance.Call("loop", []));
        StillWorks(instance);
    }

    [Fact]
    public void A_call_deadline_stops_an_endless_loop_with_Timeout()
    {
        using var plugin = TestPlugins.CompileDist("loop_forever");
        using var instance = plugin.Instantiate();
        TestPlugins.Fails(PluginErrorKind.Timeout,
            () => instance.Call("loop_forever", [], new CallOptions { Deadline = DateTimeOffset.UtcNow.AddMilliseconds(100) }));

        using var wat = Compile(WatManifest);
        using var watInstance = wat.Instantiate();
        TestPlugins.Fails(PluginErrorKind.Timeout,
            () => watInstance.Call("loop", [], new CallOptions { Deadline = DateTimeOffset.UtcNow.AddMilliseconds(100) }));
        StillWorks(watInstance); // the deadline was for that call only
    }

    [Fact]
    public void A_deadline_in_the_past_fails_at_once_with_Timeout()
    {
        using var instance = NewInstance();
        TestPlugins.Fails(PluginErrorKind.Timeout,
            () => instance.Call("loop", [], new CallOptions { Deadline = DateTimeOffset.UtcNow.AddSeconds(-1) }));
        StillWorks(instance);
    }

    [Fact]
    public void The_earlier_of_deadline_and_manifest_timeout_wins()
    {
        using var plugin = Compile(WatManifest with { TimeoutMs = 60_000 });
        using var instance = plugin.Instantiate();
        TestPlugins.Fails(PluginErrorKind.Timeout,
            () => instance.Call("loop", [], new CallOptions { Deadline = DateTimeOffset.UtcNow.AddMilliseconds(100) }));

        using var shortPlugin = Compile(WatManifest with { TimeoutMs = 100 });
        using var shortInstance = shortPlugin.Instantiate();
        TestPlugins.Fails(PluginErrorKind.Timeout,
            () => shortInstance.Call("loop", [], new CallOptions { Deadline = DateTimeOffset.UtcNow.AddHours(1) }));
    }

    [Fact]
    public void Cancelling_the_token_stops_the_call_with_Cancelled()
    {
        using var plugin = TestPlugins.CompileDist("loop_forever");
        using var instance = plugin.Instantiate();
        using var cancel = new CancellationTokenSource();
        cancel.CancelAfter(50);
        var e = TestPlugins.Fails(PluginErrorKind.Cancelled, () => instance.Call("loop_forever", [], cancel.Token));
        Assert.Equal("loop_forever", e.ExportName);
    }

    [Fact]
    public void Cancelling_through_call_options_stops_the_call_and_the_instance_keeps_working()
    {
        using var instance = NewInstance();
        using var cancel = new CancellationTokenSource();
        cancel.CancelAfter(50);
        TestPlugins.Fails(PluginErrorKind.Cancelled, () => instance.Call("loop", [], new CallOptions { CancellationToken = cancel.Token }));
        StillWorks(instance);
    }

    [Fact]
    public void An_already_cancelled_token_fails_the_call_with_Cancelled()
    {
        using var instance = NewInstance();
        TestPlugins.Fails(PluginErrorKind.Cancelled, () => instance.Call("loop", [], new CancellationToken(canceled: true)));
        StillWorks(instance);
    }

    [Fact]
    public void Running_out_of_fuel_per_call_fails_with_OutOfFuel()
    {
        using var plugin = TestPlugins.Runtime.Compile(TestPlugins.Dist("loop_forever"), new PluginOptions { FuelPerCall = 10_000 });
        using var instance = plugin.Instantiate();
        var e = TestPlugins.Fails(PluginErrorKind.OutOfFuel, () => instance.Call("loop_forever", []));
        Assert.Equal("loop_forever", e.ExportName);
        TestPlugins.Fails(PluginErrorKind.OutOfFuel, () => instance.Call("loop_forever", []));
    }

    [Fact]
    public void Running_out_of_call_option_fuel_fails_with_OutOfFuel()
    {
        using var instance = NewInstance();
        TestPlugins.Fails(PluginErrorKind.OutOfFuel, () => instance.Call("loop", [], new CallOptions { Fuel = 10_000 }));
        TestPlugins.Fails(PluginErrorKind.OutOfFuel, () => instance.Call("ok", [], new CallOptions { Fuel = 0 }));
        StillWorks(instance); // without a fuel limit again
    }

    [Fact]
    public void Call_option_fuel_replaces_the_plugins_fuel_per_call()
    {
        using var plugin = Compile(WatManifest, new PluginOptions { FuelPerCall = 20 });
        using var instance = plugin.Instantiate();
        TestPlugins.Fails(PluginErrorKind.OutOfFuel, () => instance.Call("ok", []));
        Assert.Equal("ok", TestPlugins.Text(instance.Call("ok", [], new CallOptions { Fuel = 1_000_000 })));
        TestPlugins.Fails(PluginErrorKind.OutOfFuel, () => instance.Call("spin", TestPlugins.Arg(1_000_000), new CallOptions { Fuel = 100_000 }));
    }

    [Fact]
    public void Fuel_is_refilled_for_every_call()
    {
        using var plugin = Compile(WatManifest, new PluginOptions { FuelPerCall = 200_000 });
        using var instance = plugin.Instantiate();
        for (var i = 0; i < 5; i++)
            Assert.Equal("ok", TestPlugins.Text(instance.Call("spin", TestPlugins.Arg(10_000))));
        TestPlugins.Fails(PluginErrorKind.OutOfFuel, () => instance.Call("spin", TestPlugins.Arg(1_000_000)));
        StillWorks(instance);
    }

    [Fact]
    public void Growing_memory_past_the_budget_fails_with_OutOfMemory()
    {
        using var plugin = Compile(WatManifest with { Memory = new ManifestMemory { MaxPages = 20 } });
        using var instance = plugin.Instantiate();
        TestPlugins.Fails(PluginErrorKind.OutOfMemory, () => instance.Call("grow", []));
        Assert.True(instance.MemoryPages <= 20, $"{instance.MemoryPages} pages in use");
        StillWorks(instance);
    }

    [Theory]
    [InlineData("stack_overflow")]
    [InlineData("divide_by_zero")]
    public void A_trap_that_is_not_about_memory_stays_a_Trap_when_memory_is_near_the_budget(string export)
    {
        using var plugin = Compile(WatManifest with { Memory = new ManifestMemory { MaxPages = 20 } });
        using var instance = plugin.Instantiate();
        TestPlugins.Fails(PluginErrorKind.OutOfMemory, () => instance.Call("grow", []));
        TestPlugins.Fails(PluginErrorKind.Trap, () => instance.Call(export, []));
        StillWorks(instance);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("")]
    [InlineData("OK")]
    [InlineData("with_param")]
    [InlineData("returns_i64")]
    [InlineData("returns_two")]
    [InlineData("memory")]
    [InlineData("a_global")]
    public void Calling_something_that_is_not_a_callable_export_fails_with_ExportNotFound(string export)
    {
        using var instance = NewInstance();
        var e = TestPlugins.Fails(PluginErrorKind.ExportNotFound, () => instance.Call(export, []));
        Assert.Equal(export, e.ExportName);
        if (export.Length > 0)
            Assert.Contains(export, e.Message, StringComparison.Ordinal);
        Assert.False(instance.FunctionExists(export));
        Assert.DoesNotContain(export, instance.Plugin.Exports);
        StillWorks(instance);
    }

    [Fact]
    public void Exports_lists_exactly_the_callable_functions()
    {
        Assert.Contains("ok", Plugin.Value.Exports);
        Assert.Contains("ok_void", Plugin.Value.Exports);
        Assert.Contains("trap", Plugin.Value.Exports);
        using var instance = NewInstance();
        Assert.True(instance.FunctionExists("ok"));
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 })]
    [InlineData(new byte[] { 0, 0x61, 0x73, 0x6D, 1, 0, 0, 0, 0xFF, 0xFF, 0xFF })]
    [InlineData(new byte[] { 0, 0x61, 0x73, 0x6D, 2, 0, 0, 0 })]
    [InlineData(new byte[] { 0, 0x61, 0x73, 0x6D })]
    public void Bytes_that_are_not_wasm_fail_with_BadModule(byte[] bytes)
    {
        TestPlugins.Fails(PluginErrorKind.BadModule, () => TestPlugins.Runtime.Compile(Manifest.FromBytes(bytes)));
    }

    [Fact]
    public void Random_bytes_fail_with_BadModule()
    {
        var bytes = new byte[4096];
        new Random(1234).NextBytes(bytes);
        TestPlugins.Fails(PluginErrorKind.BadModule, () => TestPlugins.Runtime.Compile(Manifest.FromBytes(bytes)));
    }

    [Theory]
    [InlineData("hello world, this is not WebAssembly")]
    [InlineData("")]
    [InlineData("(module (func (export \"f\") (result i32) (i64.const 1)))")]
    [InlineData("(module (func (export \"f\") (result i32)")]
    public void Text_that_is_not_a_valid_module_fails_with_BadModule(string text)
    {
        var e = TestPlugins.Fails(PluginErrorKind.BadModule, () => TestPlugins.Runtime.Compile(TestPlugins.Wat(text)));
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("extism:host/env", "nonexistent")]
    [InlineData("foo", "bar")]
    [InlineData("env", "abort")]
    [InlineData("extism:host/user", "not_defined")]
    [InlineData("wasi_snapshot_preview1", "fd_write")]
    public void Importing_a_function_the_host_does_not_provide_fails_with_MissingImport(string module, string name)
    {
        var wat = $$"""(module (import "{{module}}" "{{name}}" (func (param i64) (result i64))) (func (export "f") (result i32) (i32.const 0)))""";
        var e = TestPlugins.Fails(PluginErrorKind.MissingImport, () => TestPlugins.Runtime.Compile(TestPlugins.Wat(wat)));
        Assert.Equal($"{module}::{name}", e.ImportName);
        Assert.Contains($"{module}::{name}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Importing_a_memory_from_the_kernel_namespace_fails_with_MissingImport()
    {
        const string Wat = """(module (import "extism:host/env" "memory" (memory 1)) (func (export "f") (result i32) (i32.const 0)))""";
        var e = TestPlugins.Fails(PluginErrorKind.MissingImport, () => TestPlugins.Runtime.Compile(TestPlugins.Wat(Wat)));
        Assert.Equal("extism:host/env::memory", e.ImportName);
    }

    [Fact]
    public void Importing_a_kernel_function_with_the_wrong_type_fails_when_instantiated()
    {
        const string Wat = """(module (import "extism:host/env" "alloc" (func (param i32) (result i32))) (func (export "f") (result i32) (i32.const 0)))""";
        var e = Assert.Throws<PluginException>(() =>
        {
            using var plugin = TestPlugins.Runtime.Compile(TestPlugins.Wat(Wat));
            using var instance = plugin.Instantiate();
        });
        Assert.True(e.Kind is PluginErrorKind.BadModule or PluginErrorKind.MissingImport, $"got {e.Kind}: {e.Message}");
        Assert.Contains("extism:host/env::alloc", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Calling_a_disposed_instance_fails_with_Disposed()
    {
        var instance = NewInstance();
        StillWorks(instance);
        instance.Dispose();
        instance.Dispose(); // twice is fine
        var e = TestPlugins.Fails(PluginErrorKind.Disposed, () => instance.Call("ok", []));
        Assert.Equal("ok", e.ExportName);
        TestPlugins.Fails(PluginErrorKind.Disposed, () => instance.Call("ok", []));
    }

    [Fact]
    public void Disposing_an_instance_leaves_the_others_of_the_plugin_working()
    {
        var first = NewInstance();
        using var second = NewInstance();
        first.Dispose();
        StillWorks(second);
        using var third = NewInstance();
        StillWorks(third);
    }

    [Fact]
    public void Every_kind_of_failure_in_a_row_leaves_the_instance_working()
    {
        using var plugin = Compile(WatManifest with { Memory = new ManifestMemory { MaxPages = 30 } });
        using var instance = plugin.Instantiate();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var failures = new (PluginErrorKind Kind, Action Call)[]
        {
            (PluginErrorKind.Trap, () => instance.Call("trap", [])),
            (PluginErrorKind.PluginError, () => instance.Call("fail", [])),
            (PluginErrorKind.NonZeroExitCode, () => instance.Call("exit7", [])),
            (PluginErrorKind.Timeout, () => instance.Call("loop", [], new CallOptions { Deadline = DateTimeOffset.UtcNow.AddMilliseconds(100) })),
            (PluginErrorKind.Cancelled, () => instance.Call("loop", [], cancelled.Token)),
            (PluginErrorKind.OutOfFuel, () => instance.Call("loop", [], new CallOptions { Fuel = 5000 })),
            (PluginErrorKind.ExportNotFound, () => instance.Call("nope", [])),
            (PluginErrorKind.Trap, () => instance.Call("stack_overflow", [])),
            (PluginErrorKind.OutOfMemory, () => instance.Call("ok", new byte[4 << 20])),
            (PluginErrorKind.OutOfMemory, () => instance.Call("grow", [])),
        };
        foreach (var (kind, call) in failures)
        {
            TestPlugins.Fails(kind, call);
            StillWorks(instance);
        }
        Assert.Equal(Encoding.UTF8.GetBytes("ok"), instance.Call("spin", TestPlugins.Arg(1000)));
    }

    [Fact]
    public void Failures_say_whether_the_caller_or_the_plugin_is_at_fault()
    {
        using var plugin = TestPlugins.CompileDist("trap");
        var instance = plugin.Instantiate();

        Assert.Equal(PluginErrorOrigin.Caller, TestPlugins.Fails(PluginErrorKind.ExportNotFound, () => instance.Call("nope", [])).Origin);
        Assert.Equal(PluginErrorOrigin.Plugin, TestPlugins.Fails(PluginErrorKind.Trap, () => instance.Call("trap", [])).Origin);
        instance.Dispose();
        Assert.Equal(PluginErrorOrigin.Caller, TestPlugins.Fails(PluginErrorKind.Disposed, () => instance.Call("trap", [])).Origin);
    }
}
