using System.Security.Cryptography;
using System.Text;
using Interplug.Host.Catalog;
using Interplug.Host.Policy;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Host.Tests;

/// <summary>How names resolve to modules: folders, manifests, memory, hash pins; each module compiled once.</summary>
public class CatalogTests
{
    /// <summary>A WAT module whose export <paramref name="export"/> outputs <paramref name="text"/> (ASCII, no quotes).</summary>
    private static Manifest Constant(string export, string text) => Manifest.FromBytes(Encoding.UTF8.GetBytes($$"""
        (module
          (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
          (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
          (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
          (memory 1)
          (data (i32.const 0) "{{text}}")
          (func (export "{{export}}") (result i32)
            (local $h i64) (local $i i32)
            (local.set $h (call $alloc (i64.const {{text.Length}})))
            (block $done (loop $next
              (br_if $done (i32.ge_u (local.get $i) (i32.const {{text.Length}})))
              (call $store_u8 (i64.add (local.get $h) (i64.extend_i32_u (local.get $i))) (i32.load8_u (local.get $i)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $next)))
            (call $output_set (local.get $h) (i64.const {{text.Length}}))
            (i32.const 0)))
        """));

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void A_directory_source_resolves_name_dot_wasm()
    {
        using var host = TestHosts.Host(catalog: new PluginCatalog().AddDirectory(TestHosts.Dist));

        Assert.Equal("hi", host.RunText("echo", "echo", "hi"));
        Assert.True(host.Options.Catalog.Contains("echo"));
        Assert.False(host.Options.Catalog.Contains("nope"));
    }

    [Fact]
    public void A_directory_source_resolves_name_dot_json_as_a_manifest_and_prefers_it_over_the_wasm()
    {
        using var dir = new TempDir();
        File.Copy(TestHosts.DistPath("count_vowels"), dir.File("count_vowels.wasm"));
        // A relative path resolves against the manifest's folder; the config changes the vowels.
        File.WriteAllText(dir.File("count_vowels.json"), """{ "wasm": [{ "path": "count_vowels.wasm" }], "config": { "vowels": "o" } }""");
        File.WriteAllText(dir.File("os.json"), $$"""{ "wasm": [{ "path": {{System.Text.Json.JsonSerializer.Serialize(TestHosts.DistPath("count_vowels"))}} }], "config": { "vowels": "o" } }""");
        using var host = TestHosts.Host(catalog: new PluginCatalog().AddDirectory(dir.Path));

        Assert.Contains("\"count\":2", host.RunText("count_vowels", "count_vowels", "Hello, World!"));
        Assert.Contains("\"count\":2", host.RunText("os", "count_vowels", "Hello, World!"));
    }

    [Fact]
    public void An_in_memory_module_is_a_plugin_like_any_other()
    {
        var catalog = TestHosts.Catalog().Add("hello", Constant("greet", "hello"));
        using var host = TestHosts.Host(PluginPolicy.AllowAll, catalog);

        Assert.Equal("hello", host.RunText("hello", "greet"));
        Assert.Equal("hello", host.RunText("driver", "chain", "hello greet"));
    }

    [Fact]
    public void An_in_memory_binary_module_works_too()
    {
        var catalog = new PluginCatalog().Add("echo2", Manifest.FromBytes(File.ReadAllBytes(TestHosts.DistPath("echo"))));
        using var host = TestHosts.Host(catalog: catalog);

        Assert.Equal("hi", host.RunText("echo2", "echo", "hi"));
    }

    [Fact]
    public void Earlier_sources_win()
    {
        var shadowing = new PluginCatalog().Add("echo", Constant("echo", "shadowed")).AddDirectory(TestHosts.Dist);
        var shadowed = new PluginCatalog().AddDirectory(TestHosts.Dist).Add("echo", Constant("echo", "shadowed"));
        using var first = TestHosts.Host(catalog: shadowing);
        using var second = TestHosts.Host(catalog: shadowed);

        Assert.Equal("shadowed", first.RunText("echo", "echo", "hi"));
        Assert.Equal("hi", second.RunText("echo", "echo", "hi"));
    }

    [Fact]
    public void An_unknown_name_is_NotFound_for_the_application_and_for_plugins()
    {
        using var host = TestHosts.Host();

        var e = TestHosts.Fails(PluginErrorKind.NotFound, () => host.Start("nope"));
        Assert.Equal("no plugin named \"nope\" in the catalog", e.Message);
        Assert.Equal("error -18: no plugin named \"nope\" in the catalog", host.RunText("relay", "try_chain", "nope"));
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void A_failed_lookup_is_not_cached()
    {
        using var dir = new TempDir();
        using var host = TestHosts.Host(catalog: new PluginCatalog().AddDirectory(dir.Path));
        TestHosts.Fails(PluginErrorKind.NotFound, () => host.Start("late"));

        File.Copy(TestHosts.DistPath("echo"), dir.File("late.wasm"));

        Assert.Equal("hi", host.RunText("late", "echo", "hi"));
    }

    [Fact]
    public void A_matching_sha256_pin_loads_the_module()
    {
        var hash = Sha256(TestHosts.DistPath("echo"));
        using var lower = TestHosts.Host(catalog: TestHosts.Catalog().Pin("echo", hash));
        using var upper = TestHosts.Host(catalog: TestHosts.Catalog().Pin("echo", hash.ToUpperInvariant()));

        Assert.Equal("hi", lower.RunText("echo", "echo", "hi"));
        Assert.Equal("hi", upper.RunText("driver", "chain", "echo echo hi"));
    }

    [Fact]
    public void A_mismatching_pin_is_InvalidManifest_naming_both_hashes()
    {
        var actual = Sha256(TestHosts.DistPath("echo"));
        var expected = new string('0', 64);
        using var host = TestHosts.Host(catalog: TestHosts.Catalog().Pin("echo", expected));

        var e = TestHosts.Fails(PluginErrorKind.InvalidManifest, () => host.Start("echo"));

        Assert.Contains(expected, e.Message);
        Assert.Contains(actual, e.Message);
        var spawned = host.RunText("relay", "spawn_many", "1 echo");
        Assert.StartsWith("spawned 0; error -11: ", spawned);
        Assert.Contains(actual, spawned);
        Assert.Equal("relay(end)", host.RunText("relay", "chain", "relay")); // other plugins are unaffected
    }

    [Fact]
    public void A_pin_applies_to_manifests_added_in_code_too()
    {
        var catalog = new PluginCatalog().Add("e", Manifest.FromWasmFile(TestHosts.DistPath("echo"))).Pin("e", new string('f', 64));
        using var host = TestHosts.Host(catalog: catalog);

        TestHosts.Fails(PluginErrorKind.InvalidManifest, () => host.Start("e"));
    }

    [Fact]
    public void Something_that_is_not_WebAssembly_is_BadModule()
    {
        using var host = TestHosts.Host(catalog: new PluginCatalog().Add("bad", Manifest.FromBytes("(module (func"u8.ToArray())));

        TestHosts.Fails(PluginErrorKind.BadModule, () => host.Start("bad"));
    }

    [Fact]
    public void Each_module_is_compiled_once_for_every_process_of_its_name()
    {
        using var host = TestHosts.Host(PluginPolicy.AllowAll, keepChildren: true);
        using var first = host.Start("echo");
        using var second = host.Start("echo");
        using var relay = host.Start("relay");
        Assert.Equal("spawned 2", relay.CallText("spawn_many", "2 echo"));
        var children = relay.Handles.Values.ToArray();

        Assert.NotSame(first.Instance, second.Instance);
        Assert.Same(first.Instance.Plugin, second.Instance.Plugin);
        Assert.Equal(2, children.Length);
        Assert.All(children, child => Assert.Same(first.Instance.Plugin, child.Instance.Plugin));
        Assert.NotSame(first.Instance.Plugin, relay.Instance.Plugin);
    }

    [Fact]
    public void One_module_under_two_names_is_two_plugins()
    {
        var relay = Manifest.FromWasmFile(TestHosts.DistPath("relay"));
        using var host = TestHosts.Host(catalog: new PluginCatalog().Add("a", relay).Add("b", relay));
        using var a = host.Start("a");
        using var b = host.Start("b");

        Assert.NotSame(a.Instance.Plugin, b.Instance.Plugin);
        Assert.Equal("a", a.Instance.Plugin.Name);
        Assert.Equal("b", b.Instance.Plugin.Name);
    }
}
