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
/// The options that say how the CLI reaches a cluster (see <see cref="ClusterConnection"/>), and the client connection.
/// </summary>
internal static class ClusterOptions
{
    public const int DefaultPrimaryPort = 11111;
    public const int DefaultGatewayPort = 30000;

    /// <summary>How long a client tries to reach the cluster's gateways.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    public static Option<string?> Cluster(bool required) => new("--cluster")
    {
        Description = $"The cluster: localhost[:PORT] (development clustering on this machine; its primary silo listens on PORT, default {DefaultPrimaryPort}) or redis://HOST[:PORT] (membership in Redis, default port {ClusterConnection.DefaultRedisPort})",
        Required = required,
    };

    public static int Port(string text, string option) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is > 0 and <= IPEndPoint.MaxPort
            ? port
            : throw new CliUsageException($"{option}: expected a port between 1 and {IPEndPoint.MaxPort}, got \"{text}\"");

    /// <summary>
    /// Starts an Orleans client of the cluster's gateways, with <see cref="IPluginHost"/> registered;
    /// dispose it to disconnect. It logs nothing: plugins log on their silos, and a client's
    /// connection retries would bury the one line that says what failed.
    /// </summary>
    public static IHost Connect(ClusterConnection cluster)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client => 
        {
            cluster.Join(client);
            client.AddInterplug();
        });
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
            var why = patience.IsCancellationRequested ? $"no answer within {ConnectTimeout.TotalSeconds:0} s" : cluster.Explain(e);
            throw new PluginException(PluginErrorKind.Unavailable, $"cannot reach {cluster.Entrance}: {why}", e);
        }
    }

    /// <summary>The cluster host of a connected client.</summary>
    public static ClusterPluginHost PluginHost(IHost client) => client.Services.GetRequiredService<ClusterPluginHost>();
}
