using Interplug.Runtime.Manifests;

namespace Interplug.Host.Catalog;

/// <summary>Plugins given in code: a manifest per name, including manifests of in-memory modules (<see cref="Manifest.FromBytes"/>).</summary>
public sealed class ManifestPluginSource : IPluginSource
{
    private readonly Dictionary<string, Manifest> _manifests = new(StringComparer.Ordinal);

    /// <summary>Adds or replaces a plugin.</summary>
    /// <param name="name">The plugin's name.</param>
    /// <param name="manifest">Its manifest.</param>
    /// <returns>This source, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid plugin name (see <see cref="PluginName.Validate"/>).</exception>
    public ManifestPluginSource Add(string name, Manifest manifest)
    {
        PluginName.ValidateArgument(name, nameof(name));
        ArgumentNullException.ThrowIfNull(manifest);
        _manifests[name] = manifest;
        return this;
    }

    /// <inheritdoc />
    public IEnumerable<string> Names() => _manifests.Keys;

    /// <inheritdoc />
    public bool TryResolve(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Manifest? manifest) =>
        _manifests.TryGetValue(name, out manifest);
}
