namespace Interplug.Runtime;

/// <summary>
/// A budget of 64 KiB pages that several instances share, such as every instance of one process
/// tree: pass it as <see cref="InstanceOptions.SharedQuota"/> to each. An instance charges the
/// quota for every page its memories hold, the kernel's included, and gives them back when it is
/// disposed. Growth the quota cannot cover fails exactly as growth beyond an instance's own
/// budget does: the kernel's <c>alloc</c> returns 0, <c>memory.grow</c> returns -1, and an
/// instance whose initial memory does not fit fails to instantiate with
/// <see cref="PluginErrorKind.OutOfMemory"/>. Thread-safe.
/// </summary>
/// <remarks>
/// The kernel's growth is charged before it happens. A plugin's own <c>memory.grow</c> is held
/// to the pages the quota had free when the instance's call began (or its kernel last grew) and is
/// charged when the call ends; so two instances growing at the same moment on different threads
/// can overshoot the quota by at most what was free, once, after which every growth is refused
/// until pages are given back.
/// </remarks>
public sealed class MemoryQuota
{
    private long _usedPages;

    /// <summary>Creates a quota of <paramref name="maxPages"/> pages.</summary>
    /// <param name="maxPages">Pages the sharing instances may hold together, 0 to 2^32.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPages"/> is negative or above 2^32.</exception>
    public MemoryQuota(long maxPages)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxPages);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPages, Kernel.MemoryBudget.LargestBudgetPages);
        MaxPages = maxPages;
    }

    /// <summary>Pages the sharing instances may hold together.</summary>
    public long MaxPages { get; }

    /// <summary>Pages the sharing instances hold now, as last charged.</summary>
    public long UsedPages => Volatile.Read(ref _usedPages);

    internal long FreePages => Math.Max(0, MaxPages - UsedPages);

    /// <summary>Charges <paramref name="pages"/> if they fit; memory not yet allocated asks first.</summary>
    internal bool TryCharge(long pages)
    {
        var used = Volatile.Read(ref _usedPages);
        while (true)
        {
            if (used + pages > MaxPages)
                return false;
            var seen = Interlocked.CompareExchange(ref _usedPages, used + pages, used);
            if (seen == used)
                return true;
            used = seen;
        }
    }

    /// <summary>Charges pages a memory already holds, whether or not they fit: the count must match what exists.</summary>
    internal void Charge(long pages) => Interlocked.Add(ref _usedPages, pages);

    internal void Release(long pages) => Interlocked.Add(ref _usedPages, -pages);
}
