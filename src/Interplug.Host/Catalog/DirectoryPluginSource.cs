using Interplug.Runtime.Manifests;

namespace Interplug.Host.Catalog;

/// <summary>Plugins in a folder: <c>&lt;name&gt;.json</c> (an Extism manifest) or else <c>&lt;name&gt;.wasm</c>, as in the seed design.</summary>
/// <param name="directory">The folder.</param>
public sealed class DirectoryPluginSource(string directory) : IPluginSource
{
    /// <summary>The folder, as a full path.</summary>
    public string Directory { get; } = Path.GetFullPath(directory);

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
}
