using System.Text.Json;

namespace Interplug.Cli.Tests;

/// <summary><c>interplug inspect</c>: what a plugin can reach, and what the policy allows it, before it runs.</summary>
public sealed class InspectCommandTests
{
    /// <summary>A plugin with host, WASI and plugin imports, and one import whose name would move the cursor on a terminal.</summary>
    private const string Inspected = """
        (module
          (import "extism:host/env" "input_offset" (func (result i64)))
          (import "extism:host/user" "register_plugin" (func (param i64) (result i64)))
          (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
          (import "plugin:count_vowels" "count_vowels" (func (param i64) (result i64)))
          (import "plugin:echo" "echo" (func (param i64) (result i64)))
          (import "plugin:echo" "\1b[2Jshout" (func (param i64) (result i64)))
          (memory (export "memory") 1)
          (func (export "run") (result i32) (i32.const 0)))
        """;

    private static TempDir Folder(string? policy = null)
    {
        var dir = new TempDir();
        dir.Write("inspected.wasm", Inspected);
        File.Copy(Cli.Plugin("count_vowels"), dir.File("count_vowels.wasm"));
        File.Copy(Cli.Plugin("echo"), dir.File("echo.wasm"));
        if (policy is not null)
            dir.Write("policy.json", policy);
        return dir;
    }

    [Fact]
    public async Task Inspect_lists_exports_host_wasi_and_plugin_imports_with_the_policys_verdict()
    {
        using var dir = Folder("""{ "plugins": { "inspected": { "spawn": ["echo"] } } }""");

        var result = await Cli.Run("inspect", "inspected", "--plugins", dir.Path, "--policy", dir.File("policy.json"), "--wasi");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            """
            plugin inspected
            policy rule "inspected": may spawn echo
            exports:
              run
            host imports:
              extism:host/env::input_offset () -> i64
              extism:host/user::register_plugin (i64) -> i64
            WASI imports:
              wasi_snapshot_preview1::fd_write (i32, i32, i32, i32) -> i32
            plugin imports:
              count_vowels.count_vowels: refused (permission-denied): inspected imports plugin:count_vowels::count_vowels: inspected may not spawn count_vowels: policy rule "inspected" lets "inspected" spawn [echo], not "count_vowels"
              echo.echo: allowed
              echo.\x1b[2Jshout: refused (export-not-found): inspected imports plugin:echo::\x1b[2Jshout: echo has no callable export \x1b[2Jshout (exports: echo)

            """.ReplaceLineEndings("\n"),
            result.StdoutText);
    }

    [Fact]
    public async Task Inspect_json_gives_the_same_report_for_tools()
    {
        using var dir = Folder();

        var result = await Cli.Run("inspect", "inspected", "--plugins", dir.Path, "--wasi", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal("inspected", root.GetProperty("name").GetString());
        Assert.Equal("*", root.GetProperty("policy_rule").GetString());
        Assert.Equal("(i32, i32, i32, i32) -> i32", root.GetProperty("wasi_imports")[0].GetProperty("type").GetString());
        Assert.Equal(2, root.GetProperty("host_imports").GetArrayLength());
        var imports = root.GetProperty("plugin_imports");
        Assert.Equal(3, imports.GetArrayLength());
        Assert.True(imports[0].GetProperty("allowed").GetBoolean());
        Assert.Equal("count_vowels", imports[0].GetProperty("plugin").GetString());
        Assert.Equal("\u001b[2Jshout", imports[2].GetProperty("export").GetString());
        Assert.Equal("ExportNotFound", imports[2].GetProperty("refusal").GetString());
    }

    [Fact]
    public async Task Inspect_takes_a_file_and_uses_its_folder_as_the_catalog()
    {
        var result = await Cli.Run("inspect", Cli.Plugin("run_import"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.EndsWith("plugin imports:\n  count_vowels.count_vowels: allowed\n", result.StdoutText);
    }

    [Fact]
    public async Task Inspecting_a_plugin_that_is_not_in_the_folder_fails_with_not_found()
    {
        var result = await Cli.Run("inspect", "no_such_plugin", "--plugins", RepoPaths.PluginsDist);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error (not-found): no plugin named \"no_such_plugin\" in the catalog", Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task Inspecting_a_wasi_plugin_without_wasi_says_it_needs_wasi()
    {
        using var dir = Folder();

        var result = await Cli.Run("inspect", "inspected", "--plugins", dir.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("(missing-import)", Assert.Single(result.StderrLines), StringComparison.Ordinal);
        Assert.Contains("needs WASI", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Both_seed_demo_variants_import_or_register_count_vowels_and_print_the_same()
    {
        var registered = await Cli.Run("run", "run", "--plugins", RepoPaths.PluginsDist);
        var imported = await Cli.Run("run", "run_import", "--plugins", RepoPaths.PluginsDist);
        var importedC = await Cli.Run("run", "run_import_c", "--plugins", RepoPaths.PluginsDist);

        Assert.True(imported.ExitCode == 0, imported.ToString());
        Assert.Equal("""{"count":3,"total":3,"vowels":"aeiouAEIOU"}""", imported.StdoutText);
        Assert.Equal(registered.StdoutText, imported.StdoutText);
        Assert.Equal(registered.StdoutText, importedC.StdoutText);
    }
}
