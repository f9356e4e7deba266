using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Interplug.Host;
using Interplug.Host.Catalog;
using Interplug.Host.Inspection;
using Interplug.Host.Policy;

namespace Interplug.Cli;

/// <summary><c>interplug inspect</c>: what a plugin can reach, and what the policy allows it, before it runs.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var plugin = new Argument<string>("plugin") { Description = "Name of the plugin in --plugins, or without --plugins a .wasm or .json file (its folder is the catalog)" };
        var plugins = new Option<string?>("--plugins") { Description = "Folder of plugins" };
        var policy = new Option<string?>("--policy") { Description = "Policy file (JSON); without it every plugin may spawn any plugin of the folder, as for run" };
        var wasi = new Option<bool>("--wasi") { Description = "Inspect as a host that gives plugins WASI preview 1" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var command = new Command("inspect", "Show a plugin's exports, what it imports from the host, WASI and other plugins, and which plugin imports the policy allows")
        {
            plugin, plugins, policy, wasi, json,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var (directory, name) = Locate(parse.GetValue(plugin)!, parse.GetValue(plugins));
            using var host = new PluginHost(new PluginHostOptions
            {
                Catalog = new PluginCatalog().AddDirectory(directory),
                Policy = parse.GetValue(policy) is { } file ? PluginPolicy.FromFile(file) : PluginPolicy.AllowAll,
                Wasi = parse.GetValue(wasi),
            });
            var report = host.Inspect(name);
            if (parse.GetValue(json))
                Console.Out.WriteLine(JsonSerializer.Serialize(report, JsonOptions.GetTypeInfo(typeof(PluginReport))));
            else
                Print(report, Console.Out);
        }));
        return command;
    }

    // Relaxed escaping keeps "->" readable; control characters are still escaped.
    private static readonly JsonSerializerOptions JsonOptions = new(InspectJson.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static (string Directory, string Name) Locate(string plugin, string? plugins)
    {
        if (plugins is not null)
        {
            if (!Directory.Exists(plugins))
                throw new CliUsageException($"--plugins: {plugins} is not a directory");
            return (plugins, plugin);
        }
        if (!File.Exists(plugin))
            throw new CliUsageException($"{plugin} is not a file; give a .wasm or .json file, or a plugin name with --plugins DIR");
        return (Path.GetDirectoryName(Path.GetFullPath(plugin))!, Path.GetFileNameWithoutExtension(plugin));
    }

    // Every name below comes from the module or the policy: escaped, so that none can forge a line.
    private static void Print(PluginReport report, TextWriter output)
    {
        output.WriteLine($"plugin {TerminalText.Escape(report.Name)}");
        output.WriteLine(report.PolicyRule is { } rule
            ? $"policy rule \"{TerminalText.Escape(rule)}\": may spawn {(report.MaySpawn.Count == 0 ? "nothing" : TerminalText.Escape(string.Join(", ", report.MaySpawn)))}"
            : "policy rule: none, so it may spawn nothing");
        Section(output, "exports", report.Exports.Select(TerminalText.Escape));
        Section(output, "host imports", report.HostImports.Select(Describe));
        Section(output, "WASI imports", report.WasiImports.Select(Describe));
        Section(output, "plugin imports", report.PluginImports.Select(i =>
            $"{TerminalText.Escape(i.Plugin)}.{TerminalText.Escape(i.Export)}: " +
            (i.Refusal is { } kind ? $"refused ({CliErrors.Kebab(kind)}): {TerminalText.Escape(i.Reason!)}" : "allowed")));
    }

    private static string Describe(ImportedHostFunction import) =>
        TerminalText.Escape($"{import.Module}::{import.Name} {import.Type}");

    private static void Section(TextWriter output, string title, IEnumerable<string> lines)
    {
        var all = lines.ToArray();
        output.WriteLine($"{title}:{(all.Length == 0 ? " none" : "")}");
        foreach (var line in all)
            output.WriteLine($"  {line}");
    }
}

/// <summary>The JSON form of <c>inspect --json</c>: snake_case keys, error kinds by name.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(PluginReport))]
internal sealed partial class InspectJson : JsonSerializerContext;
