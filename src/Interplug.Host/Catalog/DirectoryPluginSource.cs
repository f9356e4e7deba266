using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Host.Catalog;

/// <summary>Plugins in a folder: <c>&lt;name&gt;.json</c> (an Extism manifest) or else <c>&lt;name&gt;.wasm</c>, as in the seed design.</summary>
public sealed class DirectoryPluginSource : IPluginSource
{
    /// <summary>A source over <paramref name="directory"/>.</summary>
    /// <param name="directory">The folder; it must exist.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public DirectoryPluginSource(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(Directory))
            throw new DirectoryNotFoundException($"plugin folder {Directory} does not exist");
    }

    /// <summary>The folder, as a full path.</summary>
    public string Directory { get; }

    /// <inheritdoc />
    public bool TryResolve(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Manifest? manifest)
    {
        var json = Path.Combine(Directory, name + ".json");
        var wasm = Path.Combine(Directory, name + ".wasm");
        manifest = File.Exists(json) ? Manifest.FromFile(json)
            : File.Exists(wasm) ? Manifest.FromWasmFile(wasm) with { Wasm = [new WasmSource { Path = wasm, Name = name }] }
            : null;
        return manifest is not null;
    }

    /// <summary>The names of the <c>.json</c> and <c>.wasm</c> files in the folder now that are valid plugin names, in ordinal order.</summary>
    public IEnumerable<string> Names() =>
        System.IO.Directory.EnumerateFiles(Directory, "*.json").Concat(System.IO.Directory.EnumerateFiles(Directory, "*.wasm"))
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .Where(IsValidName)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);

    private static bool IsValidName(string name)
    {
        try
        {
            PluginName.Validate(name);
            return true;
        }
        catch (PluginException)
        {
            return false;
        }
    }
}
