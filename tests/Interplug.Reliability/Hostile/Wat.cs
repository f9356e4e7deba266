namespace Interplug.Reliability.Hostile;

/// <summary>Building blocks for the corpus's WAT plugins.</summary>
internal static class Wat
{
    /// <summary>Kernel and inter-plugin imports. <c>$str</c> (in <see cref="Helpers"/>) copies bytes of the plugin's memory into a new kernel block.</summary>
    public const string Prelude = """
        (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
        (import "extism:host/env" "free" (func $free (param i64)))
        (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
        (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
        (import "extism:host/user" "register_plugin" (func $register (param i64) (result i64)))
        (import "extism:host/user" "call_plugin" (func $call (param i64 i64 i64) (result i64)))
        (import "extism:host/user" "free_plugin" (func $free_plugin (param i64) (result i64)))
        """;

    /// <summary>The plugin's memory and <c>$str</c>.</summary>
    public const string Helpers = """
        (memory (export "memory") 1)
        (func $str (param $off i32) (param $len i32) (result i64)
          (local $h i64) (local $i i32)
          (local.set $h (call $alloc (i64.extend_i32_u (local.get $len))))
          (block $d (loop $l (br_if $d (i32.ge_u (local.get $i) (local.get $len)))
            (call $store_u8 (i64.add (local.get $h) (i64.extend_i32_u (local.get $i)))
                            (i32.load8_u (i32.add (local.get $off) (local.get $i))))
            (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))
          (local.get $h))
        """;

    /// <summary>A module: the prelude's imports, <paramref name="imports"/>, its helpers, then <paramref name="body"/>.</summary>
    public static string Module(string body, string imports = "") => $"(module {Prelude} {imports} {Helpers} {body})";
}
