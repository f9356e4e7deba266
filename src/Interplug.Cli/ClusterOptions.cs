using System.CommandLine;
using System.Net;
using Interplug.Host;
using Interplug.Orleans;
using Interplug.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Interplug.Cli;

/// <summary>
/// How the CLI reaches a cluster: <c>--cluster localhost[:PORT]</c> is Orleans' development
/// clustering on this machine, whose primary silo listens on PORT (default 11111) and which the
/// other silos join; a client connects to the gateways given by <c>--gateway-port</c>.
/// </summary>
internal static class ClusterOptions
{
    public const int DefaultPrimaryPort = 11111;
    public const int DefaultGatewayPort = 30000;

    /// <summary>How long a client tries to reach the cluster's gateways.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    public static Option<string?> Cluster(bool required) => new("--cluster")
    {
        Description = $"The cluster: localhost[:PORT] (development clustering on this machine; its primary silo listens on PORT, default {DefaultPrimaryPort})",
        Required = required,
    };

    /// <summary>The primary silo's endpoint a <c>--cluster</c> value names.</summary>
    public static IPEndPoint PrimarySilo(string cluster)
    {
        const string Localhost = "localhost";
        if (cluster == Localhost)
            return new IPEndPoint(IPAddress.Loopback, DefaultPrimaryPort);
        if (cluster.StartsWith(Localhost + ":", StringComparison.Ordinal))
            return new IPEndPoint(IPAddress.Loopback, Port(cluster[(Localhost.Length + 1)..], "--cluster"));
        throw new CliUsageException($"--cluster: expected localhost or localhost:PORT, got \"{cluster}\"");
    }

    public static int Port(string text, string option) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is > 0 and <= IPEndPoint.MaxPort
            ? port
            : throw new CliUsageException($"{option}: expected a port between 1 and {IPEndPoint.MaxPort}, got \"{text}\"");

    /// <summary>
    /// Starts an Orleans client of the cluster's gateways, with <see cref="IPluginHost"/> registered;
    /// dispose it to disconnect. It logs nothing: plugins log on their silos, and a client's
    /// connection retries would bury the one line that says what failed.
    /// </summary>
    public static IHost Connect(IReadOnlyList<int> gatewayPorts)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client => client.UseLocalhostClustering([.. gatewayPorts]).AddInterplug());
        var host = builder.Build();
        // Orleans retries its gateways for as long as the start may take: a CLI gives up sooner.
        using var patience = new CancellationTokenSource(ConnectTimeout);
        try
        {
            host.StartAsync(patience.Token).GetAwaiter().GetResult();
            return host;
        }
        catch (Exception e) when (e is not PluginException)
        {
            host.Dispose();
            var why = patience.IsCancellationRequested ? $"no answer within {ConnectTimeout.TotalSeconds:0} s" : e.Message;
            throw new PluginException(PluginErrorKind.Unavailable, $"cannot reach the cluster's gateways on ports {string.Join(", ", gatewayPorts)}: {why}", e);
        }
    }

    /// <summary>The cluster host of a connected client.</summary>
    public static ClusterPluginHost PluginHost(IHost client) => client.Services.GetRequiredService<ClusterPluginHost>();
}
