using System.Diagnostics;
using System.Text;

namespace Interplug.Cli.Tests;

/// <summary>What one run of the CLI produced.</summary>
internal sealed record CliResult(int ExitCode, byte[] Stdout, string Stderr)
{
    public string StdoutText => Encoding.UTF8.GetString(Stdout);

    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\nstdout: {StdoutText}\nstderr: {Stderr}";
}

/// <summary>
/// Runs the published CLI (<c>dotnet artifacts/cli/interplug.dll</c>, what <c>./interplug</c> runs)
/// from the repository root as a child process, with a time limit.
/// </summary>
internal static class Cli
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public static string RepoRoot => RepoPaths.Root;

    public static string Dll => Path.Combine(RepoRoot, "artifacts", "cli", "interplug.dll");

    public static string Plugin(string name) => Path.Combine(RepoPaths.PluginsDist, name + ".wasm");

    public static Task<CliResult> Run(params string[] args) => Run(null, args);

    /// <summary>Starts the CLI with stdin, stdout and stderr redirected, for a test that drives the pipes itself.</summary>
    public static Process Start(params string[] args)
    {
        if (!File.Exists(Dll))
            throw new FileNotFoundException($"{Dll} is missing; run `make build` first", Dll);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepoRoot,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        return Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
    }

    public static async Task<CliResult> Run(byte[]? stdin, params string[] args)
    {
        using var process = Start(args);
        using var stdout = new MemoryStream();
        var reading = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
            await process.StandardInput.BaseStream.WriteAsync(stdin);
        process.StandardInput.Close();

        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"interplug {string.Join(' ', args)} did not finish within {Limit}");
        }
        await reading;
        return new CliResult(process.ExitCode, stdout.ToArray(), await stderr);
    }
}
