using System.Text;

namespace Interplug.Cli.Tests;

/// <summary><c>interplug call</c> when things work: output bytes on stdout and nothing else, input, config, loops, links and logs.</summary>
public sealed class CallCommandTests
{
    private const string CountVowelsOutput = """{"count":3,"total":3,"vowels":"aeiouAEIOU"}""";

    private static void Succeeded(CliResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_prints_the_output_and_nothing_else()
    {
        var result = await Cli.Run("call", Cli.Plugin("count_vowels"), "count_vowels", "--input", "Hello, World!");
        Succeeded(result);
        Assert.Equal(CountVowelsOutput, result.StdoutText);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task A_relative_plugin_path_is_resolved_from_the_working_directory()
    {
        var result = await Cli.Run("call", "plugins/dist/count_vowels.wasm", "count_vowels", "-i", "Hello, World!");
        Succeeded(result);
        Assert.Equal(CountVowelsOutput, result.StdoutText);
    }

    [Fact]
    public async Task Loop_calls_one_instance_so_vars_carry_over()
    {
        var result = await Cli.Run("call", Cli.Plugin("count_vowels"), "count_vowels", "--input", "Hello, World!", "--loop", "3");
        Succeeded(result);
        Assert.Equal(
            [
                """{"count":3,"total":3,"vowels":"aeiouAEIOU"}""",
                """{"count":3,"total":6,"vowels":"aeiouAEIOU"}""",
                """{"count":3,"total":9,"vowels":"aeiouAEIOU"}""",
            ],
            result.StdoutText.Split('\n'));
    }

    [Theory]
    [InlineData("call")]
    [InlineData("run")]
    public async Task The_largest_limits_mean_no_limit(string command)
    {
        string[] where = command == "call" ? [Cli.Plugin("count_vowels")] : ["count_vowels", "--plugins", RepoPaths.PluginsDist];
        foreach (var timeout in new[] { "10000000000", "9223372036854775807" })
        {
            var result = await Cli.Run([command, .. where, "count_vowels", "--input", "Hello, World!",
                "--timeout", timeout, "--fuel", "9223372036854775807", "--memory-max-pages", "1048576"]);
            Succeeded(result);
            Assert.Equal(CountVowelsOutput, result.StdoutText);
        }
    }

    [Fact]
    public async Task Config_sets_a_config_value()
    {
        var result = await Cli.Run("call", Cli.Plugin("count_vowels"), "count_vowels", "--input", "Hello, World!", "--config", "vowels=l");
        Succeeded(result);
        Assert.Equal("""{"count":3,"total":3,"vowels":"l"}""", result.StdoutText);
    }

    [Fact]
    public async Task Config_can_be_repeated_and_values_may_contain_equals_signs()
    {
        var result = await Cli.Run("call", Cli.Plugin("config_read"), "get", "--input", "b", "--config", "a=1", "--config", "b=x=y");
        Succeeded(result);
        Assert.Equal("x=y", result.StdoutText);
    }

    [Fact]
    public async Task Stdin_is_the_input()
    {
        var result = await Cli.Run("aaa e"u8.ToArray(), "call", Cli.Plugin("count_vowels"), "count_vowels", "--stdin");
        Succeeded(result);
        Assert.Equal("""{"count":4,"total":4,"vowels":"aeiouAEIOU"}""", result.StdoutText);
    }

    [Fact]
    public async Task Output_bytes_reach_stdout_unchanged()
    {
        var input = new byte[200_000];
        new Random(7).NextBytes(input);
        var result = await Cli.Run(input, "call", Cli.Plugin("echo"), "echo", "--stdin");
        Succeeded(result);
        Assert.Equal(input, result.Stdout);
    }

    [Fact]
    public async Task Without_input_the_input_is_empty()
    {
        var result = await Cli.Run("call", Cli.Plugin("echo"), "echo");
        Succeeded(result);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task A_manifest_file_is_loaded_with_its_config()
    {
        using var dir = new TempDir();
        File.Copy(Cli.Plugin("count_vowels"), dir.File("cv.wasm"));
        var manifest = dir.Write("manifest.json", """{ "wasm": [ { "path": "cv.wasm" } ], "config": { "vowels": "lo" } }""");
        var result = await Cli.Run("call", manifest, "count_vowels", "--input", "Hello, World!");
        Succeeded(result);
        Assert.Equal("""{"count":5,"total":5,"vowels":"lo"}""", result.StdoutText);

        var overridden = await Cli.Run("call", manifest, "count_vowels", "--input", "Hello, World!", "--config", "vowels=H");
        Succeeded(overridden);
        Assert.Equal("""{"count":1,"total":1,"vowels":"H"}""", overridden.StdoutText);
    }

    [Fact]
    public async Task Link_adds_a_named_module_for_the_plugin_to_import()
    {
        using var dir = new TempDir();
        // The runtime accepts the text format in a .wasm file.
        var math = dir.Write("math.wasm", """
            (module
              (func (export "add") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1))))
            """);
        var main = dir.Write("main.wasm", """
            (module
              (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
              (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
              (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
              (import "math" "add" (func $add (param i64 i64) (result i64)))
              (func (export "answer") (result i32)
                (local $n i64) (local $h i64)
                (local.set $n (call $add (i64.const 40) (i64.const 2)))
                (local.set $h (call $alloc (i64.const 2)))
                (call $store_u8 (local.get $h) (i32.add (i32.const 48) (i32.wrap_i64 (i64.div_u (local.get $n) (i64.const 10)))))
                (call $store_u8 (i64.add (local.get $h) (i64.const 1)) (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $n) (i64.const 10)))))
                (call $output_set (local.get $h) (i64.const 2))
                (i32.const 0)))
            """);
        var result = await Cli.Run("call", main, "answer", "--link", $"math={math}");
        Succeeded(result);
        Assert.Equal("42", result.StdoutText);

        var unlinked = await Cli.Run("call", main, "answer");
        Assert.NotEqual(0, unlinked.ExitCode);
        Assert.Contains("math::add", Assert.Single(unlinked.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Log_level_info_sends_plugin_logs_to_stderr_only()
    {
        var result = await Cli.Run("call", Cli.Plugin("logger"), "log_all", "--input", "marker-8c1f", "--log-level", "info");
        Succeeded(result);
        Assert.Equal("ok", result.StdoutText);
        var logged = result.StderrLines.Where(l => l.Contains("marker-8c1f", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, logged.Length); // info, warn and error; not trace or debug
    }

    [Fact]
    public async Task Log_level_trace_shows_every_level_and_off_shows_none()
    {
        var trace = await Cli.Run("call", Cli.Plugin("logger"), "log_all", "--input", "marker-77aa", "--log-level", "trace");
        Succeeded(trace);
        Assert.Equal("ok", trace.StdoutText);
        Assert.Equal(5, trace.StderrLines.Count(l => l.Contains("marker-77aa", StringComparison.Ordinal)));

        var off = await Cli.Run("call", Cli.Plugin("logger"), "log_all", "--input", "marker-77aa", "--log-level", "off");
        Succeeded(off);
        Assert.Equal("ok", off.StdoutText);
        Assert.Equal("", off.Stderr);
    }

    [Fact]
    public async Task A_WASI_plugins_own_stdout_is_not_mixed_into_the_output()
    {
        using var dir = new TempDir();
        var plugin = dir.Write("wasi.wasm", WasiPlugin.Wat);
        var result = await Cli.Run("call", plugin, "print", "--wasi");
        Succeeded(result);
        Assert.Equal("printed", result.StdoutText);
        Assert.DoesNotContain("SECRET", result.Stderr, StringComparison.Ordinal);
    }
}
