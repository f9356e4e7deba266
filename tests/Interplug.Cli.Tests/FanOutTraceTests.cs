namespace Interplug.Cli.Tests;

/// <summary><c>interplug run --trace</c> marks calls that ran at the same time as a sibling.</summary>
public sealed class FanOutTraceTests
{
    [Fact]
    public async Task Parallel_calls_are_siblings_marked_as_overlapping()
    {
        var result = await Cli.Run("run", "fanout", "pair", "--plugins", RepoPaths.PluginsDist, "--input", "parallel 200000000", "--trace");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("fanout.pair  ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("├─ ∥ fanout.burn  ", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("└─ ∥ fanout.burn  ", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calls_one_after_another_are_not_marked()
    {
        var result = await Cli.Run("run", "fanout", "pair", "--plugins", RepoPaths.PluginsDist, "--input", "sequence 1000", "--trace");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("∥", result.Stderr, StringComparison.Ordinal);
    }
}
