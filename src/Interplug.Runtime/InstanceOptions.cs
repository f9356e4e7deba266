namespace Interplug.Runtime;

/// <summary>Per-instance settings for <see cref="CompiledPlugin.Instantiate(in InstanceOptions)"/>.</summary>
public readonly record struct InstanceOptions
{
    /// <summary>A memory budget in 64 KiB pages; the tighter of this and the manifest's <c>memory.max_pages</c> applies.</summary>
    public long? MemoryMaxPages { get; init; }

    /// <summary>The initial <see cref="PluginInstance.Context"/>.</summary>
    public object? Context { get; init; }
}
