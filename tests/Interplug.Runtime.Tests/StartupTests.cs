using Interplug.Runtime.Manifests;

namespace Interplug.Runtime.Tests;

/// <summary>
/// Start-up once per instance: hs_init (after _initialize), else __wasm_call_ctors or
/// _initialize; _start never runs by itself; a start section runs at instantiation. Each
/// module records what ran in a global that the <c>trace</c> export outputs.
/// </summary>
public sealed class StartupTests
{
    /// <summary>A module whose functions append a digit to $trace (trace = trace * 10 + digit).</summary>
    private static string Traced(string body) => TestPlugins.Module($$"""
          (global $trace (mut i64) (i64.const 0))
          (func $mark (param $digit i64)
            (global.set $trace (i64.add (i64.mul (global.get $trace) (i64.const 10)) (local.get $digit))))
          (func (export "trace") (result i32)
            (call $out_i64 (global.get $trace)) (i32.const 0))
          {{body}}
        """);

    private static long TraceAfterInstantiation(string body, int calls = 2)
    {
        using var plugin = TestPlugins.CompileWat(Traced(body));
        using var instance = plugin.Instantiate();
        var trace = instance.CallI64("trace");
        for (var i = 1; i < calls; i++)
            Assert.Equal(trace, instance.CallI64("trace")); // start-up does not run again per call
        return trace;
    }

    [Fact]
    public void Initialize_runs_once()
    {
        Assert.Equal(1, TraceAfterInstantiation("""(func (export "_initialize") (call $mark (i64.const 1)))"""));
    }

    [Fact]
    public void Wasm_call_ctors_runs_once()
    {
        Assert.Equal(3, TraceAfterInstantiation("""(func (export "__wasm_call_ctors") (call $mark (i64.const 3)))"""));
    }

    [Fact]
    public void Only_one_of_wasm_call_ctors_and_initialize_runs()
    {
        var trace = TraceAfterInstantiation("""
              (func (export "_initialize") (call $mark (i64.const 1)))
              (func (export "__wasm_call_ctors") (call $mark (i64.const 3)))
            """);
        Assert.True(trace is 1 or 3, $"trace {trace}");
    }

    [Fact]
    public void Hs_init_runs_once_after_initialize_with_no_arguments()
    {
        Assert.Equal(12, TraceAfterInstantiation("""
              (func (export "_initialize") (call $mark (i64.const 1)))
              (func (export "hs_init") (param $argc i32) (param $argv i32)
                (call $mark (i64.const 2))
                ;; a 9 would show non-zero arguments
                (if (i32.or (local.get $argc) (local.get $argv)) (then (call $mark (i64.const 9)))))
            """, calls: 3));
    }

    [Fact]
    public void Hs_init_runs_without_initialize()
    {
        Assert.Equal(2, TraceAfterInstantiation("""(func (export "hs_init") (param i32 i32) (call $mark (i64.const 2)))"""));
    }

    [Fact]
    public void Hs_init_replaces_wasm_call_ctors()
    {
        Assert.Equal(2, TraceAfterInstantiation("""
              (func (export "__wasm_call_ctors") (call $mark (i64.const 3)))
              (func (export "hs_init") (param i32 i32) (call $mark (i64.const 2)))
            """));
    }

    [Fact]
    public void Start_is_never_run_automatically_but_can_be_called()
    {
        using var plugin = TestPlugins.CompileWat(Traced("""(func (export "_start") (call $mark (i64.const 5)))"""));
        using var instance = plugin.Instantiate();
        Assert.Equal(0, instance.CallI64("trace"));
        instance.Call("_start", []);
        Assert.Equal(5, instance.CallI64("trace"));
    }

    [Fact]
    public void A_start_section_runs_at_instantiation_before_initialize()
    {
        Assert.Equal(41, TraceAfterInstantiation("""
              (func $start (call $mark (i64.const 4)))
              (start $start)
              (func (export "_initialize") (call $mark (i64.const 1)))
            """));
    }

    [Fact]
    public void An_initializer_of_the_wrong_type_is_not_called()
    {
        Assert.Equal(0, TraceAfterInstantiation("""(func (export "_initialize") (param i32) (call $mark (i64.const 1)))"""));
    }

    [Fact]
    public void Every_instance_runs_its_own_start_up()
    {
        using var plugin = TestPlugins.CompileWat(Traced("""(func (export "_initialize") (call $mark (i64.const 1)))"""));
        using var first = plugin.Instantiate();
        using var second = plugin.Instantiate();
        Assert.Equal(1, first.CallI64("trace"));
        Assert.Equal(1, second.CallI64("trace"));
    }

    [Fact]
    public void Start_up_code_can_use_vars_and_config()
    {
        const string Body = """
              (data (i32.const 0) "key")
              (func (export "_initialize")
                (call $var_set (call $str (i32.const 0) (i32.const 3)) (call $config_get (call $str (i32.const 0) (i32.const 3)))))
              (func (export "get") (result i32)
                (call $out_block (call $var_get (call $str (i32.const 0) (i32.const 3)))) (i32.const 0))
            """;
        using var plugin = TestPlugins.Runtime.Compile(TestPlugins.Wat(Traced(Body)) with { Config = new Dictionary<string, string> { ["key"] = "from config" } });
        using var instance = plugin.Instantiate();
        Assert.Equal("from config", instance.CallText("get"));
    }

    [Fact]
    public void A_trap_in_start_up_fails_instantiation_with_Trap()
    {
        using var plugin = TestPlugins.CompileWat(Traced("""(func (export "_initialize") unreachable)"""));
        TestPlugins.Fails(PluginErrorKind.Trap, () => plugin.Instantiate().Dispose());
        TestPlugins.Fails(PluginErrorKind.Trap, () => plugin.Instantiate().Dispose());
    }

    [Fact]
    public void A_trap_in_a_start_section_fails_instantiation()
    {
        using var plugin = TestPlugins.CompileWat(Traced("""(func $start unreachable) (start $start)"""));
        var e = Assert.Throws<PluginException>(() => plugin.Instantiate().Dispose());
        Assert.True(e.Kind is PluginErrorKind.Trap or PluginErrorKind.BadModule, $"got {e.Kind}: {e.Message}");
    }

    [Fact]
    public void An_endless_start_up_is_stopped_by_the_timeout()
    {
        const string Body = """(func (export "_initialize") (loop $forever (br $forever)))""";
        using var plugin = TestPlugins.Runtime.Compile(TestPlugins.Wat(Traced(Body)) with { TimeoutMs = 100 });
        TestPlugins.Fails(PluginErrorKind.Timeout, () => plugin.Instantiate().Dispose());
    }

    [Fact]
    public void Start_up_is_not_limited_by_fuel_but_calls_are()
    {
        // Start-up is not a call: it gets the manifest's timeout but not FuelPerCall.
        const string Body = """
              (func $spin (param $n i64)
                (loop $next
                  (local.set $n (i64.sub (local.get $n) (i64.const 1)))
                  (br_if $next (i64.gt_s (local.get $n) (i64.const 0)))))
              (func (export "__wasm_call_ctors") (call $spin (i64.const 100000)) (call $mark (i64.const 3)))
              (func (export "spin") (result i32) (call $spin (i64.const 100000)) (i32.const 0))
            """;
        using var plugin = TestPlugins.CompileWat(Traced(Body), new PluginOptions { FuelPerCall = 10_000 });
        using var instance = plugin.Instantiate();
        Assert.Equal(3, instance.CallI64("trace"));
        TestPlugins.Fails(PluginErrorKind.OutOfFuel, () => instance.Call("spin", []));
    }

    [Fact]
    public void Start_up_that_grows_memory_past_the_budget_fails_with_OutOfMemory()
    {
        const string Body = """
              (func (export "_initialize")
                (loop $more (br_if $more (i32.ge_s (memory.grow (i32.const 1)) (i32.const 0))))
                unreachable)
            """;
        using var plugin = TestPlugins.Runtime.Compile(TestPlugins.Wat(Traced(Body)) with { Memory = new ManifestMemory { MaxPages = 10 } });
        TestPlugins.Fails(PluginErrorKind.OutOfMemory, () => plugin.Instantiate().Dispose());
    }
}
