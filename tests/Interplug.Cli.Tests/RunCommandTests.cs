namespace Interplug.Cli.Tests;

/// <summary><c>interplug run</c>: a plugin of a folder started as a process, within the limits given.</summary>
public sealed class RunCommandTests
{
    [Fact]
    public async Task Run_with_enough_fuel_finishes()
    {
        var result = await Cli.Run("run", "count_vowels", "count_vowels", "--plugins", RepoPaths.PluginsDist, "--input", "a", "--fuel", "10000000");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("""{"count":1,"total":1,"vowels":"aeiouAEIOU"}""", result.StdoutText);
    }

    [Fact]
    public async Task Run_fuel_stops_an_endless_loop()
    {
        var result = await Cli.Run("run", "loop_forever", "loop_forever", "--plugins", RepoPaths.PluginsDist, "--fuel", "10000");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("(out-of-fuel)", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Warm_up_reports_the_plugins_that_fail_to_compile_and_runs_the_rest()
    {
        using var dir = new TempDir();
        File.Copy(Cli.Plugin("echo"), dir.File("echo.wasm"));
        dir.Write("broken.wasm", "\0asm but not really"u8.ToArray());

        var warmed = await Cli.Run("run", "echo", "echo", "--plugins", dir.Path, "--input", "hi", "--warm-up");
        var lazy = await Cli.Run("run", "echo", "echo", "--plugins", dir.Path, "--input", "hi");

        Assert.True(warmed.ExitCode == 0, warmed.ToString());
        Assert.Equal("hi", warmed.StdoutText);
        Assert.StartsWith("warm-up: broken: error (bad-module): ", Assert.Single(warmed.StderrLines), StringComparison.Ordinal);
        Assert.True(lazy.ExitCode == 0 && lazy.Stderr.Length == 0, lazy.ToString());
    }
}
