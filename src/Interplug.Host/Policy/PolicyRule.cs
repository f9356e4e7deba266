namespace Interplug.Host.Policy;

/// <summary>
/// What one plugin (or every plugin whose name matches a glob) may do. Unset limits fall back to
/// the policy's defaults.
/// </summary>
public sealed record PolicyRule
{
    /// <summary>Globs of plugin names this plugin may spawn. Empty: it may spawn nothing.</summary>
    public IReadOnlyList<string> Spawn { get; init; } = [];

    /// <summary>
    /// Callee-name glob to export-name globs this plugin may call. When null, it may call any export
    /// of the plugins it may spawn; when set, only what is listed.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Call { get; init; }

    /// <summary>Live direct children it may hold at once.</summary>
    public int? MaxChildren { get; init; }

    /// <summary>Live descendants (children, their children, ...) it may have at once.</summary>
    public int? MaxDescendants { get; init; }

    /// <summary>Memory budget of its instance, in 64 KiB pages, the kernel's memory included.</summary>
    public long? MemoryMaxPages { get; init; }

    /// <summary>Wall-clock limit of a call into it, in milliseconds.</summary>
    public long? TimeoutMs { get; init; }

    /// <summary>Fuel of a call into it.</summary>
    public long? Fuel { get; init; }

    /// <summary>Deepest call chain, counting the top-level plugin as 1, that may run while it is on the chain.</summary>
    public int? MaxDepth { get; init; }
}
