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
        var plugins = new Option<string>("--plugins") { Description = "Folder of plugins", Required = true };
        var policy = new Option<string?>("--policy") { Description = "Policy file (JSON); without it every plugin may spawn any plugin of the folder, within default limits" };
        var trace = new Option<bool>("--trace") { Description = "Print the tree of plugin calls to stderr" };
        var warmUp = new Option<bool>("--warm-up") { Description = "Compile every plugin of --plugins first and report the ones that fail to stderr" };
        var options = new PluginCliOptions();
        var command = new Command("run", "Run a plugin as a process that can spawn and call other plugins") { plugin, export, plugins, policy, trace, warmUp };
        options.AddTo(command, manifestOptions: false);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var directory = parse.GetValue(plugins)!;
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
    }
}
