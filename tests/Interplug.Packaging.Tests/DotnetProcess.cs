using System.Diagnostics;

namespace Interplug.Packaging.Tests;

/// <summary>What one run of a child process produced.</summary>
internal sealed record ProcessResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"{Command}\nexit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>
/// Runs <c>dotnet</c> (or a tool it installed) as a child process with a time limit, isolated from
/// the test run's own MSBuild: no MSBuild variables inherited, no build nodes or compiler server
/// left behind (they would hold the output pipes open after the command exits).
/// </summary>
internal static class DotnetProcess
{
    /// <summary>A hang guard for one command, far above what any of them takes on a busy machine.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    public static ProcessResult Dotnet(string workingDirectory, params string[] args) => Run("dotnet", workingDirectory, args);

    /// <summary>Runs the command and asserts that it exited with 0.</summary>
    public static ProcessResult Succeeds(string file, string workingDirectory, params string[] args)
    {
        var result = Run(file, workingDirectory, args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    public static ProcessResult Run(string file, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["UseSharedCompilation"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        var command = $"{file} {string.Join(' ', args)}";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{command} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} did not finish within {Limit}");
        }
        return new ProcessResult(command, process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}
