using System.Text;
using Interplug.Host.Catalog;
using Interplug.Host.Policy;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Host.Tests;

/// <summary>
/// Shared helpers: the repository root, the built plugins in plugins/dist, one runtime for every
/// host that needs no special runtime, the WAT <c>driver</c> plugin, and short ways to build
/// policies and run exports as text.
/// </summary>
internal static class TestHosts
{
    private static readonly Lazy<PluginRuntime> SharedRuntime = new(() => new PluginRuntime());

    /// <summary>The directory holding Interplug.slnx.</summary>
    public static string RepoRoot => RepoPaths.Root;

    /// <summary>plugins/dist, checked to hold the plugins the tests use.</summary>
    public static string Dist
    {
        get
        {
            var dist = RepoPaths.PluginsDist;
            foreach (var name in new[] { "relay", "echo", "run", "relay_c", "relay_rs", "count_vowels", "trap", "loop_forever", "memory_bomb", "fan_driver", "fanout", "fanout_c", "bulk", "bulk_c" })
            {
                if (!File.Exists(Path.Combine(dist, name + ".wasm")))
                    throw new FileNotFoundException($"{dist}/{name}.wasm is missing; build the plugins with `make build`");
            }
            return dist;
        }
    }

    /// <summary>The path of plugins/dist/<paramref name="name"/>.wasm.</summary>
    public static string DistPath(string name) => Path.Combine(Dist, name + ".wasm");

    /// <summary>A runtime shared by the hosts of the tests; never disposed.</summary>
    public static PluginRuntime Runtime => SharedRuntime.Value;

    /// <summary>A catalog of plugins/dist plus the WAT <c>driver</c>.</summary>
    public static PluginCatalog Catalog() => new PluginCatalog().AddDirectory(Dist).Add("driver", Driver);

    /// <summary><see cref="Catalog"/> plus the relay module under each of <paramref name="names"/>, to build chains of distinct processes.</summary>
    public static PluginCatalog CatalogWithRelayAs(params string[] names)
    {
        var catalog = Catalog();
        foreach (var name in names)
            catalog.Add(name, Manifest.FromWasmFile(DistPath("relay")));
        return catalog;
    }

    /// <summary>A host over <see cref="Catalog"/> (or <paramref name="catalog"/>) on the shared runtime.</summary>
    public static PluginHost Host(PluginPolicy? policy = null, PluginCatalog? catalog = null, bool keepChildren = false, int? maxLiveInstances = null)
    {
        var options = new PluginHostOptions
        {
            Catalog = catalog ?? Catalog(),
            Policy = policy ?? PluginPolicy.AllowAll,
            KeepChildrenBetweenCalls = keepChildren,
        };
        if (maxLiveInstances is { } max)
            options = options with { MaxLiveInstances = max };
        return new PluginHost(options, Runtime);
    }

    /// <summary>A policy of these rules, in this order.</summary>
    public static PluginPolicy Policy(params (string Key, PolicyRule Rule)[] rules)
    {
        var plugins = new Dictionary<string, PolicyRule>();
        foreach (var (key, rule) in rules)
            plugins.Add(key, rule);
        return new PluginPolicy { Plugins = plugins };
    }

    /// <summary>A rule that may spawn anything, with the given limits.</summary>
    public static PolicyRule SpawnAll => new() { Spawn = ["*"] };

    /// <summary>Runs an export with text input and returns the output as text.</summary>
    public static string RunText(this PluginHost host, string name, string export, string input = "", CancellationToken cancellationToken = default) =>
        Encoding.UTF8.GetString(host.Run(name, export, Encoding.UTF8.GetBytes(input), cancellationToken));

    /// <summary>Calls an export of a started process with text input and returns the output as text.</summary>
    public static string CallText(this PluginProcess process, string export, string input = "", CancellationToken cancellationToken = default) =>
        Encoding.UTF8.GetString(process.Call(export, Encoding.UTF8.GetBytes(input), cancellationToken));

    /// <summary>Asserts that the action throws a <see cref="PluginException"/> of the given kind and returns it.</summary>
    public static PluginException Fails(PluginErrorKind kind, Action action)
    {
        var e = Assert.Throws<PluginException>(action);
        Assert.True(e.Kind == kind, $"expected {kind}, got {e.Kind}: {e.Message}");
        return e;
    }

    /// <summary>Asserts that the action fails with the given kind before <paramref name="bound"/> has passed, a generous bound on a deadline it must keep.</summary>
    public static PluginException FailsWithin(TimeSpan bound, PluginErrorKind kind, Action action)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = Fails(kind, action);
        Assert.True(clock.Elapsed < bound, $"failed with {kind} only after {clock.Elapsed}, more than {bound}");
        return e;
    }

    /// <summary>The text a <c>try_*</c> failure of this kind starts with, as relay and driver print it.</summary>
    public static string ErrorPrefix(PluginErrorKind kind) => $"error {-(int)kind}: ";

    /// <summary>Waits (polling) until the condition holds; a hang guard, not a timing assertion.</summary>
    public static void WaitUntil(Func<bool> condition, string what)
    {
        var guard = DateTime.UtcNow.AddMinutes(1);
        while (!condition())
        {
            if (DateTime.UtcNow > guard)
                throw new TimeoutException($"gave up waiting until {what}");
            Thread.Sleep(5);
        }
    }

    /// <summary>
    /// The <c>driver</c> plugin, in WebAssembly text. Its input is <c>name export arg</c>: the
    /// plugin name up to the first space (any bytes, so also invalid UTF-8), the export up to the
    /// next space, and the rest as the argument. Exports:
    /// <list type="bullet">
    /// <item><c>chain</c>: register_plugin(name), call_plugin(export, arg), free_plugin; outputs the child's output.</item>
    /// <item><c>keep</c>: the same without free_plugin.</item>
    /// <item><c>try_chain</c>: the same through the try_* functions; a failure outputs <c>error &lt;status&gt;: &lt;last_error&gt;</c>.</item>
    /// <item><c>twice</c>: like try_chain but calls the child twice through the same handle; outputs <c>first|second</c>.</item>
    /// <item><c>call</c>: input <c>id export arg</c> with a decimal id; try_call_plugin on it; outputs the output or the error.</item>
    /// <item><c>free</c>: input a decimal id; outputs free_plugin(id).</item>
    /// <item><c>foreign</c>: registers echo, then relay, and asks relay to call id 1 (the driver's echo handle)
    /// through its call_id export, then calls echo itself; outputs <c>echoHandle|relay's output|echo's output</c>.</item>
    /// <item><c>last_error</c>: outputs the handle last_error() returns, in decimal (0: no error).</item>
    /// </list>
    /// Strings are copied from the plugin's own memory into kernel blocks with alloc and store_u8.
    /// </summary>
    public const string DriverWat = $"""
        (module
          (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
          (import "extism:host/env" "free" (func $kfree (param i64)))
          (import "extism:host/env" "length" (func $length (param i64) (result i64)))
          (import "extism:host/env" "load_u8" (func $load_u8 (param i64) (result i32)))
          (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
          (import "extism:host/env" "input_length" (func $input_length (result i64)))
          (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
          (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
          (import "extism:host/user" "register_plugin" (func $register (param i64) (result i64)))
          (import "extism:host/user" "call_plugin" (func $call (param i64 i64 i64) (result i64)))
          (import "extism:host/user" "free_plugin" (func $free_plugin (param i64) (result i64)))
          (import "extism:host/user" "try_register_plugin" (func $try_register (param i64) (result i64)))
          (import "extism:host/user" "try_call_plugin" (func $try_call (param i64 i64 i64) (result i64)))
          (import "extism:host/user" "last_error" (func $last_error (result i64)))
          (memory (export "memory") 2)
          (data (i32.const 0) "error ")
          (data (i32.const 8) ": ")
          (data (i32.const 12) "|")
          (data (i32.const 16) "echo")
          (data (i32.const 24) "relay")
          (data (i32.const 32) "call_id")
          (data (i32.const 40) "1 echo hi")
          ;; 64..96: digits; 1024..16383: input; 16384..: output
          (global $in_len (mut i32) (i32.const 0))
          (global $out_len (mut i32) (i32.const 0))
          (global $name_p (mut i32) (i32.const 0))
          (global $name_n (mut i32) (i32.const 0))
          (global $func_p (mut i32) (i32.const 0))
          (global $func_n (mut i32) (i32.const 0))
          (global $arg_p (mut i32) (i32.const 0))
          (global $arg_n (mut i32) (i32.const 0))

          ;; the first space at or after $from in the input, or the input's length
          (func $space (param $from i32) (result i32)
            (block $done (loop $next
              (br_if $done (i32.ge_u (local.get $from) (global.get $in_len)))
              (br_if $done (i32.eq (i32.load8_u (i32.add (i32.const 1024) (local.get $from))) (i32.const 32)))
              (local.set $from (i32.add (local.get $from) (i32.const 1)))
              (br $next)))
            (local.get $from))

          ;; reads the input and splits it into name, export and arg; empties the output
          (func $begin
            (local $i i32) (local $s i32) (local $a i32)
            (global.set $out_len (i32.const 0))
            (global.set $in_len (i32.wrap_i64 (call $input_length)))
            (block $done (loop $next
              (br_if $done (i32.ge_u (local.get $i) (global.get $in_len)))
              (i32.store8 (i32.add (i32.const 1024) (local.get $i))
                          (call $input_load_u8 (i64.extend_i32_u (local.get $i))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $next)))
            (local.set $s (call $space (i32.const 0)))
            (global.set $name_p (i32.const 1024))
            (global.set $name_n (local.get $s))
            (local.set $a (i32.add (local.get $s) (i32.const 1)))
            (if (i32.gt_u (local.get $a) (global.get $in_len)) (then (local.set $a (global.get $in_len))))
            (local.set $s (call $space (local.get $a)))
            (global.set $func_p (i32.add (i32.const 1024) (local.get $a)))
            (global.set $func_n (i32.sub (local.get $s) (local.get $a)))
            (local.set $a (i32.add (local.get $s) (i32.const 1)))
            (if (i32.gt_u (local.get $a) (global.get $in_len)) (then (local.set $a (global.get $in_len))))
            (global.set $arg_p (i32.add (i32.const 1024) (local.get $a)))
            (global.set $arg_n (i32.sub (global.get $in_len) (local.get $a))))

          ;; $str(p, n): a new kernel block holding n bytes of plugin memory at p
          {GuestWat.Str}
          (func $name (result i64) (call $str (global.get $name_p) (global.get $name_n)))
          (func $func (result i64) (call $str (global.get $func_p) (global.get $func_n)))
          (func $arg (result i64) (call $str (global.get $arg_p) (global.get $arg_n)))

          ;; appends plugin bytes to the output
          (func $put (param $p i32) (param $n i32)
            (memory.copy (i32.add (i32.const 16384) (global.get $out_len)) (local.get $p) (local.get $n))
            (global.set $out_len (i32.add (global.get $out_len) (local.get $n))))

          ;; appends a kernel block to the output and frees it
          (func $put_block (param $h i64)
            (local $n i32) (local $i i32)
            (if (i64.eqz (local.get $h)) (then (return)))
            (local.set $n (i32.wrap_i64 (call $length (local.get $h))))
            (block $done (loop $next
              (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
              (i32.store8 (i32.add (i32.const 16384) (i32.add (global.get $out_len) (local.get $i)))
                          (call $load_u8 (i64.add (local.get $h) (i64.extend_i32_u (local.get $i)))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $next)))
            (global.set $out_len (i32.add (global.get $out_len) (local.get $n)))
            (call $kfree (local.get $h)))

          ;; appends a decimal number
          (func $put_i64 (param $v i64)
            (local $p i32) (local $neg i32)
            (if (i64.lt_s (local.get $v) (i64.const 0))
              (then (local.set $neg (i32.const 1)) (local.set $v (i64.sub (i64.const 0) (local.get $v)))))
            (local.set $p (i32.const 96))
            (loop $next
              (local.set $p (i32.sub (local.get $p) (i32.const 1)))
              (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
              (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
              (br_if $next (i64.ne (local.get $v) (i64.const 0))))
            (if (local.get $neg) (then
              (local.set $p (i32.sub (local.get $p) (i32.const 1)))
              (i32.store8 (local.get $p) (i32.const 45))))
            (call $put (local.get $p) (i32.sub (i32.const 96) (local.get $p))))

          ;; parses plugin bytes as an unsigned decimal number
          (func $num (param $p i32) (param $n i32) (result i64)
            (local $v i64) (local $i i32)
            (block $done (loop $next
              (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
              (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 10))
                (i64.extend_i32_u (i32.sub (i32.load8_u (i32.add (local.get $p) (local.get $i))) (i32.const 48)))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $next)))
            (local.get $v))

          ;; "error <status>: <last_error>"
          (func $put_error (param $status i64)
            (call $put (i32.const 0) (i32.const 6))
            (call $put_i64 (local.get $status))
            (call $put (i32.const 8) (i32.const 2))
            (call $put_block (call $last_error)))

          ;; a try_call_plugin result: the output, or the error
          (func $put_result (param $r i64)
            (if (i64.lt_s (local.get $r) (i64.const 0))
              (then (call $put_error (local.get $r)))
              (else (call $put_block (local.get $r)))))

          (func $emit (result i32)
            (call $output_set (call $str (i32.const 16384) (global.get $out_len)) (i64.extend_i32_u (global.get $out_len)))
            (i32.const 0))

          (func (export "chain") (result i32)
            (local $id i64)
            (call $begin)
            (local.set $id (call $register (call $name)))
            (call $put_block (call $call (local.get $id) (call $func) (call $arg)))
            (drop (call $free_plugin (local.get $id)))
            (call $emit))

          (func (export "keep") (result i32)
            (call $begin)
            (call $put_block (call $call (call $register (call $name)) (call $func) (call $arg)))
            (call $emit))

          (func (export "try_chain") (result i32)
            (local $id i64)
            (call $begin)
            (local.set $id (call $try_register (call $name)))
            (if (i64.lt_s (local.get $id) (i64.const 0))
              (then (call $put_error (local.get $id)) (return (call $emit))))
            (call $put_result (call $try_call (local.get $id) (call $func) (call $arg)))
            (drop (call $free_plugin (local.get $id)))
            (call $emit))

          (func (export "twice") (result i32)
            (local $id i64)
            (call $begin)
            (local.set $id (call $try_register (call $name)))
            (if (i64.lt_s (local.get $id) (i64.const 0))
              (then (call $put_error (local.get $id)) (return (call $emit))))
            (call $put_result (call $try_call (local.get $id) (call $func) (call $arg)))
            (call $put (i32.const 12) (i32.const 1))
            (call $put_result (call $try_call (local.get $id) (call $func) (call $arg)))
            (drop (call $free_plugin (local.get $id)))
            (call $emit))

          (func (export "call") (result i32)
            (call $begin)
            (call $put_result (call $try_call (call $num (global.get $name_p) (global.get $name_n)) (call $func) (call $arg)))
            (call $emit))

          (func (export "free") (result i32)
            (call $begin)
            (call $put_i64 (call $free_plugin (call $num (global.get $name_p) (global.get $name_n))))
            (call $emit))

          (func (export "foreign") (result i32)
            (local $echo i64) (local $relay i64)
            (call $begin)
            (local.set $echo (call $register (call $str (i32.const 16) (i32.const 4))))
            (local.set $relay (call $register (call $str (i32.const 24) (i32.const 5))))
            (call $put_i64 (local.get $echo))
            (call $put (i32.const 12) (i32.const 1))
            (call $put_block (call $call (local.get $relay) (call $str (i32.const 32) (i32.const 7)) (call $str (i32.const 40) (i32.const 9))))
            (call $put (i32.const 12) (i32.const 1))
            (call $put_block (call $call (local.get $echo) (call $str (i32.const 42) (i32.const 4)) (call $str (i32.const 47) (i32.const 2))))
            (call $emit))

          (func (export "last_error") (result i32)
            (call $begin)
            (call $put_i64 (call $last_error))
            (call $emit))
        )
        """;

    /// <summary>A manifest of the driver's text, compiled by the catalog like any module.</summary>
    public static Manifest Driver => Manifest.FromBytes(Encoding.UTF8.GetBytes(DriverWat));
}
