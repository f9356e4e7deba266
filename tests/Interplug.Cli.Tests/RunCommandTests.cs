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
}
