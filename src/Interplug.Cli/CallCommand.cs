using System.CommandLine;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Cli;

/// <summary><c>interplug call</c>: run one export of one plugin, like <c>extism call</c>.</summary>
internal static class CallCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("plugin") { Description = "A .wasm file or an Extism manifest (.json)" };
        var function = new Argument<string>("function") { Description = "The export to call" };
        var loop = LimitOption.Create("--loop", "Call the same instance N times; outputs are separated by newlines [default: 1]", "calls");
        var options = new PluginCliOptions();
        var command = new Command("call", "Call an export of a plugin and write its output to stdout") { file, function, loop };
        options.AddTo(command);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var count = parse.GetValue(loop) ?? 1;
            var input = options.ReadInput(parse);
            using var loggers = CliLogging.Create(options.LogLevel(parse));
            using var runtime = new PluginRuntime(new PluginRuntimeOptions { LoggerFactory = loggers });
            var manifest = options.ApplyTo(LoadManifest(parse.GetValue(file)!), parse);
            using var plugin = runtime.Compile(manifest, options.PluginOptions(parse));
            using var instance = plugin.Instantiate();
            using var stdout = Console.OpenStandardOutput();
            var export = parse.GetValue(function)!;
            for (var i = 0L; i < count; i++)
            {
                if (i > 0)
                    stdout.WriteByte((byte)'\n');
                stdout.Write(instance.Call(export, input));
                stdout.Flush();
            }
        }));
        return command;
    }

    public static Manifest LoadManifest(string path) =>
        path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? Manifest.FromFile(path) : Manifest.FromWasmFile(path);
}
