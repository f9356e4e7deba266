using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Interplug.Runtime.Manifests;

namespace Interplug.Runtime.Tests;

/// <summary>
/// Extism manifests: every JSON field, the three wasm sources (path, data, url), names, hashes,
/// several modules linked by name, and malformed manifests (kind <see cref="PluginErrorKind.InvalidManifest"/>).
/// </summary>
public sealed class ManifestTests
{
    private const string MathModule = """
        (module
          (func (export "add") (param i64 i64) (result i64)
            (i64.add (local.get 0) (local.get 1))))
        """;

    private static readonly string MainModule = TestPlugins.Module("""
          (func (export "sum") (result i32)
            (call $out_i64 (call $add (call $input_load_u64 (i64.const 0)) (call $input_load_u64 (i64.const 8))))
            (i32.const 0))
        """, """(import "math" "add" (func $add (param i64 i64) (result i64)))""");

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static string Json(object value) => JsonSerializer.Serialize(value);

    private static byte[] Pair(long a, long b) => [.. TestPlugins.Arg(a), .. TestPlugins.Arg(b)];

    /// <summary>A manifest entry holding a module in the text format, linked under <paramref name="name"/> when given.</summary>
    private static WasmSource Text(string wat, string? name = null) => new() { Bytes = Encoding.UTF8.GetBytes(wat), Name = name };

    private static string CountVowels(Manifest manifest, string input = "Hello, World!", PluginOptions? options = null)
    {
        using var plugin = TestPlugins.Runtime.Compile(manifest, options);
        using var instance = plugin.Instantiate();
        return instance.CallText("count_vowels", input);
    }

    [Fact]
    public void Parse_reads_every_field()
    {
        var json = """
            {
              "wasm": [
                { "path": "lib/math.wasm", "name": "math", "hash": "abc123" },
                { "data": "AGFzbQEAAAA=", "name": "main" },
                { "url": "http://127.0.0.1:1/x.wasm" }
              ],
              "memory": { "max_pages": 40, "max_http_response_bytes": 1234, "max_var_bytes": 5678 },
              "config": { "vowels": "l", "empty": "" },
              "allowed_hosts": ["127.0.0.1", "*.example.com"],
              "allowed_paths": { "ro:data": "/data", "out": "/out" },
              "timeout_ms": 5000
            }
            """;
        var manifest = Manifest.Parse(json, "/base");

        Assert.Equal(3, manifest.Wasm.Count);
        Assert.Equal(("lib/math.wasm", "math", "abc123"), (manifest.Wasm[0].Path, manifest.Wasm[0].Name, manifest.Wasm[0].Hash));
        Assert.Equal(("AGFzbQEAAAA=", "main"), (manifest.Wasm[1].Data, manifest.Wasm[1].Name));
        Assert.Equal("http://127.0.0.1:1/x.wasm", manifest.Wasm[2].Url);
        Assert.Null(manifest.Wasm[2].Name);
        Assert.Equal(40, manifest.Memory.MaxPages);
        Assert.Equal(1234, manifest.Memory.MaxHttpResponseBytes);
        Assert.Equal(5678, manifest.Memory.MaxVarBytes);
        Assert.Equal(new Dictionary<string, string> { ["vowels"] = "l", ["empty"] = "" }, manifest.Config);
        Assert.Equal(["127.0.0.1", "*.example.com"], manifest.AllowedHosts);
        Assert.Equal(new Dictionary<string, string> { ["ro:data"] = "/data", ["out"] = "/out" }, manifest.AllowedPaths);
        Assert.Equal(5000, manifest.TimeoutMs);
        Assert.Equal("/base", manifest.BaseDirectory);
    }

    [Fact]
    public void Parse_without_optional_fields_gives_empty_defaults()
    {
        var manifest = Manifest.Parse("""{ "wasm": [ { "path": "x.wasm" } ] }""");
        Assert.Empty(manifest.Config);
        Assert.Empty(manifest.AllowedHosts);
        Assert.Empty(manifest.AllowedPaths);
        Assert.Null(manifest.TimeoutMs);
        Assert.Null(manifest.Memory.MaxPages);
        Assert.Null(manifest.Memory.MaxVarBytes);
        Assert.Null(manifest.Memory.MaxHttpResponseBytes);
    }

    [Fact]
    public void Explicit_nulls_mean_not_set()
    {
        using var dir = TestPlugins.TempDir();
        File.Copy(TestPlugins.DistPath("count_vowels"), dir.File("cv.wasm"));
        var path = dir.Write("m.json", """
            { "wasm": [ { "path": "cv.wasm" } ], "memory": null, "config": null,
              "allowed_hosts": null, "allowed_paths": null, "timeout_ms": null }
            """);
        Assert.Equal("""{"count":3,"total":3,"vowels":"aeiouAEIOU"}""", CountVowels(Manifest.FromFile(path)));
    }

    [Fact]
    public void Comments_trailing_commas_and_unknown_fields_are_accepted()
    {
        var manifest = Manifest.Parse("""
            {
              // a comment
              "wasm": [ { "path": "x.wasm", }, ],
              "something_new": { "nested": [1, 2, 3] },
            }
            """);
        Assert.Equal("x.wasm", Assert.Single(manifest.Wasm).Path);
    }

    [Fact]
    public void A_relative_wasm_path_is_resolved_against_the_manifest_directory()
    {
        using var dir = TestPlugins.TempDir();
        dir.Dir("wasm");
        File.Copy(TestPlugins.DistPath("count_vowels"), dir.File("wasm/cv.wasm"));
        var path = dir.Write("manifest.json", """
            { "wasm": [ { "path": "wasm/cv.wasm" } ], "config": { "vowels": "l" } }
            """);
        Assert.NotEqual(dir.Path, Environment.CurrentDirectory);

        var manifest = Manifest.FromFile(path);
        Assert.Equal(dir.Path, manifest.BaseDirectory);
        using var plugin = TestPlugins.Runtime.Compile(manifest);
        Assert.Equal("cv", plugin.Name); // named after the file when the entry has no name
        using var instance = plugin.Instantiate();
        Assert.Equal("""{"count":3,"total":3,"vowels":"l"}""", instance.CallText("count_vowels", "Hello, World!"));
    }

    [Fact]
    public void Wasm_from_base64_data()
    {
        var json = Json(new { wasm = new[] { new { data = Convert.ToBase64String(TestPlugins.DistBytes("count_vowels")) } } });
        Assert.Equal("""{"count":3,"total":3,"vowels":"aeiouAEIOU"}""", CountVowels(Manifest.Parse(json)));
    }

    [Fact]
    public void Wasm_from_base64_text_format()
    {
        var wat = TestPlugins.Module("""(func (export "one") (result i32) (call $out_i64 (i64.const 1)) (i32.const 0))""");
        var json = Json(new { wasm = new[] { new { data = Convert.ToBase64String(Encoding.UTF8.GetBytes(wat)) } } });
        using var plugin = TestPlugins.Runtime.Compile(Manifest.Parse(json));
        using var instance = plugin.Instantiate();
        Assert.Equal(1, instance.CallI64("one"));
    }

    [Fact]
    public void Wasm_from_a_url()
    {
        var wasm = TestPlugins.DistBytes("count_vowels");
        using var server = new LocalHttpServer(context => context.Request.Url!.AbsolutePath == "/plugins/cv.wasm"
            ? LocalHttpServer.Reply(context, 200, wasm, "application/wasm")
            : LocalHttpServer.Reply(context, 404, "not found"));
        var json = Json(new { wasm = new[] { new { url = server.Url("/plugins/cv.wasm"), hash = Hex(wasm) } } });
        Assert.Equal("""{"count":3,"total":3,"vowels":"aeiouAEIOU"}""", CountVowels(Manifest.Parse(json)));
        Assert.Contains(server.Requests, r => r.Method == "GET" && r.Path == "/plugins/cv.wasm");
    }

    [Fact]
    public void A_url_that_fails_is_an_invalid_manifest()
    {
        using var server = new LocalHttpServer(context => LocalHttpServer.Reply(context, 404, "not found"));
        var missing = Manifest.Parse(Json(new { wasm = new[] { new { url = server.Url("/nothing.wasm") } } }));
        TestPlugins.Fails(PluginErrorKind.InvalidManifest, () => TestPlugins.Runtime.Compile(missing));

        var refused = Manifest.Parse(Json(new { wasm = new[] { new { url = $"http://127.0.0.1:{LocalHttpServer.FreePort()}/x.wasm" } } }));
        TestPlugins.Fails(PluginErrorKind.InvalidManifest, () => TestPlugins.Runtime.Compile(refused));
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/x.wasm")]
    [InlineData("file:///etc/passwd")]
    [InlineData("not a url")]
    public void A_url_that_is_not_http_is_an_invalid_manifest(string url)
    {
        var manifest = Manifest.Parse(Json(new { wasm = new[] { new { url } } }));
        TestPlugins.Fails(PluginErrorKind.InvalidManifest, () => TestPlugins.Runtime.Compile(manifest));
    }

    [Fact]
    public void The_plugin_name_comes_from_options_then_the_wasm_name_then_the_file_name()
    {
        var path = TestPlugins.DistPath("count_vowels");
        using (var plugin = TestPlugins.Runtime.Compile(Manifest.FromWasmFile(path)))
            Assert.Equal("count_vowels", plugin.Name);
        var named = new Manifest { Wasm = [new WasmSource { Path = path, Name = "vowel_counter" }] };
        using (var plugin = TestPlugins.Runtime.Compile(named))
            Assert.Equal("vowel_counter", plugin.Name);
        using (var plugin = TestPlugins.Runtime.Compile(named, new PluginOptions { Name = "custom" }))
            Assert.Equal("custom", plugin.Name);
    }

    [Fact]
    public void A_matching_hash_is_accepted_in_any_case()
    {
        var wasm = TestPlugins.DistBytes("count_vowels");
        var lower = Hex(wasm);
        foreach (var hash in new[] { lower, lower.ToUpperInvariant() })
        {
            var manifest = new Manifest { Wasm = [new WasmSource { Bytes = wasm, Hash = hash }] };
            Assert.Contains("\"count\":3", CountVowels(manifest), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_wrong_hash_fails_with_both_hashes_in_the_message()
    {
        var wasm = TestPlugins.DistBytes("count_vowels");
        var actual = Hex(wasm);
        var expected = Hex("something else"u8.ToArray());
        var json = Json(new { wasm = new[] { new { data = Convert.ToBase64String(wasm), hash = expected } } });
        var e = TestPlugins.Fails(PluginErrorKind.InvalidManifest, () => TestPlugins.Runtime.Compile(Manifest.Parse(json)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains(actual, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Modules_are_linked_into_the_last_one_by_name()
    {
        using var dir = TestPlugins.TempDir();
        dir.Write("math.wasm", MathModule); // the runtime accepts the text format in a .wasm file
        dir.Write("main.wasm", MainModule);
        var path = dir.Write("manifest.json", """
            { "wasm": [ { "path": "math.wasm", "name": "math" }, { "path": "main.wasm" } ] }
            """);
        using var plugin = TestPlugins.Runtime.Compile(Manifest.FromFile(path));
        Assert.Equal("main", plugin.Name);
        Assert.Contains("sum", plugin.Exports);
        Assert.DoesNotContain("add", plugin.Exports);
        using var instance = plugin.Instantiate();
        Assert.Equal(42, instance.CallI64("sum", Pair(40, 2)));
    }

    [Fact]
    public void The_module_named_main_is_the_plugin_wherever_it_stands()
    {
        var manifest = new Manifest
        {
            Wasm =
            [
                Text(MainModule, "main"),
                Text(MathModule, "math"),
            ],
        };
        using var plugin = TestPlugins.Runtime.Compile(manifest);
        using var instance = plugin.Instantiate();
        Assert.Equal(-5, instance.CallI64("sum", Pair(-10, 5)));
    }

    [Fact]
    public void A_linked_module_can_import_from_an_earlier_one()
    {
        const string Twice = """
            (module
              (import "math" "add" (func $add (param i64 i64) (result i64)))
              (func (export "add") (param i64 i64) (result i64)
                (i64.mul (call $add (local.get 0) (local.get 1)) (i64.const 2))))
            """;
        var manifest = new Manifest
        {
            Wasm =
            [
                Text(MathModule, "math"),
                Text(Twice.Replace("\"math\" \"add\"", "\"base\" \"add\"", StringComparison.Ordinal), "math2"),
                Text(MainModule.Replace("\"math\" \"add\"", "\"math2\" \"add\"", StringComparison.Ordinal)),
            ],
        };
        // "base" is not a module of the manifest: the second module cannot be linked.
        var e = TestPlugins.Fails(PluginErrorKind.MissingImport, () => TestPlugins.Runtime.Compile(manifest));
        Assert.Equal("base::add", e.ImportName);

        var fixedManifest = manifest with
        {
            Wasm = [manifest.Wasm[0], Text(Twice, "math2"), manifest.Wasm[2]],
        };
        using var plugin = TestPlugins.Runtime.Compile(fixedManifest);
        using var instance = plugin.Instantiate();
        Assert.Equal(14, instance.CallI64("sum", Pair(3, 4)));
    }

    [Fact]
    public void Every_instance_links_its_own_copies_of_the_modules()
    {
        const string Counter = """
            (module
              (global $n (mut i64) (i64.const 0))
              (func (export "add") (param i64 i64) (result i64)
                (global.set $n (i64.add (global.get $n) (i64.const 1)))
                (global.get $n)))
            """;
        var manifest = new Manifest
        {
            Wasm = [Text(Counter, "math"), Text(MainModule)],
        };
        using var plugin = TestPlugins.Runtime.Compile(manifest);
        var first = plugin.Instantiate();
        using var second = plugin.Instantiate();
        Assert.Equal(1, first.CallI64("sum", Pair(0, 0)));
        Assert.Equal(2, first.CallI64("sum", Pair(0, 0)));
        Assert.Equal(1, second.CallI64("sum", Pair(0, 0)));
        first.Dispose();
        // Instantiated after the instance whose modules it would have reached if links were shared.
        using var third = plugin.Instantiate();
        Assert.Equal(1, third.CallI64("sum", Pair(0, 0)));
        Assert.Equal(2, second.CallI64("sum", Pair(0, 0)));
    }

    [Fact]
    public void A_linked_module_may_not_take_the_name_of_the_kernel_namespace()
    {
        var manifest = new Manifest
        {
            Wasm =
            [
                Text(MathModule, "extism:host/env"),
                Text(MainModule),
            ],
        };
        var e = TestPlugins.Fails(PluginErrorKind.InvalidManifest, () => TestPlugins.Runtime.Compile(manifest));
        Assert.Contains("reserved", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_linked_module_may_not_hide_a_host_function_an_earlier_module_imports()
    {
        // "first" imports host function lib::add; "lib", linked after it, exports an add of its own.
        const string First = """
            (module
              (import "lib" "add" (func $add (param i64 i64) (result i64)))
              (func (export "twice") (param i64) (result i64) (call $add (local.get 0) (local.get 0))))
            """;
        var options = new PluginOptions { HostFunctions = [HostFunction.FromMethod<long, long, long>("add", (_, a, b) => a + b).WithModule("lib")] };
        var manifest = new Manifest
        {
            Wasm =
            [
                Text(First, "first"),
                Text(MathModule, "lib"),
                Text(MainModule.Replace("\"math\" \"add\"", "\"lib\" \"add\"", StringComparison.Ordinal)),
            ],
        };
        var e = TestPlugins.Fails(PluginErrorKind.InvalidManifest, () => TestPlugins.Runtime.Compile(manifest, options));
        Assert.Contains("\"lib\" exports add", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_linked_module_without_a_name_is_an_invalid_manifest()
    {
        var manifest = new Manifest
        {
            Wasm =
            [
                Text(MathModule),
                Text(MainModule),
            ],
        };
        TestPlugins.Fails(PluginErrorKind.InvalidManifest, () => TestPlugins.Runtime.Compile(manifest));
    }

    [Fact]
    public void An_import_the_linked_module_does_not_export_is_a_missing_import()
    {
        var manifest = new Manifest
        {
            Wasm =
            [
                Text(MathModule, "math"),
                Text(MainModule.Replace("\"math\" \"add\"", "\"math\" \"sub\"", StringComparison.Ordinal)),
            ],
        };
        var e = TestPlugins.Fails(PluginErrorKind.MissingImport, () => TestPlugins.Runtime.Compile(manifest));
        Assert.Equal("math::sub", e.ImportName);
    }

    [Fact]
    public void Config_from_the_manifest_reaches_the_plugin()
    {
        var manifest = TestPlugins.Dist("count_vowels") with { Config = new Dictionary<string, string> { ["vowels"] = "lo" } };
        Assert.Equal("""{"count":5,"total":5,"vowels":"lo"}""", CountVowels(manifest));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("""{ "wasm": [] }""")]
    [InlineData("""{ "wasm": null }""")]
    [InlineData("""{ "wasm": 5 }""")]
    [InlineData("""{ "wasm": [null] }""")]
    [InlineData("""{ "wasm": [ { "path": 7 } ] }""")]
    [InlineData("""{ "wasm": [ { "path": "x.wasm" } ], "memory": { "max_pages": "many" } }""")]
    [InlineData("""{ "wasm": [ { "path": "x.wasm" } ], "config": { "k": 1 } }""")]
    [InlineData("""{ "wasm": [ { "path": "x.wasm" } ], "timeout_ms": "soon" }""")]
    public void Malformed_json_is_an_invalid_manifest(string json)
    {
        TestPlugins.Fails(PluginErrorKind.InvalidManifest, () => Manifest.Parse(json));
    }

    [Theory]
    [InlineData("""{ "wasm": [ {} ] }""")]
    [InlineData("""{ "wasm": [ { "name": "only a name" } ] }""")]
    [InlineData("""{ "wasm": [ { "path": "a.wasm", "data": "AGFzbQEAAAA=" } ] }""")]
    [InlineData("""{ "wasm": [ { "data": "AGFzbQEAAAA=", "url": "http://127.0.0.1:1/x.wasm" } ] }""")]
    [InlineData("""{ "wasm": [ { "data": "not base64!" } ] }""")]
    [InlineData("""{ "wasm": [ { "data": "AGFzbQEAAAA=" } ], "memory": { "max_pages": -1 } }""")]
    [InlineData("""{ "wasm": [ { "data": "AGFzbQEAAAA=" } ], "timeout_ms": -5 }""")]
    public void A_wasm_entry_without_exactly_one_readable_source_is_an_invalid_manifest(string json)
    {
        TestPlugins.Fails(PluginErrorKind.InvalidManifest, () => TestPlugins.Runtime.Compile(Manifest.Parse(json)));
    }

    [Fact]
    public void A_manifest_in_code_without_wasm_is_an_invalid_manifest()
    {
        TestPlugins.Fails(PluginErrorKind.InvalidManifest, () => TestPlugins.Runtime.Compile(new Manifest()));
    }

    [Fact]
    public void A_missing_or_unreadable_manifest_file_is_an_invalid_manifest()
    {
        using var dir = TestPlugins.TempDir();
        TestPlugins.Fails(PluginErrorKind.InvalidManifest, () => Manifest.FromFile(dir.File("nope.json")));
        TestPlugins.Fails(PluginErrorKind.InvalidManifest, () => Manifest.FromFile(dir.Dir("a-directory.json")));
    }

    [Fact]
    public void A_missing_or_unreadable_wasm_file_is_an_invalid_manifest()
    {
        using var dir = TestPlugins.TempDir();
        var missing = dir.Write("m.json", """{ "wasm": [ { "path": "missing.wasm" } ] }""");
        var e = TestPlugins.Fails(PluginErrorKind.InvalidManifest, () => TestPlugins.Runtime.Compile(Manifest.FromFile(missing)));
        Assert.Contains("missing.wasm", e.Message, StringComparison.Ordinal);

        dir.Dir("dir.wasm");
        var directory = dir.Write("d.json", """{ "wasm": [ { "path": "dir.wasm" } ] }""");
        TestPlugins.Fails(PluginErrorKind.InvalidManifest, () => TestPlugins.Runtime.Compile(Manifest.FromFile(directory)));

        TestPlugins.Fails(PluginErrorKind.InvalidManifest, () => TestPlugins.Runtime.Compile(Manifest.FromWasmFile(dir.File("none.wasm"))));
    }

    [Fact]
    public void Two_modules_with_the_same_name_are_an_invalid_manifest()
    {
        // Two "main" modules let a hash pin check one module while the other ran.
        var manifest = new Manifest { Wasm = [Text(MainModule, "main"), Text(MainModule, "main")] };
        var e = TestPlugins.Fails(PluginErrorKind.InvalidManifest, () => TestPlugins.Runtime.Compile(manifest).Dispose());
        Assert.Contains("\"main\"", e.Message, StringComparison.Ordinal);
        var data = Convert.ToBase64String(Encoding.UTF8.GetBytes(MainModule));
        TestPlugins.Fails(PluginErrorKind.InvalidManifest, () => Manifest.Parse(
            $$"""{ "wasm": [ { "data": "{{data}}", "name": "lib" }, { "data": "{{data}}", "name": "lib" } ] }"""));
    }

    [Fact]
    public void The_main_module_is_the_one_named_main_or_else_the_last()
    {
        WasmSource[] named = [Text(MainModule, "a"), Text(MainModule, "main"), Text(MainModule, "b")];
        WasmSource[] unnamed = [Text(MainModule, "a"), Text(MainModule, "b")];
        Assert.Equal(1, ManifestRules.MainIndex(named));
        Assert.Equal(1, ManifestRules.MainIndex(unnamed));
    }
}
