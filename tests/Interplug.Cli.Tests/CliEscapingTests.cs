namespace Interplug.Cli.Tests;

/// <summary>
/// Plugin text on stderr (logs, error messages, trace names) is escaped: one log call is one line,
/// one failure is one <c>error (kind): ...</c> line, and no control character reaches the terminal.
/// </summary>
public sealed class CliEscapingTests
{
    private const string EscapedForgery = @"ok\r\nerror (trap): forged\x1b[2J\u009b";

    /// <summary>The lines a terminal would show: CR starts one as much as LF does.</summary>
    private static string[] TerminalLines(CliResult result) => result.Stderr.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries);

    private static void NoControlCharacters(CliResult result)
    {
        Assert.DoesNotContain('\u001b', result.Stderr);
        Assert.DoesNotContain('\r', result.Stderr);
        Assert.DoesNotContain('\u009b', result.Stderr);
    }

    [Fact]
    public async Task A_plugin_log_is_one_escaped_line()
    {
        using var dir = new TempDir();
        var result = await Cli.Run("call", dir.Write("forger.wasm", ForgingPlugins.Forger), "log");
        Assert.True(result.ExitCode == 0, result.ToString());
        NoControlCharacters(result);
        var line = Assert.Single(TerminalLines(result));
        Assert.EndsWith(EscapedForgery, line, StringComparison.Ordinal);
        Assert.DoesNotContain(TerminalLines(result), l => l.StartsWith("error", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_plugin_error_message_is_one_escaped_error_line()
    {
        using var dir = new TempDir();
        var result = await Cli.Run("call", dir.Write("forger.wasm", ForgingPlugins.Forger), "fail");
        Assert.Equal(1, result.ExitCode);
        NoControlCharacters(result);
        var line = Assert.Single(TerminalLines(result));
        Assert.StartsWith("error (plugin-error): ", line, StringComparison.Ordinal);
        Assert.Contains(EscapedForgery, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trace_names_and_errors_are_escaped()
    {
        using var dir = new TempDir();
        var plugins = dir.Dir("plugins");
        File.WriteAllText(Path.Combine(plugins, "forger.wasm"), ForgingPlugins.Forger);
        File.WriteAllText(Path.Combine(plugins, "caller.wasm"), ForgingPlugins.Caller);
        var result = await Cli.Run("run", "caller", "run", "--plugins", plugins, "--trace");
        Assert.Equal(1, result.ExitCode);
        NoControlCharacters(result);
        var lines = TerminalLines(result);
        Assert.Single(lines, l => l.StartsWith("error", StringComparison.Ordinal));
        // The caller's line, the forger's line below it, and the error line.
        Assert.Equal(3, lines.Length);
        Assert.Contains(lines, l => l.Contains("forger.fail" + EscapedForgery, StringComparison.Ordinal));
    }
}
