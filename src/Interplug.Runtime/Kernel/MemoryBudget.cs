using Wasmtime;

namespace Interplug.Runtime.Kernel;

/// <summary>
/// Enforces the manifest's <c>max_pages</c> as one budget over every memory of an instance, and
/// charges a <see cref="MemoryQuota"/> shared with other instances for every page they hold.
/// </summary>
/// <remarks>
/// Wasmtime's store limit caps each memory on its own. The kernel's memories only ever grow
/// through <see cref="GrowKernel"/>, so the store limit is kept at "budget minus what the kernel
/// holds": the plugin's memory can then grow exactly into what is left. The limit is raised only
/// for the instant the kernel itself grows. With several plugin-side memories each is held to
/// that remainder; their sum is checked when the kernel grows.
/// </remarks>
internal sealed class MemoryBudget
{
    private const long PageSize = 65536;
    private const long MaxWasm32Pages = 65536;

    private readonly Store _store;
    private readonly List<Memory> _pluginMemories = [];
    private KernelInstance? _kernel;

    /// <summary>Budgets above this many pages (256 TiB) are clamped to it: wasm32 memories never get near, and pages times bytes per page still fits a long.</summary>
    internal const long LargestBudgetPages = 1L << 32;

    private long _chargedPages;

    // The store's memory limit as last set, so that a call sets it only when it changes.
    private long? _memoryLimitBytes;

    // Cached so that starting a call asks Wasmtime nothing: the kernel's pages change only in
    // GrowKernel, and the plugin's memories only while wasm runs, after which Settle measures them.
    private long _kernelPages;
    private long _largestPluginPages;

    public MemoryBudget(Store store, long? maxPages, MemoryQuota? quota)
    {
        _store = store;
        MaxPages = maxPages is { } max ? Math.Min(max, LargestBudgetPages) : null;
        Quota = quota;
        LimitPluginMemories();
    }

    public long? MaxPages { get; }

    /// <summary>The budget shared with other instances, if any.</summary>
    public MemoryQuota? Quota { get; }

    /// <summary>Whether any limit applies to this instance's memory.</summary>
    public bool IsLimited => MaxPages is not null || Quota is not null;

    /// <summary>Set when the kernel was refused memory during the current call.</summary>
    public bool KernelDenied { get; set; }

    public long PluginPages => MeasurePluginMemories().Total;

    public long TotalPages => PluginPages + (_kernel?.Pages ?? 0);

    public void AttachKernel(KernelInstance kernel)
    {
        _kernel = kernel;
        kernel.Budget = this;
        _kernelPages = kernel.Pages;
        if (!TryCharge(kernel.Pages))
            throw new PluginException(PluginErrorKind.OutOfMemory, $"the kernel's {kernel.Pages} pages do not fit {Describe()}");
        LimitPluginMemories();
    }

    public void AttachPluginMemory(Memory memory)
    {
        _pluginMemories.Add(memory);
        Settle();
        LimitPluginMemories();
    }

    /// <summary>
    /// Prepares a call: forgets the last call's refusal and, with a shared quota, holds the plugin's
    /// memories to what the quota has free now (other instances may have grown or gone since).
    /// Growth since the last call needs no charge: memories grow only while wasm runs, and every
    /// call and the start-up end with <see cref="Settle"/>.
    /// </summary>
    public void BeginCall()
    {
        KernelDenied = false;
        if (Quota is not null)
            LimitPluginMemories();
    }

    /// <summary>Charges the shared quota for pages the plugin's memories gained since the last charge; they exist, so they are charged even past the quota.</summary>
    public void Settle()
    {
        if (Quota is null)
            return;
        var (total, largest) = MeasurePluginMemories();
        _largestPluginPages = largest;
        var grown = total + _kernelPages - _chargedPages;
        if (grown <= 0)
            return;
        Quota.Charge(grown);
        _chargedPages += grown;
    }

    // A loop rather than LINQ: it runs after every call when a quota is shared, and must not allocate.
    private (long Total, long Largest) MeasurePluginMemories()
    {
        long total = 0, largest = 0;
        foreach (var memory in _pluginMemories)
        {
            var pages = memory.GetSize();
            total += pages;
            largest = Math.Max(largest, pages);
        }
        return (total, largest);
    }

    /// <summary>Gives every charged page back to the shared quota; called when the instance's store is disposed.</summary>
    public void Release()
    {
        Quota?.Release(_chargedPages);
        _chargedPages = 0;
    }

    /// <summary>The limits, for messages.</summary>
    public string Describe() => (MaxPages, Quota) switch
    {
        ({ } max, { } quota) => $"a budget of {max} pages and a shared quota of {quota.MaxPages} pages ({quota.UsedPages} in use)",
        (null, { } quota) => $"a shared quota of {quota.MaxPages} pages ({quota.UsedPages} in use)",
        _ => $"a budget of {MaxPages} pages",
    };

    /// <summary>
    /// Whether a trap is best explained by the budget: the kernel was refused memory, or the
    /// plugin's memories sit within a sixteenth of the budget (allocators trap when a grow fails).
    /// </summary>
    public bool LooksExhausted()
    {
        if (KernelDenied)
            return true;
        if (Quota is { } quota && quota.FreePages <= Math.Max(1, quota.MaxPages / 16))
            return true;
        if (MaxPages is not { } max)
            return false;
        return max - TotalPages <= Math.Max(1, max / 16);
    }

    /// <summary>Grows the kernel's memories so that data offset <paramref name="requiredBytes"/> fits. Called by the kernel.</summary>
    public int GrowKernel(long requiredBytes)
    {
        var kernel = _kernel!;
        var dataPages = kernel.Data.GetSize();
        var needed = (requiredBytes + PageSize - 1) / PageSize;
        if (needed > MaxWasm32Pages)
            return Refuse();
        // Double when there is room, to make growth rare; otherwise grow exactly.
        var doubled = Math.Min(MaxWasm32Pages, Math.Max(needed, dataPages * 2));
        Settle();
        var metaPages = kernel.Meta.GetSize();
        var target = Fits(doubled) && TryCharge(Growth(doubled, dataPages, metaPages)) ? doubled
            : Fits(needed) && TryCharge(Growth(needed, dataPages, metaPages)) ? needed
            : 0;
        if (target == 0)
            return Refuse();

        if (IsLimited)
            SetMemoryLimit(null);
        try
        {
            kernel.Data.Grow(target - dataPages);
            var metaTarget = MetaPagesFor(target);
            if (metaTarget > metaPages)
                kernel.Meta.Grow(metaTarget - metaPages);
        }
        catch (WasmtimeException)
        {
            // Whatever did grow stays charged: the charge matches the memory that exists.
            Uncharge(Growth(target, dataPages, metaPages) - (kernel.Pages - dataPages - metaPages));
            return Refuse();
        }
        finally
        {
            kernel.RefreshPointers();
            _kernelPages = kernel.Pages;
            LimitPluginMemories();
        }
        return 1;
    }

    // $meta holds 4 bytes per 16 bytes of $data.
    private static long MetaPagesFor(long dataPages) => (dataPages + 3) / 4;

    private static long Growth(long dataTarget, long dataPages, long metaPages) =>
        dataTarget - dataPages + Math.Max(0, MetaPagesFor(dataTarget) - metaPages);

    private bool TryCharge(long pages)
    {
        if (Quota is not null && !Quota.TryCharge(pages))
            return false;
        _chargedPages += Quota is null ? 0 : pages;
        return true;
    }

    private void Uncharge(long pages)
    {
        if (Quota is null || pages <= 0)
            return;
        Quota.Release(pages);
        _chargedPages -= pages;
    }

    private bool Fits(long dataPages) =>
        MaxPages is not { } max || PluginPages + dataPages + MetaPagesFor(dataPages) <= max;

    private int Refuse()
    {
        KernelDenied = true;
        return 0;
    }

    /// <summary>
    /// Holds each plugin memory to what the budget leaves beside the kernel, and to its current
    /// size plus what the shared quota has free.
    /// </summary>
    private void LimitPluginMemories()
    {
        long? pages = MaxPages is { } max ? Math.Max(0, max - _kernelPages) : null;
        if (Quota is { } quota)
            pages = Math.Min(pages ?? long.MaxValue, _largestPluginPages + quota.FreePages);
        if (pages is { } limit)
            SetMemoryLimit(limit * PageSize);
    }

    private void SetMemoryLimit(long? bytes)
    {
        if (bytes == _memoryLimitBytes)
            return;
        _store.SetLimits(memorySize: bytes);
        _memoryLimitBytes = bytes;
    }
}
