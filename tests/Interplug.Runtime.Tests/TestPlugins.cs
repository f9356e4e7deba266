using System.Buffers.Binary;
using System.Text;
using Interplug.Runtime.Manifests;

namespace Interplug.Runtime.Tests;

/// <summary>
/// Shared helpers: the repository root, the built guest plugins in plugins/dist, and small WAT
/// plugins compiled in-process. One runtime serves every test that needs no special runtime options.
/// </summary>
internal static class TestPlugins
{
    private static readonly Lazy<PluginRuntime> SharedRuntime = new(() => new PluginRuntime(new PluginRuntimeOptions { HttpClient = LocalOnlyHttp.Create() }));

    /// <summary>The directory holding Interplug.slnx.</summary>
    public static string RepoRoot => RepoPaths.Root;

    /// <summary>A runtime shared by the tests: no logging, HTTP to 127.0.0.1 only. Never disposed.</summary>
    public static PluginRuntime Runtime => SharedRuntime.Value;

    /// <summary>Every <c>extism:host/env</c> import, each bound to <c>$name</c>.</summary>
    public const string EnvImports = """
          (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
          (import "extism:host/env" "free" (func $free (param i64)))
          (import "extism:host/env" "length" (func $length (param i64) (result i64)))
          (import "extism:host/env" "length_unsafe" (func $length_unsafe (param i64) (result i64)))
          (import "extism:host/env" "load_u8" (func $load_u8 (param i64) (result i32)))
          (import "extism:host/env" "load_u64" (func $load_u64 (param i64) (result i64)))
          (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
          (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
          (import "extism:host/env" "input_length" (func $input_length (result i64)))
          (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
          (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
          (import "extism:host/env" "input_load_u64" (func $input_load_u64 (param i64) (result i64)))
          (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
          (import "extism:host/env" "error_set" (func $error_set (param i64)))
          (import "extism:host/env" "error_get" (func $error_get (result i64)))
          (import "extism:host/env" "config_get" (func $config_get (param i64) (result i64)))
          (import "extism:host/env" "var_get" (func $var_get (param i64) (result i64)))
          (import "extism:host/env" "var_set" (func $var_set (param i64 i64)))
          (import "extism:host/env" "http_request" (func $http_request (param i64 i64) (result i64)))
          (import "extism:host/env" "http_status_code" (func $http_status_code (result i32)))
          (import "extism:host/env" "http_headers" (func $http_headers (result i64)))
          (import "extism:host/env" "log_trace" (func $log_trace (param i64)))
          (import "extism:host/env" "log_debug" (func $log_debug (param i64)))
          (import "extism:host/env" "log_info" (func $log_info (param i64)))
          (import "extism:host/env" "log_warn" (func $log_warn (param i64)))
          (import "extism:host/env" "log_error" (func $log_error (param i64)))
          (import "extism:host/env" "get_log_level" (func $get_log_level (result i32)))

        """;

    /// <summary>
    /// Helpers over the plugin's own memory (which the module must declare):
    /// <c>$str(ptr, len)</c> copies plugin bytes into a new block; <c>$out_i64(v)</c> outputs v as
    /// 8 little-endian bytes; <c>$out2(a, b)</c> outputs two such values (16 bytes); <c>$out_block(h)</c> outputs a whole block; <c>$out_str(ptr, len)</c>
    /// outputs plugin bytes; <c>$arg</c> is the first 8 input bytes as an i64; <c>$input_copy</c> copies
    /// the input into a new block, as a PDK allocates a key; <c>$fill(h, n, v)</c> sets n bytes from h to v.
    /// </summary>
    public const string Helpers = GuestWat.Str + """
          (func $out_i64 (param $v i64)
            (local $h i64)
            (local.set $h (call $alloc (i64.const 8)))
            (call $store_u64 (local.get $h) (local.get $v))
            (call $output_set (local.get $h) (i64.const 8)))
          (func $out2 (param $a i64) (param $b i64)
            (local $h i64)
            (local.set $h (call $alloc (i64.const 16)))
            (call $store_u64 (local.get $h) (local.get $a))
            (call $store_u64 (i64.add (local.get $h) (i64.const 8)) (local.get $b))
            (call $output_set (local.get $h) (i64.const 16)))
          (func $out_block (param $h i64)
            (call $output_set (local.get $h) (call $length (local.get $h))))
          (func $out_str (param $p i32) (param $n i32)
            (call $out_block (call $str (local.get $p) (local.get $n))))
          (func $arg (result i64)
            (call $input_load_u64 (i64.const 0)))
          (func $fill (param $h i64) (param $n i64) (param $v i32)
            (local $i i64)
            (block $done (loop $next
              (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
              (call $store_u8 (i64.add (local.get $h) (local.get $i)) (local.get $v))
              (local.set $i (i64.add (local.get $i) (i64.const 1)))
              (br $next))))
          (func $input_copy (result i64)
            (local $h i64) (local $n i64) (local $i i64)
            (local.set $n (call $input_length))
            (local.set $h (call $alloc (local.get $n)))
            (block $done (loop $next
              (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
              (call $store_u8 (i64.add (local.get $h) (local.get $i)) (call $input_load_u8 (local.get $i)))
              (local.set $i (i64.add (local.get $i) (i64.const 1)))
              (br $next)))
            (local.get $h))

        """;

    /// <summary>A module with every env import, <paramref name="imports"/>, one page of memory, the helpers, and <paramref name="body"/>.</summary>
    public static string Module(string body, string imports = "") =>
        "(module\n" + EnvImports + imports + "\n  (memory (export \"memory\") 1)\n" + Helpers + body + "\n)";

    /// <summary>A manifest for WebAssembly text.</summary>
    public static Manifest Wat(string wat, string? name = null) => Manifest.FromBytes(Encoding.UTF8.GetBytes(wat), name);

    /// <summary>Compiles WebAssembly text on the shared runtime.</summary>
    public static CompiledPlugin CompileWat(string wat, PluginOptions? options = null) => Runtime.Compile(Wat(wat), options);

    /// <summary>Compiles <see cref="Module"/>(<paramref name="body"/>) on the shared runtime.</summary>
    public static CompiledPlugin CompileModule(string body, PluginOptions? options = null) => CompileWat(Module(body), options);

    /// <summary>Compiles <see cref="Module"/>(<paramref name="body"/>, <paramref name="imports"/>) on the shared runtime.</summary>
    public static CompiledPlugin CompileModule(string body, string imports, PluginOptions? options = null) => CompileWat(Module(body, imports), options);

    /// <summary>The path of plugins/dist/<paramref name="name"/>.wasm.</summary>
    public static string DistPath(string name)
    {
        var path = Path.Combine(RepoPaths.PluginsDist, name + ".wasm");
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} is missing; build the plugins with `make -C plugins`", path);
        return path;
    }

    /// <summary>The bytes of plugins/dist/<paramref name="name"/>.wasm.</summary>
    public static byte[] DistBytes(string name) => File.ReadAllBytes(DistPath(name));

    /// <summary>A manifest for plugins/dist/<paramref name="name"/>.wasm.</summary>
    public static Manifest Dist(string name) => Manifest.FromWasmFile(DistPath(name));

    /// <summary>Compiles plugins/dist/<paramref name="name"/>.wasm on the shared runtime.</summary>
    public static CompiledPlugin CompileDist(string name, PluginOptions? options = null) => Runtime.Compile(Dist(name), options);

    /// <summary>Output bytes as UTF-8 text.</summary>
    public static string Text(byte[] output) => Encoding.UTF8.GetString(output);

    /// <summary>An output written by <c>$out_i64</c>.</summary>
    public static long I64(byte[] output)
    {
        Assert.Equal(8, output.Length);
        return BinaryPrimitives.ReadInt64LittleEndian(output);
    }

    /// <summary>An i64 as the 8 little-endian input bytes <c>$arg</c> reads.</summary>
    public static byte[] Arg(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }

    /// <summary>Calls an export whose output is an i64 written by <c>$out_i64</c>.</summary>
    public static long CallI64(this PluginInstance instance, string export, ReadOnlySpan<byte> input = default) =>
        I64(instance.Call(export, input));

    /// <summary>Calls an export with an i64 argument (read by <c>$arg</c>) and returns its i64 output.</summary>
    public static long CallI64(this PluginInstance instance, string export, long argument) =>
        I64(instance.Call(export, Arg(argument)));

    /// <summary>Calls an export and returns its output as text.</summary>
    public static string CallText(this PluginInstance instance, string export, string input = "") =>
        Text(instance.Call(export, Encoding.UTF8.GetBytes(input)));

    /// <summary>Asserts that the action throws a <see cref="PluginException"/> of the given kind and returns it.</summary>
    public static PluginException Fails(PluginErrorKind kind, Action action)
    {
        var e = Assert.Throws<PluginException>(action);
        Assert.True(e.Kind == kind, $"expected {kind}, got {e.Kind}: {e.Message}");
        return e;
    }

    /// <summary>A fresh temporary directory, deleted when disposed.</summary>
    public static TempDir TempDir() => new();
}
