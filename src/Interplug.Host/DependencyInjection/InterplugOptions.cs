using Interplug.Host.Catalog;
using Interplug.Host.Policy;

namespace Interplug.Host;

/// <summary>
/// The settings of a <see cref="PluginHost"/> as an application configures it, bound from
/// configuration (for example the <c>Interplug</c> section of appsettings.json) by
/// <c>services.AddInterplug(configuration.GetSection("Interplug"))</c>. Validated when the
/// application starts; relative paths are resolved against the content root
/// (<c>IHostEnvironment.ContentRootPath</c>, else the current directory).
/// </summary>
/// <example>
/// <code>
/// "Interplug": {
///   "PluginsPath": "plugins",
///   "PolicyPath": "policy.json",
///   "MaxLiveInstances": 4096
/// }
/// </code>
/// </example>
public sealed class InterplugOptions
{
    /// <summary>The folder of <c>&lt;name&gt;.wasm</c> and <c>&lt;name&gt;.json</c> plugins; required, and it must exist.</summary>
    public string? PluginsPath { get; set; }

    /// <summary>The policy file (see <see cref="PluginPolicy"/>); without one, plugins run but may spawn nothing.</summary>
    public string? PolicyPath { get; set; }

    /// <summary>See <see cref="PluginHostOptions.MaxLiveInstances"/>; 1 or more.</summary>
    public int MaxLiveInstances { get; set; } = new PluginHostOptions().MaxLiveInstances;

    /// <summary>See <see cref="PluginHostOptions.MaxMemoryPages"/>; 1 to 65,536.</summary>
    public long MaxMemoryPages { get; set; } = new PluginHostOptions().MaxMemoryPages;

    /// <summary>See <see cref="PluginHostOptions.MaxModuleBytes"/>; 1 or more.</summary>
    public long MaxModuleBytes { get; set; } = new PluginHostOptions().MaxModuleBytes;

    /// <summary>See <see cref="PluginHostOptions.MeterFuel"/>; unset, fuel is metered only when the policy sets a fuel limit.</summary>
    public bool? MeterFuel { get; set; }

    /// <summary>See <see cref="PluginHostOptions.KeepChildrenBetweenCalls"/>.</summary>
    public bool KeepChildrenBetweenCalls { get; set; }

    /// <summary>See <see cref="PluginHostOptions.Wasi"/>.</summary>
    public bool Wasi { get; set; }

    /// <summary>The host's options these settings describe; call once they are validated.</summary>
    internal PluginHostOptions ToHostOptions() => new()
    {
        Catalog = new PluginCatalog().AddDirectory(PluginsPath!),
        Policy = PolicyPath is null ? PluginPolicy.DenyAll : PluginPolicy.FromFile(PolicyPath),
        MaxLiveInstances = MaxLiveInstances,
        MaxMemoryPages = MaxMemoryPages,
        MaxModuleBytes = MaxModuleBytes,
        MeterFuel = MeterFuel,
        KeepChildrenBetweenCalls = KeepChildrenBetweenCalls,
        Wasi = Wasi,
    };
}
