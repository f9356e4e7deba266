using System.Globalization;
using System.Text;

namespace Interplug.Cli.Tests;

/// <summary>
/// Plugins, in the text format, whose logs, errors and export names try to forge CLI lines and
/// drive the terminal: CR LF, a fake <c>error (trap)</c> line, ESC[2J (clear screen) and the C1 CSI.
/// </summary>
internal static class ForgingPlugins
{
    public const string Forgery = "ok\r\nerror (trap): forged\u001b[2J\u009b";

    /// <summary>The forger's <c>fail</c>, exported once more under the forgery's own name.</summary>
    public static string ForgedExport => "fail" + Forgery;

    /// <summary><c>log</c> logs the forgery at warn and succeeds; <c>fail</c> fails with it as the error message.</summary>
    public static string Forger => $$"""
        (module
          (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
          (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
          (import "extism:host/env" "log_warn" (func $log_warn (param i64)))
          (import "extism:host/env" "error_set" (func $error_set (param i64)))
          (memory (export "memory") 1)
          (data (i32.const 0) "{{Data(Forgery)}}")
          {{GuestWat.Str}}
          (func (export "log") (result i32)
            (call $log_warn (call $str (i32.const 0) (i32.const {{Length(Forgery)}})))
            (i32.const 0))
          (func (export "fail") (export "{{Data(ForgedExport)}}") (result i32)
            (call $error_set (call $str (i32.const 0) (i32.const {{Length(Forgery)}})))
            (i32.const 1)))
        """;

    /// <summary><c>run</c> starts <c>forger</c> and calls its export named with the forgery, which fails.</summary>
    public static string Caller => $$"""
        (module
          (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
          (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
          (import "extism:host/user" "register_plugin" (func $register (param i64) (result i64)))
          (import "extism:host/user" "call_plugin" (func $call (param i64 i64 i64) (result i64)))
          (memory (export "memory") 1)
          (data (i32.const 0) "forger")
          (data (i32.const 16) "{{Data(ForgedExport)}}")
          {{GuestWat.Str}}
          (func (export "run") (result i32)
            (drop (call $call
              (call $register (call $str (i32.const 0) (i32.const 6)))
              (call $str (i32.const 16) (i32.const {{Length(ForgedExport)}}))
              (call $str (i32.const 0) (i32.const 0))))
            (i32.const 0)))
        """;

    private static int Length(string text) => Encoding.UTF8.GetByteCount(text);

    private static string Data(string text) =>
        string.Concat(Encoding.UTF8.GetBytes(text).Select(b => "\\" + b.ToString("x2", CultureInfo.InvariantCulture)));
}
