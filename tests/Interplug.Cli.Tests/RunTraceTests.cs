namespace Interplug.Cli.Tests;

/// <summary><c>interplug run --trace</c>: the tree of calls on stderr, bounded in what it keeps.</summary>
public sealed class RunTraceTests
{
    /// <summary>bench_caller calling echo <paramref name="calls"/> times with <paramref name="size"/> bytes, traced; the stderr lines.</summary>
    private static async Task<string[]> TraceEchoCalls(int calls, int size)
    {
        var result = await Cli.Run("run", "bench_caller", "call_loop", "--plugins", RepoPaths.PluginsDist, "--input", $"{calls} echo echo {size}", "--trace");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal((calls * size).ToString(System.Globalization.CultureInfo.InvariantCulture), result.StdoutText);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("bench_caller.call_loop  ", lines[0], StringComparison.Ordinal);
        return lines;
    }

    [Fact]
    public async Task Trace_prints_the_call_tree()
    {
        var lines = await TraceEchoCalls(3, 5);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("├─ echo.echo  5 B in, 5 B out, ", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("├─ echo.echo  ", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("└─ echo.echo  ", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trace_keeps_the_first_ten_thousand_calls_and_counts_the_rest()
    {
        var lines = await TraceEchoCalls(12_000, 1);
        // The caller, its first 9,999 callees, and one line for the 2,001 calls left out.
        Assert.Equal(10_001, lines.Length);
        Assert.Equal(9_999, lines.Count(l => l.StartsWith("├─ echo.echo  ", StringComparison.Ordinal) || l.StartsWith("└─ echo.echo  ", StringComparison.Ordinal)));
        Assert.Equal("… 2001 more calls not shown: --trace keeps the first 10000", lines[^1]);
    }

    [Fact]
    public async Task Where_stdout_and_stderr_share_a_stream_the_tree_starts_on_its_own_line()
    {
        // The shell sends stderr where stdout goes, as a terminal shows them.
        var start = new System.Diagnostics.ProcessStartInfo("sh") { WorkingDirectory = Cli.RepoRoot, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "-c", "exec dotnet \"$@\" 2>&1", "sh", Cli.Dll, "run", "bench_caller", "call_loop", "--plugins", RepoPaths.PluginsDist, "--input", "2 echo echo 5", "--trace" })
            start.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var merged = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, merged);
        Assert.StartsWith("10\nbench_caller.call_loop  ", merged, StringComparison.Ordinal);
    }
}
