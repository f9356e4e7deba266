namespace Interplug.Cli.Tests;

/// <summary>
/// <c>interplug call</c> when things fail: a non-zero exit code and exactly one line on stderr
/// naming the kind of failure, never a stack trace, and nothing on stdout.
/// </summary>
public sealed class CliFailureTests
{
    private static string FailsWithOneLine(CliResult result, string? kind = null)
    {
        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        var line = Assert.Single(result.StderrLines);
        if (kind is not null)
            Assert.Contains($"({kind})", line, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
        return line;
    }

    private static string FailsAsUsageError(CliResult result)
    {
        var line = FailsWithOneLine(result);
        Assert.Equal(2, result.ExitCode);
        return line;
    }

    [Fact]
    public async Task Timeout_stops_an_endless_loop()
    {
        var result = await Cli.Run("call", Cli.Plugin("loop_forever"), "loop_forever", "--timeout", "100");
        var line = FailsWithOneLine(result, "timeout");
        Assert.Contains("timeout", line, StringComparison.Ordinal);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task Fuel_stops_an_endless_loop()
    {
        FailsWithOneLine(await Cli.Run("call", Cli.Plugin("loop_forever"), "loop_forever", "--fuel", "10000"), "out-of-fuel");
    }

    [Fact]
    public async Task Enough_fuel_lets_a_call_finish()
    {
        var result = await Cli.Run("call", Cli.Plugin("count_vowels"), "count_vowels", "--input", "a", "--fuel", "10000000");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("""{"count":1,"total":1,"vowels":"aeiouAEIOU"}""", result.StdoutText);
    }

    [Fact]
    public async Task Memory_max_pages_stops_the_memory_bomb()
    {
        FailsWithOneLine(await Cli.Run("call", Cli.Plugin("memory_bomb"), "grow", "--memory-max-pages", "20"), "out-of-memory");
    }

    [Fact]
    public async Task A_missing_plugin_file_is_one_line()
    {
        var line = FailsWithOneLine(await Cli.Run("call", "no/such/plugin.wasm", "f"));
        Assert.Contains("plugin.wasm", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_manifest_file_is_one_line()
    {
        var line = FailsWithOneLine(await Cli.Run("call", "no/such/manifest.json", "f"), "invalid-manifest");
        Assert.Contains("manifest.json", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_export_fails()
    {
        var line = FailsWithOneLine(await Cli.Run("call", Cli.Plugin("count_vowels"), "no_such_export"), "export-not-found");
        Assert.Contains("no_such_export", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("trap", "trap")]
    [InlineData("fail", "plugin-error")]
    [InlineData("fail_zero", "plugin-error")]
    [InlineData("exit_code", "non-zero-exit-code")]
    public async Task A_failing_call_names_its_kind(string export, string kind)
    {
        FailsWithOneLine(await Cli.Run("call", Cli.Plugin("trap"), export), kind);
    }

    [Fact]
    public async Task A_file_that_is_not_wasm_is_a_bad_module()
    {
        using var dir = new TempDir();
        var path = dir.Write("junk.wasm", "this is not webassembly");
        FailsWithOneLine(await Cli.Run("call", path, "f"), "bad-module");
    }

    [Fact]
    public async Task A_missing_import_is_named()
    {
        using var dir = new TempDir();
        var path = dir.Write("imports.wasm", """(module (import "foo" "bar" (func)) (func (export "f") (result i32) (i32.const 0)))""");
        var line = FailsWithOneLine(await Cli.Run("call", path, "f"), "missing-import");
        Assert.Contains("foo::bar", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_WASI_plugin_without_wasi_fails_with_a_hint()
    {
        using var dir = new TempDir();
        var path = dir.Write("wasi.wasm", WasiPlugin.Wat);
        var line = FailsWithOneLine(await Cli.Run("call", path, "print"), "missing-import");
        Assert.Contains("WASI", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--loop", "0")]
    [InlineData("--config", "no-equals-sign")]
    [InlineData("--config", "=value")]
    [InlineData("--link", "no-equals-sign")]
    [InlineData("--allow-path", "no-colon")]
    public async Task A_malformed_option_is_a_usage_error(string option, string value)
    {
        FailsAsUsageError(await Cli.Run("call", Cli.Plugin("count_vowels"), "count_vowels", option, value));
    }

    [Theory]
    [InlineData("--timeout", "0")]
    [InlineData("--timeout", "-5")]
    [InlineData("--timeout", "1.5")]
    [InlineData("--timeout", "99999999999999999999")]
    [InlineData("--fuel", "0")]
    [InlineData("--fuel", "-1")]
    [InlineData("--memory-max-pages", "0")]
    [InlineData("--memory-max-pages", "1048577")]
    [InlineData("--loop", "-1")]
    [InlineData("--loop", "many")]
    public async Task An_out_of_range_limit_is_a_usage_error_before_anything_runs(string option, string value)
    {
        var line = FailsAsUsageError(await Cli.Run("call", Cli.Plugin("count_vowels"), "count_vowels", "--input", "a", option, value));
        Assert.StartsWith($"error: {option} takes a whole number of ", line, StringComparison.Ordinal);
        Assert.EndsWith($"got \"{value}\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_usage_error_escapes_the_value_it_quotes()
    {
        var line = FailsAsUsageError(await Cli.Run("call", Cli.Plugin("count_vowels"), "count_vowels", "--timeout", "\u001b[2J"));
        Assert.EndsWith(@"got ""\x1b[2J""", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--timeout", "0")]
    [InlineData("--fuel", "-1")]
    [InlineData("--memory-max-pages", "0")]
    public async Task Run_checks_its_limits_too(string option, string value)
    {
        FailsAsUsageError(await Cli.Run("run", "count_vowels", "count_vowels", "--plugins", RepoPaths.PluginsDist, "--input", "a", option, value));
    }

    [Fact]
    public async Task Input_and_stdin_together_are_a_usage_error()
    {
        FailsAsUsageError(await Cli.Run("x"u8.ToArray(), "call", Cli.Plugin("count_vowels"), "count_vowels", "--input", "x", "--stdin"));
    }

    [Fact]
    public async Task An_unknown_option_or_missing_argument_fails()
    {
        var unknown = await Cli.Run("call", Cli.Plugin("count_vowels"), "count_vowels", "--no-such-option");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.DoesNotContain("   at ", unknown.Stderr, StringComparison.Ordinal);

        var missing = await Cli.Run("call", Cli.Plugin("count_vowels"));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.DoesNotContain("   at ", missing.Stderr, StringComparison.Ordinal);
    }
}
