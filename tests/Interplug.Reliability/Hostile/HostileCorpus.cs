using System.Text;
using Interplug.Host;
using Interplug.Host.Catalog;
using Interplug.Host.Policy;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Reliability.Hostile;

/// <summary>
/// Plugins that attack the host, one abuse each, with the typed error each must get (SECURITY.md
/// lists the limit behind each). A plugin cannot build a call cycle (handles never lead back to a
/// caller), so cycles are covered by the host's CallChain tests instead.
/// </summary>
public static class HostileCorpus
{
    private const string Loop = """(func (export "run") (result i32) (loop $l (br $l)) (i32.const 0))""";

    /// <summary>The whole corpus.</summary>
    public static IReadOnlyList<HostilePlugin> All { get; } =
    [
        new("loop-timeout", "spins forever; stopped by timeout_ms", Wat.Module(Loop), null, "run", "", PluginErrorKind.Timeout),
        new("loop-cancelled", "spins forever; stopped by the caller's cancellation", Wat.Module(Loop), null, "run", "", PluginErrorKind.Cancelled) { CancelAfter50Ms = true },
        new("loop-fuel", "spins forever; stopped by fuel", Wat.Module(Loop), null, "run", "", PluginErrorKind.OutOfFuel),
        new("memory-bomb", "grows its memory until refused", null, "memory_bomb", "grow", "", PluginErrorKind.OutOfMemory),
        new("output-bomb", "allocates 1 MiB kernel blocks until refused, then traps", Wat.Module("""
            (func (export "run") (result i32) (local $h i64)
              (loop $l (local.set $h (call $alloc (i64.const 1048576)))
                (br_if $l (i64.ne (local.get $h) (i64.const 0))))
              unreachable)
            """), null, "run", "", PluginErrorKind.OutOfMemory),
        new("stack-overflow", "recurses in wasm without end", Wat.Module("""
            (func $down (param i64) (result i64) (call $down (i64.add (local.get 0) (i64.const 1))))
            (func (export "run") (result i32) (drop (call $down (i64.const 0))) (i32.const 0))
            """), null, "run", "", PluginErrorKind.Trap),
        new("spawn-bomb", "spawns echo in a loop, never freeing", Wat.Module("""
            (data (i32.const 0) "echo")
            (func (export "run") (result i32) (loop $l (drop (call $register (call $str (i32.const 0) (i32.const 4)))) (br $l)) (i32.const 0))
            """), null, "run", "", PluginErrorKind.QuotaExceeded),
        new("recursion", "spawns and calls itself without end", Wat.Module("""
            (data (i32.const 0) "recursion") (data (i32.const 16) "run")
            (func (export "run") (result i32)
              (drop (call $call (call $register (call $str (i32.const 0) (i32.const 9))) (call $str (i32.const 16) (i32.const 3)) (i64.const 0)))
              (i32.const 0))
            """), null, "run", "", PluginErrorKind.DepthExceeded),
        new("forged-handle", "calls a plugin handle it never received", Wat.Module("""
            (data (i32.const 0) "echo")
            (func (export "run") (result i32) (drop (call $call (i64.const 12345) (call $str (i32.const 0) (i32.const 4)) (i64.const 0))) (i32.const 0))
            """), null, "run", "", PluginErrorKind.InvalidHandle),
        new("freed-handle", "calls a handle after freeing it", Wat.Module("""
            (data (i32.const 0) "echo")
            (func (export "run") (result i32) (local $id i64)
              (local.set $id (call $register (call $str (i32.const 0) (i32.const 4))))
              (drop (call $free_plugin (local.get $id)))
              (drop (call $call (local.get $id) (call $str (i32.const 0) (i32.const 4)) (i64.const 0))) (i32.const 0))
            """), null, "run", "", PluginErrorKind.InvalidHandle),
        new("endless-start-child", "spawns a child whose start section never ends", Wat.Module("""
            (data (i32.const 0) "endless-start")
            (func (export "run") (result i32) (drop (call $register (call $str (i32.const 0) (i32.const 13)))) (i32.const 0))
            """), null, "run", "", PluginErrorKind.Timeout) { Check = e => e.Message.Contains("endless-start", StringComparison.Ordinal) ? null : e.Message },
        new("huge-output-range", "sets an output range of 2^62 bytes", Wat.Module("""
            (func (export "run") (result i32) (call $output_set (i64.const 1024) (i64.const 0x4000000000000000)) (i32.const 0))
            """), null, "run", "", PluginErrorKind.InvalidArgument),
        new("bad-handle-to-env", "passes a forged handle as a config key", Wat.Module("""
            (func (export "run") (result i32) (drop (call $config_get (i64.const 77777))) (i32.const 0))
            """, imports: """(import "extism:host/env" "config_get" (func $config_get (param i64) (result i64)))"""), null, "run", "", PluginErrorKind.InvalidArgument),
        new("invalid-utf8-name", "spawns a plugin whose name is not UTF-8", Wat.Module("""
            (data (i32.const 0) "\ff\fe\c0\80")
            (func (export "run") (result i32) (drop (call $register (call $str (i32.const 0) (i32.const 4)))) (i32.const 0))
            """), null, "run", "", PluginErrorKind.InvalidArgument),
        new("overlong-name", "spawns a plugin with a 300-character name", Wat.Module("""
            (func (export "run") (result i32) (local $i i32)
              (loop $l (i32.store8 (local.get $i) (i32.const 97)) (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const 300))))
              (drop (call $register (call $str (i32.const 0) (i32.const 300)))) (i32.const 0))
            """), null, "run", "", PluginErrorKind.InvalidArgument),
        new("path-traversal-name", "spawns ../../etc/passwd", Wat.Module("""
            (data (i32.const 0) "../../etc/passwd")
            (func (export "run") (result i32) (drop (call $register (call $str (i32.const 0) (i32.const 16)))) (i32.const 0))
            """), null, "run", "", PluginErrorKind.InvalidArgument),
        new("denied-spawn", "spawns a plugin its policy does not allow", Wat.Module("""
            (data (i32.const 0) "sibling")
            (func (export "run") (result i32) (drop (call $register (call $str (i32.const 0) (i32.const 7)))) (i32.const 0))
            """), null, "run", "", PluginErrorKind.PermissionDenied),
        new("var-bomb", "sets ever larger vars", null, "vars", "var_bomb", "", PluginErrorKind.LimitExceeded),
        new("http-not-allowed", "makes an HTTP request to a host not allowed", null, "http_get", "http_get", "http://127.0.0.1:9/", PluginErrorKind.PermissionDenied),
        new("file-outside-preopen", "opens ../../../../etc/passwd through its read-only preopen; returns the WASI errno", Wat.Module("""
            (data (i32.const 512) "../../../../etc/passwd")
            (func (export "run") (result i32)
              (call $path_open (i32.const 3) (i32.const 0) (i32.const 512) (i32.const 22) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 600)))
            """, imports: """(import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))"""), null, "run", "", PluginErrorKind.NonZeroExitCode) { NeedsPreopen = true, Check = e => e.ExitCode is > 0 ? null : "no errno" },
        new("write-read-only-preopen", "creates a file in its read-only preopen; returns the WASI errno", Wat.Module("""
            (data (i32.const 512) "new.txt")
            (func (export "run") (result i32)
              (call $path_open (i32.const 3) (i32.const 0) (i32.const 512) (i32.const 7) (i32.const 1) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 600)))
            """, imports: """(import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))"""), null, "run", "", PluginErrorKind.NonZeroExitCode) { NeedsPreopen = true, Check = e => e.ExitCode is > 0 ? null : "no errno" },
        new("trap-mid-chain", "calls a child that traps", Wat.Module("""
            (data (i32.const 0) "faulty") (data (i32.const 16) "run")
            (func (export "run") (result i32)
              (drop (call $call (call $register (call $str (i32.const 0) (i32.const 6))) (call $str (i32.const 16) (i32.const 3)) (i64.const 0)))
              (i32.const 0))
            """), null, "run", "", PluginErrorKind.Trap) { Check = e => e.CallChain == "trap-mid-chain → faulty" ? null : $"chain was {e.CallChain}" },
        new("missing-host-function", "imports a host function that does not exist", """
            (module (import "extism:host/user" "format_disk" (func (param i64) (result i64))) (func (export "run") (result i32) (i32.const 0)))
            """, null, "run", "", PluginErrorKind.MissingImport) { Check = e => e.ImportName == "extism:host/user::format_disk" ? null : $"import was {e.ImportName}" },
        new("not-wasm", "is not WebAssembly at all", "this is not a WebAssembly module", null, "run", "", PluginErrorKind.BadModule),
        new("config-key-freed-by-plugin", "frees its config_get key itself afterwards, as the Haskell PDK's getConfig does", Wat.Module("""
            (data (i32.const 0) "greeting")
            (func (export "run") (result i32) (local $key i64) (local $value i64)
              (local.set $key (call $str (i32.const 0) (i32.const 8)))
              (local.set $value (call $config_get (local.get $key)))
              (call $free (local.get $key))
              (call $output_set (local.get $value) (call $length (local.get $value)))
              (i32.const 0))
            """, imports: """
            (import "extism:host/env" "config_get" (func $config_get (param i64) (result i64)))
            (import "extism:host/env" "length" (func $length (param i64) (result i64)))
            """), null, "run", "", null)
        {
            ExpectedOutput = "hello from the manifest",
            Reshape = m => m with { Config = new Dictionary<string, string> { ["greeting"] = "hello from the manifest" } },
        },
        new("var-key-freed-by-plugin", "frees its var_get key itself afterwards", Wat.Module("""
            (data (i32.const 0) "total") (data (i32.const 8) "kept value")
            (func (export "run") (result i32) (local $key i64) (local $value i64)
              (call $var_set (call $str (i32.const 0) (i32.const 5)) (call $str (i32.const 8) (i32.const 10)))
              (local.set $key (call $str (i32.const 0) (i32.const 5)))
              (local.set $value (call $var_get (local.get $key)))
              (call $free (local.get $key))
              (call $output_set (local.get $value) (call $length (local.get $value)))
              (i32.const 0))
            """, imports: """
            (import "extism:host/env" "var_get" (func $var_get (param i64) (result i64)))
            (import "extism:host/env" "var_set" (func $var_set (param i64 i64)))
            (import "extism:host/env" "length" (func $length (param i64) (result i64)))
            """), null, "run", "", null) { ExpectedOutput = "kept value" },
        new("native-stack-exhaustion", "fills its wasm stack, then spawns and calls itself without end, under a policy with no depth limit", Wat.Module("""
            (data (i32.const 0) "native-stack-exhaustion") (data (i32.const 32) "run")
            (func $fill (param $n i64) (result i64) (local $a i64) (local $b i64) (local $c i64) (local $d i64)
              (if (i64.eqz (local.get $n)) (then
                (drop (call $call (call $register (call $str (i32.const 0) (i32.const 23))) (call $str (i32.const 32) (i32.const 3)) (i64.const 0)))
                (return (i64.const 0))))
              (local.set $a (i64.mul (local.get $n) (i64.const 3))) (local.set $b (i64.add (local.get $a) (i64.const 5)))
              (local.set $c (i64.xor (local.get $b) (local.get $n))) (local.set $d (i64.mul (local.get $c) (i64.const 7)))
              (i64.add (call $fill (i64.sub (local.get $n) (i64.const 1)))
                       (i64.xor (i64.xor (local.get $a) (local.get $b)) (i64.xor (local.get $c) (local.get $d)))))
            (func (export "run") (result i32) (drop (call $fill (i64.const 6000))) (i32.const 0))
            """), null, "run", "", PluginErrorKind.DepthExceeded)
        {
            Rule = new() { Spawn = ["native-stack-exhaustion"], MaxDepth = int.MaxValue, MaxDescendants = 100_000, MaxChildren = 1, TimeoutMs = 120_000, MemoryMaxPages = PolicyRule.MaxMemoryPagesLimit },
            Check = e => e.Message.Contains("native stack", StringComparison.Ordinal) ? null : e.Message[^Math.Min(300, e.Message.Length)..],
        },
        new("stopped-children-pileup", "spawns children that trap, ignores the failures and never frees them", Wat.Module("""
            (data (i32.const 0) "faulty") (data (i32.const 16) "run")
            (func (export "run") (result i32)
              (loop $l
                (drop (call $try_call (call $register (call $str (i32.const 0) (i32.const 6))) (call $str (i32.const 16) (i32.const 3)) (i64.const 0)))
                (br $l))
              (i32.const 0))
            """, imports: """(import "extism:host/user" "try_call_plugin" (func $try_call (param i64 i64 i64) (result i64)))"""), null, "run", "", PluginErrorKind.QuotaExceeded),
        new("case-mismatched-spawn", "spawns ECHO where its policy allows echo", Wat.Module("""
            (data (i32.const 0) "ECHO")
            (func (export "run") (result i32) (drop (call $register (call $str (i32.const 0) (i32.const 4)))) (i32.const 0))
            """), null, "run", "", PluginErrorKind.PermissionDenied),
        new("duplicate-main-module", "lists two modules named main, so that a pin could check one and the runtime run the other", Wat.Module("""
            (func (export "run") (result i32) (i32.const 0))
            """), null, "run", "", PluginErrorKind.InvalidManifest)
        {
            Reshape = m => m with { Wasm = [m.Wasm[0] with { Name = "main" }, m.Wasm[0] with { Name = "main" }] },
        },
    ];

    /// <summary>
    /// A host with the corpus, a faulty child, echo and a <c>sibling</c> (count_vowels), and a
    /// policy that lets corpus plugins spawn only echo, faulty, recursion and endless-start.
    /// </summary>
    /// <param name="preopen">A directory the WASI plugins get read-only as <c>/data</c>.</param>
    public static PluginHost CreateHost(string preopen)
    {
        var catalog = new PluginCatalog()
            .Add("faulty", Manifest.FromBytes("""(module (func (export "run") (result i32) unreachable))"""u8.ToArray()))
            .Add("endless-start", Manifest.FromBytes("""(module (func $spin (loop $l (br $l))) (start $spin) (func (export "run") (result i32) (i32.const 0)))"""u8.ToArray()))
            .Add("sibling", Manifest.FromWasmFile(Path.Combine(RepoPaths.PluginsDist, "count_vowels.wasm")));
        foreach (var plugin in All)
        {
            var manifest = plugin.Wat is { } wat
                ? Manifest.FromBytes(Encoding.UTF8.GetBytes(wat))
                : Manifest.FromWasmFile(Path.Combine(RepoPaths.PluginsDist, plugin.DistPlugin + ".wasm"));
            if (plugin.Reshape is { } reshape)
                manifest = reshape(manifest);
            if (plugin.NeedsPreopen)
                manifest = manifest with { AllowedPaths = new Dictionary<string, string> { ["ro:" + preopen] = "/data" } };
            catalog.Add(plugin.Name, manifest);
        }
        catalog.AddDirectory(RepoPaths.PluginsDist);
        return new PluginHost(new PluginHostOptions
        {
            Catalog = catalog,
            Wasi = true,
            Policy = new PluginPolicy
            {
                Defaults = new PolicyRule { MaxChildren = 8, MaxDescendants = 16, MaxDepth = 6, MemoryMaxPages = 64, TimeoutMs = 300 },
                Plugins = new Dictionary<string, PolicyRule>(All.Where(p => p.Rule is not null).Select(p => KeyValuePair.Create(p.Name, p.Rule!)))
                {
                    // The bystanders each test uses to show the host still serves: their start-up
                    // must not race a 300 ms deadline on a busy machine.
                    ["sibling"] = new() { TimeoutMs = 60_000 },
                    ["echo"] = new() { TimeoutMs = 60_000 },
                    ["loop-cancelled"] = new() { TimeoutMs = 60_000 },
                    ["loop-fuel"] = new() { TimeoutMs = 60_000, Fuel = 5_000_000 },
                    ["*"] = new() { Spawn = ["echo", "faulty", "recursion", "endless-start"] },
                },
            },
        });
    }
}
