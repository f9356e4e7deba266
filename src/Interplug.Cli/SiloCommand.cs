using System.CommandLine;
using Interplug.Host;
using Interplug.Host.Catalog;
using Interplug.Host.Policy;
using Interplug.Orleans;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Interplug.Cli;

/// <summary><c>interplug silo</c>: run an Orleans silo that hosts plugin processes, in the foreground until SIGINT or SIGTERM.</summary>
internal static class SiloCommand
{
    public static Command Create()
    {
        var plugins = new Option<string>("--plugins") { Description = "Folder of plugins this silo runs", Required = true };
        var policy = new Option<string?>("--policy") { Description = "Policy file (JSON); without it every plugin may spawn any plugin of the folder, within default limits" };
        var cluster = ClusterOptions.Cluster(required: true);
        var port = new Option<string>("--port") { Description = $"Port for silo-to-silo traffic (default {ClusterOptions.DefaultPrimaryPort}: the primary silo)", DefaultValueFactory = _ => ClusterOptions.DefaultPrimaryPort.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var gatewayPort = new Option<string>("--gateway-port") { Description = $"Port clients connect to (default {ClusterOptions.DefaultGatewayPort})", DefaultValueFactory = _ => ClusterOptions.DefaultGatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var logLevel = new Option<string>("--log-level") { Description = "Log level of the silo and its plugins: trace, debug, info, warn, error or off", DefaultValueFactory = _ => "warn" };
        logLevel.AcceptOnlyFromAmong(CliLogging.Levels);
        var command = new Command("silo", "Run an Orleans silo that hosts plugin processes; prints `ready <address>` once it serves, stops on SIGINT or SIGTERM")
        {
            plugins, policy, cluster, port, gatewayPort, logLevel,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var directory = parse.GetValue(plugins)!;
            if (!Directory.Exists(directory))
                throw new CliUsageException($"--plugins: {directory} is not a directory");
            var options = new PluginHostOptions
            {
                Catalog = new PluginCatalog().AddDirectory(directory),
                Policy = parse.GetValue(policy) is { } file ? PluginPolicy.FromFile(file) : PluginPolicy.AllowAll,
            };
            var membership = ClusterConnection.Parse(parse.GetValue(cluster)!);
            var siloPort = ClusterOptions.Port(parse.GetValue(port)!, "--port");
            var clientPort = ClusterOptions.Port(parse.GetValue(gatewayPort)!, "--gateway-port");

            var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Logging.ClearProviders();
            CliLogging.Configure(builder.Logging, parse.GetValue(logLevel)!);
            builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
            builder.UseOrleans(silo =>
            {
                membership.Join(silo, siloPort, clientPort);
                silo.AddInterplug(options);
            });
            using var host = builder.Build();
            try
            {
                host.StartAsync().GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new CliFailureException($"the silo did not start: {membership.Explain(e)}", e);
            }
            Console.Out.WriteLine($"ready {host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.Endpoint}");
            Console.Out.Flush();
            // ConsoleLifetime turns SIGINT and SIGTERM into a graceful stop of the silo.
            host.WaitForShutdown();
        }));
        return command;
    }
}
