namespace Interplug.Runtime;

/// <summary>Per-instance settings for <see cref="CompiledPlugin.Instantiate(in InstanceOptions)"/>.</summary>
public readonly record struct InstanceOptions
{
    /// <summary>
    /// A memory budget in 64 KiB pages; the tighter of this and the manifest's <c>memory.max_pages</c> applies.
    /// Instantiating with a negative value throws <see cref="ArgumentOutOfRangeException"/>.
    /// </summary>
    public long? MemoryMaxPages { get; init; }

    /// <summary>
    /// A page budget this instance shares with others (for example every instance of a process tree), on top of its own
    /// <see cref="MemoryMaxPages"/>; null for none. The instance charges it for all the pages its memories hold and gives
    /// them back when disposed. See <see cref="MemoryQuota"/>.
    /// </summary>
    public MemoryQuota? SharedQuota { get; init; }

    /// <summary>The initial <see cref="PluginInstance.Context"/>.</summary>
    public object? Context { get; init; }

    /// <summary>
    /// When start-up code (<c>_initialize</c>, constructors, the start section) must have finished,
    /// as a <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> value; combined with the
    /// manifest's <c>timeout_ms</c>. Start-up runs without a fuel limit, so this and
    /// <see cref="CancellationToken"/> are what bound it.
    /// </summary>
    public long? DeadlineTimestamp { get; init; }

    /// <summary>Cancels start-up code.</summary>
    public CancellationToken CancellationToken { get; init; }
}
