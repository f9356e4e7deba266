namespace Interplug.Runtime.Tests;

/// <summary>
/// <see cref="PluginOptions.ImportResolver"/> provides, at compile time, imports nothing else
/// provides; <see cref="CompiledPlugin.Imports"/> lists what the host provides.
/// </summary>
public sealed class ImportResolverTests
{
    private static readonly string ClockModule = TestPlugins.Module("""
          (func (export "now") (result i32)
            (call $out_i64 (call $now (i64.const 5))) (i32.const 0))
        """, """(import "clock" "now" (func $now (param i64) (result i64)))""");

    [Fact]
    public void A_resolved_import_is_called_like_a_host_function()
    {
        var asked = new List<string>();
        using var plugin = TestPlugins.CompileWat(ClockModule, new PluginOptions
        {
            ImportResolver = import =>
            {
                asked.Add($"{import} {import.Signature}");
                return HostFunction.FromMethod(import.Name, (CurrentPlugin _, long x) => x * 100).WithModule(import.Module);
            },
        });
        using var instance = plugin.Instantiate();

        Assert.Equal(500, instance.CallI64("now"));
        Assert.Equal(["clock::now (i64) -> i64"], asked);
    }

    [Fact]
    public void The_resolver_is_asked_only_for_imports_nothing_else_provides()
    {
        var asked = new List<string>();
        using var plugin = TestPlugins.CompileWat(TestPlugins.Module("""(func (export "run") (result i32) (i32.const 0))""",
            """(import "extism:host/user" "host" (func $host (param i64) (result i64)))"""), new PluginOptions
        {
            HostFunctions = [HostFunction.FromMethod("host", (CurrentPlugin _, long x) => x)],
            ImportResolver = import =>
            {
                asked.Add(import.ToString());
                return null;
            },
        });

        Assert.Empty(asked);
    }

    [Fact]
    public void An_import_the_resolver_declines_is_missing()
    {
        var e = TestPlugins.Fails(PluginErrorKind.MissingImport,
            () => TestPlugins.CompileWat(ClockModule, new PluginOptions { ImportResolver = _ => null }));

        Assert.Equal("clock::now", e.ImportName);
    }

    [Fact]
    public void A_resolver_refuses_a_module_by_throwing()
    {
        var e = TestPlugins.Fails(PluginErrorKind.BadModule, () => TestPlugins.CompileWat(ClockModule, new PluginOptions
        {
            ImportResolver = import => throw new PluginException(PluginErrorKind.BadModule, "no clocks here") { ImportName = import.ToString() },
        }));

        Assert.Equal("clock::now", e.ImportName);
    }

    [Fact]
    public void A_function_of_another_name_is_api_misuse()
    {
        var e = Assert.Throws<ArgumentException>(() => TestPlugins.CompileWat(ClockModule, new PluginOptions
        {
            ImportResolver = _ => HostFunction.FromMethod("later", (CurrentPlugin _, long x) => x).WithModule("clock"),
        }));

        Assert.Contains("PluginOptions.ImportResolver returned host function clock::later for the function import clock::now", e.Message);
    }

    [Fact]
    public void Imports_lists_what_the_host_provides_once_each_with_its_type()
    {
        using var plugin = TestPlugins.CompileWat("""
            (module
              (import "extism:host/env" "input_offset" (func (result i64)))
              (import "extism:host/env" "input_offset" (func (result i64)))
              (import "extism:host/env" "store_u8" (func (param i64 i32)))
              (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
              (func (export "run") (result i32) (i32.const 0)))
            """, new PluginOptions { Wasi = true });

        Assert.Equal(
            ["extism:host/env::input_offset () -> i64", "extism:host/env::store_u8 (i64, i32) -> ()", "wasi_snapshot_preview1::fd_write (i32, i32, i32, i32) -> i32"],
            plugin.Imports.Select(i => $"{i} {i.Signature}"));
    }

    [Fact]
    public void An_import_of_vectors_and_references_is_listed_with_those_types_and_matched_by_them()
    {
        var asked = new List<PluginImport>();
        var e = TestPlugins.Fails(PluginErrorKind.MissingImport, () => TestPlugins.CompileWat("""
            (module
              (import "simd" "mix" (func (param v128 funcref) (result externref)))
              (func (export "run") (result i32) (i32.const 0)))
            """, new PluginOptions
        {
            ImportResolver = import =>
            {
                asked.Add(import);
                return null;
            },
        }));

        var mix = Assert.Single(asked);
        Assert.Equal("(v128, funcref) -> externref", mix.Signature);
        Assert.True(mix.IsFunction([WasmValueType.V128, WasmValueType.FuncRef], [WasmValueType.ExternRef]));
        Assert.False(mix.IsFunction([WasmValueType.I64, WasmValueType.FuncRef], [WasmValueType.ExternRef]));
        Assert.Equal("simd::mix", e.ImportName);
    }
}
