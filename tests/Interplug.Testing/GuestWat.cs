namespace Interplug.Testing;

/// <summary>WebAssembly text that the test plugins of several projects share.</summary>
public static class GuestWat
{
    /// <summary>
    /// <c>$str(ptr, len) -> handle</c>: copies <c>len</c> bytes of the plugin's own memory at
    /// <c>ptr</c> into a new kernel block, byte by byte. Needs the <c>alloc</c> and <c>store_u8</c>
    /// imports as <c>$alloc</c> and <c>$store_u8</c>, and a plugin memory.
    /// </summary>
    public const string Str = """
          (func $str (param $p i32) (param $n i32) (result i64)
            (local $h i64) (local $i i32)
            (local.set $h (call $alloc (i64.extend_i32_u (local.get $n))))
            (block $done (loop $next
              (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
              (call $store_u8 (i64.add (local.get $h) (i64.extend_i32_u (local.get $i)))
                              (i32.load8_u (i32.add (local.get $p) (local.get $i))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $next)))
            (local.get $h))

        """;
}
