namespace Interplug.Cli.Tests;

/// <summary>A WASI plugin in the text format: prints to its stdout, and writes and reads files in the first preopen (fd 3).</summary>
internal static class WasiPlugin
{
    public const string Wat = $"""
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
          (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
          (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
          (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
          (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
          (memory (export "memory") 1)
          (data (i32.const 0) "SECRET-WASI-STDOUT\n")
          (data (i32.const 32) "printed")
          (data (i32.const 48) "written")
          (data (i32.const 64) "denied")
          (data (i32.const 80) "out.txt")
          (data (i32.const 96) "in.txt")
          (data (i32.const 112) "unreadable")
          (data (i32.const 128) "file content\n")
          ;; 256: iovec, 264: count, 272: fd, 1024: read buffer

          {GuestWat.Str}
          (func $out (param $p i32) (param $n i32)
            (call $output_set (call $str (local.get $p) (local.get $n)) (i64.extend_i32_u (local.get $n))))
          (func $iovec (param $p i32) (param $n i32)
            (i32.store (i32.const 256) (local.get $p))
            (i32.store (i32.const 260) (local.get $n)))

          (func (export "print") (result i32)
            (call $iovec (i32.const 0) (i32.const 19))
            (drop (call $fd_write (i32.const 1) (i32.const 256) (i32.const 1) (i32.const 264)))
            (call $out (i32.const 32) (i32.const 7))
            (i32.const 0))

          (func (export "write_file") (result i32)
            (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 80) (i32.const 7)
                  (i32.const 9) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 272))
              (then (call $out (i32.const 64) (i32.const 6)) (return (i32.const 0))))
            (call $iovec (i32.const 128) (i32.const 13))
            (if (call $fd_write (i32.load (i32.const 272)) (i32.const 256) (i32.const 1) (i32.const 264))
              (then (call $out (i32.const 64) (i32.const 6)) (return (i32.const 0))))
            (drop (call $fd_close (i32.load (i32.const 272))))
            (call $out (i32.const 48) (i32.const 7))
            (i32.const 0))

          (func (export "read_file") (result i32)
            (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 96) (i32.const 6)
                  (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 272))
              (then (call $out (i32.const 112) (i32.const 10)) (return (i32.const 0))))
            (call $iovec (i32.const 1024) (i32.const 1024))
            (drop (call $fd_read (i32.load (i32.const 272)) (i32.const 256) (i32.const 1) (i32.const 264)))
            (call $out (i32.const 1024) (i32.load (i32.const 264)))
            (i32.const 0)))
        """;
}
