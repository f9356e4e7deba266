using System.Text;
using Interplug.Host.Catalog;
using Interplug.Host.Policy;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Host.Tests;

/// <summary>
/// A plugin imports another plugin's export from module <c>plugin:&lt;name&gt;</c>: calling it is a
/// call_plugin of that export, the child is spawned on first use, and the policy and the catalog
/// are checked when the importer is loaded, before it runs an instruction.
/// </summary>
public class PluginImportTests
{
    /// <summary>
    /// A plugin whose export <c>run</c> passes its input block to each import (<c>plugin.export</c>) in turn, the output
    /// of one being the input of the next, and outputs the last output. Its start function traps,
    /// unless <paramref name="startTraps"/> is false, so that a refusal that is not a trap proves
    /// nothing ran.
    /// </summary>
    private static Manifest Importer(bool startTraps, params string[] imports)
    {
        var declarations = string.Join("\n", imports.Select((import, i) =>
        {
            var dot = import.LastIndexOf('.');
            var (module, name) = (import[..dot], import[(dot + 1)..]);
            return $"""  (import "plugin:{module}" "{name}" (func $i{i} (param i64) (result i64)))""";
        }));
        var calls = string.Concat(imports.Select((_, i) => $"(local.set $h (call $i{i} (local.get $h)))\n"));
        return Wat($$"""
            (module
              (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
              (import "extism:host/env" "length" (func $length (param i64) (result i64)))
              (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
            {{declarations}}
              {{(startTraps ? "(func $boom unreachable) (start $boom)" : "")}}
              (func (export "run") (result i32)
                (local $h i64)
                (local.set $h (call $input_offset))
                {{calls}}
                (call $output_set (local.get $h) (call $length (local.get $h)))
                (i32.const 0)))
            """);
    }

    private static Manifest Importer(params string[] imports) => Importer(false, imports);

    /// <summary>Outputs its input with <paramref name="suffix"/> appended, from export <c>echo</c>.</summary>
    private static Manifest Echo(string suffix = "") => Wat($$"""
        (module
          (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
          (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
          (import "extism:host/env" "input_length" (func $input_length (result i64)))
          (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
          (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
          (memory 1)
          (data (i32.const 0) "{{suffix}}")
          (func (export "echo") (result i32)
            (local $n i64) (local $h i64) (local $i i64)
            (local.set $n (call $input_length))
            (local.set $h (call $alloc (i64.add (local.get $n) (i64.const {{suffix.Length}}))))
            (block $done (loop $next
              (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
              (call $store_u8 (i64.add (local.get $h) (local.get $i)) (call $input_load_u8 (local.get $i)))
              (local.set $i (i64.add (local.get $i) (i64.const 1)))
              (br $next)))
            (local.set $i (i64.const 0))
            (block $done (loop $next
              (br_if $done (i64.ge_u (local.get $i) (i64.const {{suffix.Length}})))
              (call $store_u8 (i64.add (local.get $h) (i64.add (local.get $n) (local.get $i)))
                              (i32.load8_u (i32.wrap_i64 (local.get $i))))
              (local.set $i (i64.add (local.get $i) (i64.const 1)))
              (br $next)))
            (call $output_set (local.get $h) (i64.add (local.get $n) (i64.const {{suffix.Length}})))
            (i32.const 0)))
        """);

    private static Manifest Wat(string text) => Manifest.FromBytes(Encoding.UTF8.GetBytes(text));

    private static PluginHost Host(PluginPolicy policy, bool keepChildren = false, params (string Name, Manifest Manifest)[] plugins)
    {
        var catalog = TestHosts.Catalog().Add("echo_wat", Echo());
        foreach (var (name, manifest) in plugins)
            catalog.Add(name, manifest);
        return TestHosts.Host(policy, catalog, keepChildren);
    }

    private static PluginPolicy Allow(string importer, PolicyRule rule) => TestHosts.Policy((importer, rule));

    [Fact]
    public void Calling_an_imported_export_calls_the_imported_plugin_with_the_input_and_returns_its_output()
    {
        using var host = Host(Allow("importer", new PolicyRule { Spawn = ["count_vowels", "echo_wat"] }),
            plugins: ("importer", Importer("echo_wat.echo", "count_vowels.count_vowels")));

        Assert.Equal("""{"count":3,"total":3,"vowels":"aeiouAEIOU"}""", host.RunText("importer", "run", "Hello, World!"));
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void The_imported_plugin_is_spawned_on_first_use_once_per_importing_process()
    {
        using var host = Host(Allow("importer", new PolicyRule { Spawn = ["echo_wat"] }), keepChildren: true,
            plugins: ("importer", Importer("echo_wat.echo", "echo_wat.echo")));
        using var process = host.Start("importer");

        Assert.Equal(0, process.ChildCount);
        Assert.Equal(1, host.LiveInstances);
        Assert.Equal("hi", process.CallText("run", "hi"));
        Assert.Equal("hi", process.CallText("run", "hi"));
        Assert.Equal(1, process.ChildCount);
        Assert.Equal(2, host.LiveInstances);
    }

    [Fact]
    public void A_start_is_refused_before_the_plugin_runs_when_the_policy_denies_spawning_the_imported_plugin()
    {
        using var host = Host(Allow("importer", new PolicyRule { Spawn = ["count_vowels"] }),
            plugins: ("importer", Importer(startTraps: true, "echo_wat.echo")));

        var e = TestHosts.Fails(PluginErrorKind.PermissionDenied, () => host.Start("importer"));

        Assert.Equal("plugin:echo_wat::echo", e.ImportName);
        Assert.Equal(
            "importer imports plugin:echo_wat::echo: importer may not spawn echo_wat: policy rule \"importer\" lets \"importer\" spawn [count_vowels], not \"echo_wat\"",
            e.Message);
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void A_start_is_refused_when_no_rule_covers_the_importer()
    {
        using var host = Host(PluginPolicy.DenyAll, plugins: ("importer", Importer(startTraps: true, "echo_wat.echo")));

        var e = TestHosts.Fails(PluginErrorKind.PermissionDenied, () => host.Start("importer"));

        Assert.Equal("plugin:echo_wat::echo", e.ImportName);
        Assert.Contains("no policy rule covers \"importer\"", e.Message);
    }

    [Fact]
    public void A_start_is_refused_when_the_policy_denies_calling_the_imported_export()
    {
        using var host = Host(
            Allow("importer", new PolicyRule { Spawn = ["echo_wat"], Call = new Dictionary<string, IReadOnlyList<string>> { ["echo_wat"] = ["other"] } }),
            plugins: ("importer", Importer(startTraps: true, "echo_wat.echo")));

        var e = TestHosts.Fails(PluginErrorKind.PermissionDenied, () => host.Start("importer"));

        Assert.Equal("plugin:echo_wat::echo", e.ImportName);
        Assert.Contains("importer may not call echo_wat.echo: policy rule \"importer\" does not let \"importer\" call echo_wat.echo", e.Message);
    }

    [Fact]
    public void A_start_is_refused_when_the_imported_plugin_is_not_in_the_catalog()
    {
        using var host = Host(PluginPolicy.AllowAll, plugins: ("importer", Importer(startTraps: true, "nowhere.run")));

        var e = TestHosts.Fails(PluginErrorKind.NotFound, () => host.Start("importer"));

        Assert.Equal("plugin:nowhere::run", e.ImportName);
        Assert.Equal("importer imports plugin:nowhere::run: no plugin named \"nowhere\" in the catalog", e.Message);
    }

    [Fact]
    public void A_start_is_refused_when_the_imported_plugin_lacks_the_export()
    {
        using var host = Host(PluginPolicy.AllowAll, plugins: ("importer", Importer(startTraps: true, "echo_wat.shout")));

        var e = TestHosts.Fails(PluginErrorKind.ExportNotFound, () => host.Start("importer"));

        Assert.Equal("plugin:echo_wat::shout", e.ImportName);
        Assert.Equal("shout", e.ExportName);
        Assert.Equal("importer imports plugin:echo_wat::shout: echo_wat has no callable export shout (exports: echo)", e.Message);
    }

    [Theory]
    [InlineData("(param i32) (result i32)", "(i32) -> i32")]
    [InlineData("(param i64)", "(i64) -> ()")]
    [InlineData("(param i64 i64) (result i64)", "(i64, i64) -> i64")]
    public void An_import_from_a_plugin_of_another_type_is_a_bad_module(string type, string shown)
    {
        using var host = Host(PluginPolicy.AllowAll, plugins: ("importer", Wat($$"""
            (module
              (import "plugin:echo_wat" "echo" (func {{type}}))
              (func (export "run") (result i32) (i32.const 0)))
            """)));

        var e = TestHosts.Fails(PluginErrorKind.BadModule, () => host.Start("importer"));

        Assert.Equal("plugin:echo_wat::echo", e.ImportName);
        Assert.Contains($"imports plugin:echo_wat::echo as {shown}; an import from a plugin must be a function (i64) -> i64", e.Message);
    }

    [Fact]
    public void A_memory_imported_from_a_plugin_is_a_bad_module()
    {
        using var host = Host(PluginPolicy.AllowAll, plugins: ("importer", Wat("""
            (module
              (import "plugin:echo_wat" "memory" (memory 1))
              (func (export "run") (result i32) (i32.const 0)))
            """)));

        var e = TestHosts.Fails(PluginErrorKind.BadModule, () => host.Start("importer"));

        Assert.Equal("plugin:echo_wat::memory", e.ImportName);
        Assert.Contains("as memory", e.Message);
    }

    [Fact]
    public void An_import_from_an_invalid_plugin_name_is_a_bad_module()
    {
        using var host = Host(PluginPolicy.AllowAll, plugins: ("importer", Importer("../etc.run")));

        var e = TestHosts.Fails(PluginErrorKind.BadModule, () => host.Start("importer"));

        Assert.Equal("plugin:../etc::run", e.ImportName);
        Assert.Contains("invalid plugin name", e.Message);
    }

    [Fact]
    public void A_spawned_importer_is_checked_too_and_the_spawn_fails_without_instantiating_it()
    {
        using var host = Host(
            TestHosts.Policy(("driver", new PolicyRule { Spawn = ["importer"] }), ("importer", new PolicyRule { Spawn = ["count_vowels"] })),
            plugins: ("importer", Importer(startTraps: true, "echo_wat.echo")));

        Assert.StartsWith(
            TestHosts.ErrorPrefix(PluginErrorKind.PermissionDenied) + "importer imports plugin:echo_wat::echo",
            host.RunText("driver", "try_chain", "importer run x"));
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void What_an_imported_plugin_imports_is_checked_under_the_rights_it_would_have_as_a_child()
    {
        // middle's own rule lets it spawn echo_wat, but as importer's child it inherits importer's
        // rule, which does not: rights only narrow.
        using var host = Host(
            TestHosts.Policy(("importer", new PolicyRule { Spawn = ["middle"] }), ("middle", new PolicyRule { Spawn = ["echo_wat"] })),
            plugins: [("importer", Importer(startTraps: true, "middle.run")), ("middle", Importer("echo_wat.echo"))]);

        var e = TestHosts.Fails(PluginErrorKind.PermissionDenied, () => host.Start("importer"));

        Assert.Equal("plugin:echo_wat::echo", e.ImportName);
        Assert.StartsWith("middle imports plugin:echo_wat::echo (imported through importer → middle): middle may not spawn echo_wat: ", e.Message);
        Assert.Contains("rights only narrow", e.Message);
        // Started alone, middle has its own rule's rights.
        Assert.Equal("ok", host.RunText("middle", "run", "ok"));
    }

    [Fact]
    public void An_import_cycle_is_refused_at_load_time_with_the_chain()
    {
        using var host = Host(PluginPolicy.AllowAll, plugins: [("a", Importer(startTraps: true, "b.run")), ("b", Importer("a.run"))]);

        var e = TestHosts.Fails(PluginErrorKind.CallCycle, () => host.Start("a"));

        Assert.Equal("a → b → a", e.CallChain);
        Assert.Equal("plugin:a::run", e.ImportName);
        Assert.Equal("import cycle: a → b → a (b imports plugin:a::run)", e.Message);
    }

    [Fact]
    public void A_plugin_importing_itself_is_a_cycle()
    {
        using var host = Host(PluginPolicy.AllowAll, plugins: ("a", Importer(startTraps: true, "a.run")));

        Assert.Equal("a → a", TestHosts.Fails(PluginErrorKind.CallCycle, () => host.Start("a")).CallChain);
    }

    [Fact]
    public void A_diamond_of_imports_is_no_cycle()
    {
        using var host = Host(PluginPolicy.AllowAll,
            plugins: [("top", Importer("left.run", "right.run")), ("left", Importer("echo_wat.echo")), ("right", Importer("echo_wat.echo"))]);

        Assert.Equal("x", host.RunText("top", "run", "x"));
    }

    [Fact]
    public void A_crafted_import_graph_is_walked_only_so_far()
    {
        // Ten levels of two plugins that each import both plugins of the next level: 2^10 paths.
        var plugins = new List<(string, Manifest)>();
        for (var level = 0; level < 10; level++)
        {
            var next = level == 9 ? new[] { "echo_wat.echo" } : [$"l{level + 1}a.run", $"l{level + 1}b.run"];
            plugins.Add(($"l{level}a", Importer(next)));
            plugins.Add(($"l{level}b", Importer(next)));
        }
        using var host = Host(PluginPolicy.AllowAll, plugins: [.. plugins]);

        var e = TestHosts.Fails(PluginErrorKind.LimitExceeded, () => host.Start("l0a"));

        Assert.Contains($"more than {Calls.ImportGraph.MaxEdges} plugin imports", e.Message);
    }

    [Fact]
    public void The_lazy_spawn_counts_against_max_children()
    {
        using var host = Host(Allow("importer", new PolicyRule { Spawn = ["*"], MaxChildren = 1 }),
            plugins: [("importer", Importer("echo_wat.echo", "echo.echo"))]);

        var e = TestHosts.Fails(PluginErrorKind.QuotaExceeded, () => host.Run("importer", "run", "x"u8));

        Assert.Equal("importer: importer may not spawn echo: it already holds 1 children, its limit (max_children)", e.Message);
        Assert.Equal("importer", e.CallChain);
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void Imported_children_count_against_the_ancestors_max_descendants()
    {
        using var host = Host(
            TestHosts.Policy(("driver", new PolicyRule { Spawn = ["*"], MaxDescendants = 1 }), ("importer", TestHosts.SpawnAll)),
            plugins: ("importer", Importer("echo_wat.echo")));

        var output = host.RunText("driver", "try_chain", "importer run x");

        Assert.StartsWith(TestHosts.ErrorPrefix(PluginErrorKind.QuotaExceeded), output);
        Assert.Contains("driver already has 1 descendants, its limit (max_descendants)", output);
    }

    [Fact]
    public void An_imported_child_is_freed_with_its_parent()
    {
        using var host = Host(PluginPolicy.AllowAll, keepChildren: true, plugins: ("importer", Importer("echo_wat.echo")));
        using var driver = host.Start("driver");

        Assert.Equal("x", driver.CallText("keep", "importer run x"));
        Assert.Equal(3, host.LiveInstances); // driver, importer, and the echo_wat importer imports from
        Assert.Equal(2, driver.DescendantCount);

        Assert.Equal("0", driver.CallText("free", "1"));
        Assert.Equal(1, host.LiveInstances);
        Assert.Equal(0, driver.DescendantCount);

        driver.CallText("keep", "importer run x");
        driver.Dispose();
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void An_imported_child_stopped_by_a_failed_call_is_replaced_at_its_next_use()
    {
        using var host = Host(PluginPolicy.AllowAll, keepChildren: true, plugins: ("importer", Importer("trap.trap")));
        using var process = host.Start("importer");

        var e = TestHosts.Fails(PluginErrorKind.Trap, () => process.Call("run", "x"u8));
        Assert.Equal("importer → trap", e.CallChain);
        Assert.Equal(1, process.ChildCount);

        // Not InvalidHandle: the stopped child was dropped and a fresh one spawned, which trapped in turn.
        TestHosts.Fails(PluginErrorKind.Trap, () => process.Call("run", "x"u8));
        Assert.Equal(1, process.ChildCount);
        Assert.Equal(1, host.LiveInstances);
    }

    [Fact]
    public void An_imported_call_is_traced_like_call_plugin()
    {
        using var host = Host(Allow("importer", new PolicyRule { Spawn = ["echo_wat"] }), plugins: ("importer", Importer("echo_wat.echo")));
        var calls = new System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == "Interplug.Host",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = calls.Enqueue,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);

        host.RunText("importer", "run", "abc");

        var imported = Assert.Single(calls, a => a.GetTagItem("interplug.callee") is "echo_wat" && a.GetTagItem("interplug.caller") is "importer");
        Assert.Equal("echo", imported.GetTagItem("interplug.export"));
        Assert.Equal(3, imported.GetTagItem("interplug.bytes_in"));
        Assert.Equal("ok", imported.GetTagItem("interplug.outcome"));
        Assert.Equal("importer.run", imported.Parent?.DisplayName);
    }

    [Fact]
    public void The_chains_deadline_bounds_an_imported_call()
    {
        using var host = Host(Allow("importer", new PolicyRule { Spawn = ["loop_forever"], TimeoutMs = 300 }),
            plugins: ("importer", Importer("loop_forever.loop_forever")));

        var e = TestHosts.FailsWithin(TimeSpan.FromSeconds(10), PluginErrorKind.Timeout, () => host.Run("importer", "run", "x"u8));

        Assert.Equal("importer → loop_forever", e.CallChain);
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void Cancelling_the_top_level_call_cancels_the_imported_call()
    {
        using var host = Host(Allow("importer", new PolicyRule { Spawn = ["loop_forever"] }),
            plugins: ("importer", Importer("loop_forever.loop_forever")));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var e = TestHosts.FailsWithin(TimeSpan.FromSeconds(10), PluginErrorKind.Cancelled, () => host.Run("importer", "run", "x"u8, cancel.Token));

        Assert.Equal("importer → loop_forever", e.CallChain);
    }

    [Fact]
    public void Inspect_reports_exports_and_host_wasi_and_plugin_imports_with_the_policys_verdict()
    {
        var catalog = TestHosts.Catalog().Add("echo_wat", Echo()).Add("inspected", Wat("""
            (module
              (import "extism:host/env" "input_offset" (func (result i64)))
              (import "extism:host/user" "register_plugin" (func (param i64) (result i64)))
              (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
              (import "plugin:echo_wat" "echo" (func (param i64) (result i64)))
              (import "plugin:count_vowels" "count_vowels" (func (param i64) (result i64)))
              (import "plugin:echo_wat" "shout" (func (param i64) (result i64)))
              (memory (export "memory") 1)
              (func (export "run") (result i32) (i32.const 0))
              (func (export "helper") (param i32)))
            """));
        using var host = new PluginHost(new PluginHostOptions
        {
            Catalog = catalog,
            Policy = TestHosts.Policy(("inspected", new PolicyRule { Spawn = ["echo_wat"] })),
            Wasi = true,
        }, TestHosts.Runtime);

        var report = host.Inspect("inspected");

        Assert.Equal("inspected", report.Name);
        Assert.Equal("inspected", report.PolicyRule);
        Assert.Equal(["echo_wat"], report.MaySpawn);
        Assert.Equal(["run"], report.Exports);
        Assert.Equal(
            [new("extism:host/env", "input_offset", "() -> i64"), new("extism:host/user", "register_plugin", "(i64) -> i64")],
            report.HostImports);
        Assert.Equal([new("wasi_snapshot_preview1", "fd_write", "(i32, i32, i32, i32) -> i32")], report.WasiImports);
        Assert.Collection(report.PluginImports,
            echo => Assert.Equal(new("echo_wat", "echo", null, null), echo),
            vowels =>
            {
                Assert.Equal(("count_vowels", "count_vowels", PluginErrorKind.PermissionDenied), (vowels.Plugin, vowels.Export, vowels.Refusal));
                Assert.False(vowels.Allowed);
                Assert.Contains("inspected may not spawn count_vowels", vowels.Reason);
            },
            shout => Assert.Equal(PluginErrorKind.ExportNotFound, shout.Refusal));
        Assert.Equal(0, host.LiveInstances);
    }
}
