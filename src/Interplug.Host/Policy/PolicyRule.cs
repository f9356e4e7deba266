namespace Interplug.Host.Policy;

/// <summary>
/// What one plugin (or every plugin whose name matches a glob) may do. Unset limits fall back to
/// the policy's defaults. Each limit is range-checked when set: out of range, setting it throws
/// <see cref="ArgumentOutOfRangeException"/> (and <see cref="PluginPolicy.Parse"/> reports it as
/// <see cref="Runtime.PluginErrorKind.InvalidArgument"/>).
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

    /// <summary>The largest <see cref="MemoryMaxPages"/>: 2^20 pages, 64 GiB.</summary>
    public const long MaxMemoryPagesLimit = 1 << 20;

    /// <summary>Direct children it may hold at once (a child stopped after a failed call counts until freed); 0 or more.</summary>
    public int? MaxChildren { get; init => field = InRange(value, 0, int.MaxValue, "max_children"); }

    /// <summary>Descendants (children, their live children, ...) it may have at once; 0 or more.</summary>
    public int? MaxDescendants { get; init => field = InRange(value, 0, int.MaxValue, "max_descendants"); }

    /// <summary>Memory budget of its instance, in 64 KiB pages, the kernel's memory included; 1 to <see cref="MaxMemoryPagesLimit"/>.</summary>
    public long? MemoryMaxPages { get; init => field = InRange(value, 1, MaxMemoryPagesLimit, "memory_max_pages"); }

    /// <summary>Wall-clock limit of a call into it, in milliseconds; 1 or more, <see cref="long.MaxValue"/> meaning no effective limit.</summary>
    public long? TimeoutMs { get; init => field = InRange(value, 1, long.MaxValue, "timeout_ms"); }

    /// <summary>Fuel of a call into it; 0 or more.</summary>
    public long? Fuel { get; init => field = InRange(value, 0, long.MaxValue, "fuel"); }

    /// <summary>Deepest call chain, counting the top-level plugin as 1, that may run while it is on the chain; 1 or more.</summary>
    public int? MaxDepth { get; init => field = InRange(value, 1, int.MaxValue, "max_depth"); }

    /// <summary>
    /// Calls it may have in flight at once: started with <c>call_plugin_async</c> and not yet
    /// awaited; 0 or more (0: no asynchronous calls). One more fails with
    /// <see cref="Runtime.PluginErrorKind.QuotaExceeded"/>.
    /// </summary>
    public int? MaxParallel { get; init => field = InRange(value, 0, int.MaxValue, "max_parallel"); }

    /// <summary>
    /// Where this plugin runs when a plugin spawns it (<see cref="PluginPlacement.Local"/> when
    /// unset here and in the defaults). Not a right: it is read from the spawned plugin's own rule
    /// and does not narrow down a tree. Only a cluster spreads; the embedded host runs every child locally.
    /// </summary>
    public PluginPlacement? Placement { get; init; }

    private static T? InRange<T>(T? value, T min, T max, string key) where T : struct, IComparable<T> =>
        value is not { } v || (v.CompareTo(min) >= 0 && v.CompareTo(max) <= 0)
            ? value
            : throw new ArgumentOutOfRangeException(key, v, $"{key} must be between {min} and {max}");
}
