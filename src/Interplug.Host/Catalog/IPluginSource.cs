using Interplug.Runtime.Manifests;

namespace Interplug.Host.Catalog;

/// <summary>Somewhere plugin names resolve to manifests: a folder, a set of manifests, memory.</summary>
public interface IPluginSource
{
    /// <summary>Finds the plugin called <paramref name="name"/> (already validated).</summary>
    /// <param name="name">The plugin's name.</param>
    /// <param name="manifest">Its manifest, when found.</param>
    /// <returns>Whether this source has the plugin.</returns>
    bool TryResolve(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Manifest? manifest);

    /// <summary>The names this source resolves, for <see cref="PluginHost.WarmUp"/>; a source that cannot list them (the default) lists none.</summary>
    IEnumerable<string> Names() => [];
}
