using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Interplug.Cli.Tests;

/// <summary>Starts <c>interplug silo</c> processes on loopback for the cluster tests, and the ports they need.</summary>
internal static class ClusterProcesses
{
    /// <summary>How long a silo may take to start, or a process to stop, on a busy machine.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    /// <summary>Starts a silo of the plugins in plugins/dist and waits until it prints <c>ready 127.0.0.1:PORT</c>.</summary>
    public static async Task<Process> StartSilo(string cluster, int port, int gatewayPort, params string[] more)
    {
        var silo = Cli.Start(["silo", "--plugins", RepoPaths.PluginsDist, "--cluster", cluster, "--port", $"{port}", "--gateway-port", $"{gatewayPort}", .. more]);
        try
        {
            _ = silo.StandardError.ReadToEndAsync();
            Assert.Equal($"ready 127.0.0.1:{port}", await silo.StandardOutput.ReadLineAsync().WaitAsync(Patience));
            return silo;
        }
        catch
        {
            silo.Kill(entireProcessTree: true);
            silo.Dispose();
            throw;
        }
    }

    /// <summary>Kills every process of these that still runs.</summary>
    public static void KillAll(params Process[] processes)
    {
        foreach (var process in processes)
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
    }

    /// <summary>A loopback port nobody listens on now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
