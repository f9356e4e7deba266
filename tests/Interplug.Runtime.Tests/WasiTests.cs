using System.Buffers.Binary;
using Interplug.Runtime.Manifests;

namespace Interplug.Runtime.Tests;

/// <summary>
/// WASI preview 1 on request only: without it a WASI import is missing; with it stdio is
/// discarded unless inherited, <c>allowed_paths</c> become preopens (fd 3 is the first), the
/// <c>ro:</c> prefix makes one read-only, and proc_exit sets the exit code.
/// </summary>
public sealed class WasiTests
{
    private const string Imports = """
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
          (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
        """;

    // Memory: 0 "ok"; 16 the text to write (16 bytes); 64 "out.txt"; 80 "in.txt"; 128 an iovec;
    // 144 bytes written or read; 160 the opened fd; 1024 a read buffer of 256 bytes.
    private const string Body = """
          (data (i32.const 0) "ok")
          (data (i32.const 16) "written by wasm\n")
          (data (i32.const 64) "out.txt")
          (data (i32.const 80) "in.txt")

          (func $iovec (param $ptr i32) (param $len i32)
            (i32.store (i32.const 128) (local.get $ptr))
            (i32.store (i32.const 132) (local.get $len)))

          (func (export "ok") (result i32)
            (call $out_str (i32.const 0) (i32.const 2)) (i32.const 0))

          ;; writes the text to stdout; outputs (errno, bytes written)
          (func (export "stdout") (result i32)
            (local $errno i32)
            (call $iovec (i32.const 16) (i32.const 16))
            (local.set $errno (call $fd_write (i32.const 1) (i32.const 128) (i32.const 1) (i32.const 144)))
            (call $out2 (i64.extend_i32_u (local.get $errno)) (i64.extend_i32_u (i32.load (i32.const 144))))
            (i32.const 0))

          ;; creates out.txt in the first preopen (fd 3) and writes the text to it;
          ;; outputs (errno of path_open, errno of fd_write or -1 when not attempted)
          (func (export "write_file") (result i32)
            (local $open i32) (local $write i64)
            (local.set $write (i64.const -1))
            (local.set $open (call $path_open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 7)
              (i32.const 9) ;; O_CREAT | O_TRUNC
              (i64.const 64) ;; FD_WRITE
              (i64.const 0) (i32.const 0) (i32.const 160)))
            (if (i32.eqz (local.get $open))
              (then
                (call $iovec (i32.const 16) (i32.const 16))
                (local.set $write (i64.extend_i32_u
                  (call $fd_write (i32.load (i32.const 160)) (i32.const 128) (i32.const 1) (i32.const 144))))
                (drop (call $fd_close (i32.load (i32.const 160))))))
            (call $out2 (i64.extend_i32_u (local.get $open)) (local.get $write))
            (i32.const 0))

          ;; outputs the content of in.txt in the first preopen; returns 100 + errno on failure
          (func (export "read_file") (result i32)
            (local $errno i32)
            (local.set $errno (call $path_open (i32.const 3) (i32.const 0) (i32.const 80) (i32.const 6)
              (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 160))) ;; FD_READ
            (if (local.get $errno) (then (return (i32.add (i32.const 100) (local.get $errno)))))
            (call $iovec (i32.const 1024) (i32.const 256))
            (local.set $errno (call $fd_read (i32.load (i32.const 160)) (i32.const 128) (i32.const 1) (i32.const 144)))
            (if (local.get $errno) (then (return (i32.add (i32.const 200) (local.get $errno)))))
            (call $out_str (i32.const 1024) (i32.load (i32.const 144)))
            (i32.const 0))

          (func (export "exit7") (result i32)
            (call $proc_exit (i32.const 7)) (i32.const 0))
          (func (export "exit0") (result i32)
            (call $out_str (i32.const 0) (i32.const 2))
            (call $proc_exit (i32.const 0)) (i32.const 1))
        """;

    private static readonly string Wat = TestPlugins.Module(Body, Imports);

    private static readonly PluginOptions Wasi = new() { Wasi = true };

    private static CompiledPlugin Compile(IReadOnlyDictionary<string, string>? allowedPaths = null, PluginOptions? options = null) =>
        TestPlugins.Runtime.Compile(TestPlugins.Wat(Wat) with { AllowedPaths = allowedPaths ?? new Dictionary<string, string>() }, options ?? Wasi);

    private static (long A, long B) Two(byte[] output)
    {
        Assert.Equal(16, output.Length);
        return (BinaryPrimitives.ReadInt64LittleEndian(output), BinaryPrimitives.ReadInt64LittleEndian(output.AsSpan(8)));
    }

    [Fact]
    public void Without_WASI_a_WASI_import_is_missing()
    {
        var e = TestPlugins.Fails(PluginErrorKind.MissingImport, () => TestPlugins.Runtime.Compile(TestPlugins.Wat(Wat)));
        Assert.StartsWith("wasi_snapshot_preview1::", e.ImportName, StringComparison.Ordinal);
        Assert.Contains("WASI", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_WASI_the_plugin_runs_and_writing_to_stdout_succeeds()
    {
        using var plugin = Compile();
        using var instance = plugin.Instantiate();
        Assert.Equal((0, 16), Two(instance.Call("stdout", [])));
        Assert.Equal("ok", instance.CallText("ok")); // the output is the plugin's output only
    }

    [Fact]
    public void With_inherited_stdio_writing_to_stdout_succeeds()
    {
        using var plugin = Compile(options: new PluginOptions { Wasi = true, InheritStdio = true });
        using var instance = plugin.Instantiate();
        Assert.Equal((0, 16), Two(instance.Call("stdout", [])));
    }

    [Fact]
    public void A_writable_preopen_lets_the_plugin_create_a_file()
    {
        using var dir = TestPlugins.TempDir();
        var data = dir.Dir("data");
        using var plugin = Compile(new Dictionary<string, string> { [data] = "/data" });
        using var instance = plugin.Instantiate();
        Assert.Equal((0, 0), Two(instance.Call("write_file", [])));
        Assert.Equal("written by wasm\n", File.ReadAllText(Path.Combine(data, "out.txt")));
    }

    [Fact]
    public void A_read_only_preopen_refuses_writes_but_allows_reads()
    {
        using var dir = TestPlugins.TempDir();
        var data = dir.Dir("data");
        File.WriteAllText(Path.Combine(data, "in.txt"), "read me");
        using var plugin = Compile(new Dictionary<string, string> { ["ro:" + data] = "/data" });
        using var instance = plugin.Instantiate();

        var (open, write) = Two(instance.Call("write_file", []));
        Assert.NotEqual(0, open); // EPERM from path_open with O_CREAT and FD_WRITE
        Assert.Equal(-1, write);
        Assert.False(File.Exists(Path.Combine(data, "out.txt")));

        Assert.Equal("read me", instance.CallText("read_file"));
    }

    [Fact]
    public void Allowed_paths_from_manifest_json_are_relative_to_the_manifest()
    {
        using var dir = TestPlugins.TempDir();
        dir.Dir("rw");
        dir.Write("plugin.wasm", Wat);
        var path = dir.Write("manifest.json", """
            { "wasm": [ { "path": "plugin.wasm" } ], "allowed_paths": { "rw": "/rw" } }
            """);
        using var plugin = TestPlugins.Runtime.Compile(Manifest.FromFile(path), Wasi);
        using var instance = plugin.Instantiate();
        Assert.Equal((0, 0), Two(instance.Call("write_file", [])));
        Assert.True(File.Exists(dir.File("rw/out.txt")));
    }

    [Fact]
    public void Without_a_preopen_there_is_no_file_system()
    {
        using var plugin = Compile();
        using var instance = plugin.Instantiate();
        var (open, _) = Two(instance.Call("write_file", []));
        Assert.NotEqual(0, open);
        var e = TestPlugins.Fails(PluginErrorKind.NonZeroExitCode, () => instance.Call("read_file", []));
        Assert.InRange(e.ExitCode!.Value, 101, 199);
    }

    [Fact]
    public void Allowed_paths_without_WASI_is_an_invalid_manifest()
    {
        using var dir = TestPlugins.TempDir();
        var manifest = TestPlugins.Wat(TestPlugins.Module("")) with { AllowedPaths = new Dictionary<string, string> { [dir.Path] = "/data" } };
        TestPlugins.Fails(PluginErrorKind.InvalidManifest, () => TestPlugins.Runtime.Compile(manifest));
    }

    [Fact]
    public void An_allowed_path_that_is_not_a_directory_is_an_invalid_manifest()
    {
        using var dir = TestPlugins.TempDir();
        using var plugin = Compile(new Dictionary<string, string> { [dir.File("missing")] = "/data" });
        TestPlugins.Fails(PluginErrorKind.InvalidManifest, () => plugin.Instantiate().Dispose());
    }

    [Fact]
    public void Proc_exit_sets_the_exit_code()
    {
        using var plugin = Compile();
        using var instance = plugin.Instantiate();
        Assert.Equal(7, TestPlugins.Fails(PluginErrorKind.NonZeroExitCode, () => instance.Call("exit7", [])).ExitCode);
        Assert.Equal("ok", instance.CallText("exit0"));
        Assert.Equal("ok", instance.CallText("ok"));
    }
}
