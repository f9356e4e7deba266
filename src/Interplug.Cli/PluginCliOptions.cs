using System.CommandLine;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Cli;

/// <summary>The options every command that runs a plugin shares, and how they amend its manifest.</summary>
internal sealed class PluginCliOptions
{
    private readonly Option<string?> _input = new("--input", "-i") { Description = "Input text" };
    private readonly Option<bool> _stdin = new("--stdin") { Description = "Read the input from stdin" };
    private readonly Option<string[]> _config = new("--config") { Description = "Config entry KEY=VALUE (repeatable)" };
    private readonly Option<bool> _wasi = new("--wasi") { Description = "Give the plugin WASI preview 1" };
    private readonly Option<string[]> _allowHost = new("--allow-host") { Description = "Host name glob the plugin may reach over HTTP (repeatable)" };
    private readonly Option<string[]> _allowPath = new("--allow-path") { Description = "Preopen [ro:]HOST_DIR:GUEST_DIR (repeatable; implies --wasi)" };
    private readonly Option<long?> _timeout = LimitOption.Create("--timeout", "Timeout of each call in milliseconds; one too long to represent means none", "milliseconds");
    private readonly Option<long?> _fuel = LimitOption.Create("--fuel", "Fuel of each call (about one unit per instruction)", "fuel units");
    // No more than a policy rule takes: `run` passes it on as one.
    private readonly Option<long?> _maxPages = LimitOption.Create("--memory-max-pages", "Memory budget in 64 KiB pages for all the plugin's memories", "pages", Interplug.Host.Policy.PolicyRule.MaxMemoryPagesLimit);
    private readonly Option<string[]> _link = new("--link") { Description = "Link NAME=FILE.wasm into the plugin's imports (repeatable)" };
    private readonly Option<string> _logLevel = new("--log-level")
    {
        Description = "Plugin log level: trace, debug, info, warn, error or off",
        DefaultValueFactory = _ => "warn",
    };

    public PluginCliOptions() => _logLevel.AcceptOnlyFromAmong(CliLogging.Levels);

    /// <summary>Adds the options to a command; without <paramref name="manifestOptions"/>, only those that do not amend a single plugin's manifest.</summary>
    public void AddTo(Command command, bool manifestOptions = true)
    {
        Option[] all = manifestOptions
            ? [_input, _stdin, _config, _wasi, _allowHost, _allowPath, _timeout, _fuel, _maxPages, _link, _logLevel]
            : [_input, _stdin, _wasi, _timeout, _fuel, _maxPages, _logLevel];
        foreach (var option in all)
            command.Options.Add(option);
    }

    public bool Wasi(ParseResult parse) => parse.GetValue(_wasi);

    /// <summary>The options that set up a host in this process, which a cluster's silos set up for themselves.</summary>
    public IEnumerable<Option> LocalOnly => [_wasi, _timeout, _fuel, _maxPages];

    /// <summary>The limits given on the command line, as a policy rule that narrows the top-level plugin.</summary>
    public Host.Policy.PolicyRule Limits(ParseResult parse) => new()
    {
        TimeoutMs = parse.GetValue(_timeout),
        Fuel = parse.GetValue(_fuel),
        MemoryMaxPages = parse.GetValue(_maxPages),
    };

    public string LogLevel(ParseResult parse) => parse.GetValue(_logLevel)!;

    public byte[] ReadInput(ParseResult parse)
    {
        var text = parse.GetValue(_input);
        if (parse.GetValue(_stdin))
        {
            if (text is not null)
                throw new CliUsageException("use either --input or --stdin, not both");
            using var buffer = new MemoryStream();
            Console.OpenStandardInput().CopyTo(buffer);
            return buffer.ToArray();
        }
        return text is null ? [] : System.Text.Encoding.UTF8.GetBytes(text);
    }

    public PluginOptions PluginOptions(ParseResult parse) => new()
    {
        Wasi = parse.GetValue(_wasi) || (parse.GetValue(_allowPath)?.Length ?? 0) > 0,
        FuelPerCall = parse.GetValue(_fuel),
    };

    /// <summary>Command-line settings win over the manifest's; lists and maps are extended.</summary>
    public Manifest ApplyTo(Manifest manifest, ParseResult parse)
    {
        var config = new Dictionary<string, string>(manifest.Config);
        foreach (var entry in parse.GetValue(_config) ?? [])
        {
            var (key, value) = Split(entry, '=', "--config", "KEY=VALUE");
            config[key] = value;
        }
        var paths = new Dictionary<string, string>(manifest.AllowedPaths);
        foreach (var entry in parse.GetValue(_allowPath) ?? [])
        {
            var readOnly = entry.StartsWith("ro:", StringComparison.Ordinal);
            var (host, guest) = Split(readOnly ? entry[3..] : entry, ':', "--allow-path", "[ro:]HOST_DIR:GUEST_DIR");
            paths[(readOnly ? "ro:" : "") + host] = guest;
        }
        var links = (parse.GetValue(_link) ?? []).Select(entry =>
        {
            var (name, file) = Split(entry, '=', "--link", "NAME=FILE.wasm");
            return new WasmSource { Name = name, Path = Path.GetFullPath(file) };
        });
        return manifest with
        {
            Wasm = [.. links, .. manifest.Wasm],
            Config = config,
            AllowedHosts = [.. manifest.AllowedHosts, .. parse.GetValue(_allowHost) ?? []],
            AllowedPaths = paths,
            TimeoutMs = parse.GetValue(_timeout) ?? manifest.TimeoutMs,
            Memory = manifest.Memory with { MaxPages = parse.GetValue(_maxPages) ?? manifest.Memory.MaxPages },
        };
    }

    private static (string, string) Split(string entry, char separator, string option, string shape)
    {
        var at = entry.IndexOf(separator, StringComparison.Ordinal);
        if (at <= 0)
            throw new CliUsageException($"{option} expects {shape}, got \"{entry}\"");
        return (entry[..at], entry[(at + 1)..]);
    }
}
