using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Host.Catalog;

/// <summary>
/// Resolves plugin names to modules through its sources, in the order they were added. A name
/// can be pinned to the SHA-256 of its main module. It only resolves: each host compiles and
/// caches plugins on its own runtime, so one catalog may serve several hosts. Configure it before
/// the first host starts; resolving is thread-safe.
/// </summary>
public sealed class PluginCatalog
{
    private readonly List<IPluginSource> _sources = [];
    private readonly Dictionary<string, string> _pins = new(StringComparer.Ordinal);
    private ManifestPluginSource? _inCode;

    /// <summary>Adds a source; earlier sources win when two have the same name.</summary>
    public PluginCatalog AddSource(IPluginSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        _sources.Add(source);
        return this;
    }

    /// <summary>Adds a folder of <c>&lt;name&gt;.wasm</c> and <c>&lt;name&gt;.json</c> plugins.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public PluginCatalog AddDirectory(string directory) => AddSource(new DirectoryPluginSource(directory));

    /// <summary>Adds one plugin from a manifest, for example <see cref="Manifest.FromBytes"/> of an in-memory module.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid plugin name (see <see cref="PluginName.Validate"/>).</exception>
    public PluginCatalog Add(string name, Manifest manifest)
    {
        if (_inCode is null)
            AddSource(_inCode = new ManifestPluginSource());
        _inCode.Add(name, manifest);
        return this;
    }

    /// <summary>Requires the main module of <paramref name="name"/> to have this SHA-256 (hex).</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid plugin name, or the hash is empty.</exception>
    public PluginCatalog Pin(string name, string sha256)
    {
        PluginName.ValidateArgument(name, nameof(name));
        ArgumentException.ThrowIfNullOrEmpty(sha256);
        _pins[name] = sha256;
        return this;
    }

    /// <summary>The names the sources list (see <see cref="IPluginSource.Names"/>), each once, in the order of the sources.</summary>
    public IReadOnlyList<string> Names() => _sources.SelectMany(s => s.Names()).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>Whether some source has a plugin of that name.</summary>
    /// <exception cref="PluginException"><see cref="PluginErrorKind.InvalidArgument"/> for a name that is not valid, as a start of it would report.</exception>
    public bool Contains(string name)
    {
        PluginName.Validate(name);
        return _sources.Any(s => s.TryResolve(name, out _));
    }

    /// <summary>The manifest <paramref name="name"/> (already validated) resolves to, its pin applied.</summary>
    /// <exception cref="PluginException"><see cref="PluginErrorKind.NotFound"/> when no source has it.</exception>
    internal Manifest Resolve(string name)
    {
        foreach (var source in _sources)
        {
            if (!source.TryResolve(name, out var manifest))
                continue;
            return _pins.TryGetValue(name, out var pin) ? PinMain(manifest, pin) : manifest;
        }
        throw new PluginException(PluginErrorKind.NotFound, $"no plugin named \"{name}\" in the catalog") { Origin = PluginErrorOrigin.Caller };
    }

    private static Manifest PinMain(Manifest manifest, string sha256)
    {
        // The runtime's own rule, so that the module pinned is the module that runs.
        var main = ManifestRules.MainIndex(manifest.Wasm);
        var wasm = manifest.Wasm.ToArray();
        wasm[main] = wasm[main] with { Hash = sha256 };
        return manifest with { Wasm = wasm };
    }
}
