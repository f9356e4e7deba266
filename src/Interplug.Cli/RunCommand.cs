using System.CommandLine;
using Interplug.Host;
using Interplug.Host.Catalog;
using Interplug.Host.Policy;

namespace Interplug.Cli;

/// <summary><c>interplug run</c>: start a plugin as a process that may spawn and call others from a plugins folder.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var plugin = new Argument<string>("plugin") { Description = "Name of the plugin to start (<name>.wasm or <name>.json in --plugins)" };
        var export = new Argument<string>("export") { Description = "The export to call", DefaultValueFactory = _ => "run" };
        var plugins = new Option<string?>("--plugins") { Description = "Folder of plugins (required unless --cluster is given)" };
        var policy = new Option<string?>("--policy") { Description = "Policy file (JSON); without it every plugin may spawn any plugin of the folder, within default limits" };
        var trace = new Option<bool>("--trace") { Description = "Print the tree of plugin calls to stderr; on a cluster, with the silo each call ran on" };
        var warmUp = new Option<bool>("--warm-up") { Description = "Compile every plugin of --plugins first and report the ones that fail to stderr" };
        var cluster = ClusterOptions.Cluster(required: false);
        var gatewayPorts = new Option<string[]>("--gateway-port") { Description = $"With --cluster: a gateway port to connect to with localhost clustering (repeatable; default {ClusterOptions.DefaultGatewayPort})" };
        var options = new PluginCliOptions();
        var command = new Command("run", "Run a plugin as a process that can spawn and call other plugins") { plugin, export, plugins, policy, trace, warmUp, cluster, gatewayPorts };
        options.AddTo(command, manifestOptions: false);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            if (parse.GetValue(cluster) is { } connection)
            {
                RunOnCluster(parse, connection);
                return;
            }
            if (parse.GetResult(gatewayPorts) is { Implicit: false })
                throw new CliUsageException("--gateway-port needs --cluster");
            var directory = parse.GetValue(plugins) ?? throw new CliUsageException("--plugins is required unless --cluster is given");
            if (!Directory.Exists(directory))
                throw new CliUsageException($"--plugins: {directory} is not a directory");
            var input = options.ReadInput(parse);
            using var loggers = CliLogging.Create(options.LogLevel(parse));
            using var tracer = parse.GetValue(trace) ? new CallTrace() : null;
            var limits = options.Limits(parse);
            using var host = new PluginHost(new PluginHostOptions
            {
                // Only a host that meters fuel takes a fuel limit; metering costs every call, so only when asked.
                MeterFuel = limits.Fuel is not null ? true : null,
                Catalog = new PluginCatalog().AddDirectory(directory),
                Policy = parse.GetValue(policy) is { } file ? PluginPolicy.FromFile(file) : PluginPolicy.AllowAll,
                LoggerFactory = loggers,
                Wasi = options.Wasi(parse),
            });
            if (parse.GetValue(warmUp))
            {
                foreach (var failure in host.WarmUp().Failures)
                    Console.Error.WriteLine($"warm-up: {TerminalText.Escape(failure.Name)}: {CliErrors.Describe(failure.Error)}");
            }
            byte[]? output = null;
            try
            {
                using var process = host.Start(parse.GetValue(plugin)!, limits);
                output = process.Call(parse.GetValue(export)!, input);
                using var stdout = Console.OpenStandardOutput();
                stdout.Write(output);
            }
            finally
            {
                if (tracer is not null)
                {
                    // Where stdout and stderr share a terminal, the tree starts on a line of its own.
                    if (output is [.., not (byte)'\n'])
                        Console.Error.WriteLine();
                    tracer.Print(Console.Error);
                }
            }
        }));
        return command;

        void RunOnCluster(ParseResult parse, string connection)
        {
            var membership = ClusterConnection.Parse(connection);
            // The silos' catalogs, policies and limits apply; these would only mislead.
            foreach (var local in new Option[] { plugins, policy, warmUp }.Concat(options.LocalOnly))
                if (parse.GetResult(local) is { Implicit: false })
                    throw new CliUsageException($"{local.Name} does not apply with --cluster: the silos' own catalog, policy and limits do");
            if (parse.GetValue(gatewayPorts) is { Length: > 0 } given)
            {
                // Redis lists every silo's gateway: only development clustering needs to be told the ports.
                if (membership is not LocalhostCluster local)
                    throw new CliUsageException("--gateway-port does not apply with --cluster redis://: the silos' gateways are read from Redis");
                membership = local with { GatewayPorts = [.. given.Select(p => ClusterOptions.Port(p, "--gateway-port"))] };
            }
            var input = options.ReadInput(parse);
            using var client = ClusterOptions.Connect(membership);
            var host = ClusterOptions.PluginHost(client);
            var process = host.StartOnClusterAsync(parse.GetValue(plugin)!).GetAwaiter().GetResult();
            // Printed at once, so that whoever watches learns where the process runs while it runs.
            if (parse.GetValue(trace))
                Console.Error.WriteLine(TerminalText.Escape(process.ToString()));
            byte[] output;
            try
            {
                if (parse.GetValue(trace))
                {
                    var traced = process.CallTracedAsync(parse.GetValue(export)!, input).GetAwaiter().GetResult();
                    CallTrace.PrintHops(Console.Error, traced.Hops);
                    output = traced.Output;
                }
                else
                {
                    output = process.CallAsync(parse.GetValue(export)!, input).GetAwaiter().GetResult();
                }
            }
            finally
            {
                process.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            using var stdout = Console.OpenStandardOutput();
            stdout.Write(output);
        }
    }
}
