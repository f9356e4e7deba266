using System.Diagnostics;
using System.Globalization;

namespace Interplug.Cli.Tests;

/// <summary>
/// A private redis-server on loopback, started by the project's own scripts/redis.sh (which
/// installs the Debian package first where it is missing) in a temporary folder; disposing it
/// stops the server and deletes the folder.
/// </summary>
internal sealed class RedisServer : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5); // an install runs apt-get

    private readonly TempDir _dir;

    private RedisServer(TempDir dir, int port)
    {
        _dir = dir;
        Port = port;
    }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>The <c>--cluster</c> value of a cluster whose membership it keeps.</summary>
    public string Cluster => $"redis://127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var dir = new TempDir();
        try
        {
            var output = await Script("start", dir.Path);
            return new RedisServer(dir, int.Parse(output.Trim(), CultureInfo.InvariantCulture));
        }
        catch
        {
            await Script("stop", dir.Path);
            dir.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Script("stop", _dir.Path).GetAwaiter().GetResult();
        _dir.Dispose();
    }

    private static async Task<string> Script(string command, string dir)
    {
        var start = new ProcessStartInfo(Path.Combine(RepoPaths.Root, "scripts", "redis.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(command);
        start.ArgumentList.Add(dir);
        using var script = Process.Start(start) ?? throw new InvalidOperationException("scripts/redis.sh did not start");
        var stdout = script.StandardOutput.ReadToEndAsync();
        var stderr = script.StandardError.ReadToEndAsync();
        try
        {
            await script.WaitForExitAsync().WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            script.Kill(entireProcessTree: true);
            throw;
        }
        if (script.ExitCode != 0)
            throw new InvalidOperationException($"scripts/redis.sh {command} failed with exit {script.ExitCode}: {await stderr}");
        return await stdout;
    }
}
