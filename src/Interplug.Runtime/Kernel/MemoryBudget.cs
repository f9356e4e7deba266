using Wasmtime;

namespace Interplug.Runtime.Kernel;

/// <summary>
/// Enforces the manifest's <c>max_pages</c> as one budget over every memory of an instance.
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

    public MemoryBudget(Store store, long? maxPages)
    {
        _store = store;
        MaxPages = maxPages is { } max ? Math.Min(max, LargestBudgetPages) : null;
        if (MaxPages is { } pages)
            store.SetLimits(memorySize: pages * PageSize);
    }

    public long? MaxPages { get; }

    /// <summary>Set when the kernel was refused memory during the current call.</summary>
    public bool KernelDenied { get; set; }

    public long PluginPages => _pluginMemories.Sum(m => m.GetSize());

    public long TotalPages => PluginPages + (_kernel?.Pages ?? 0);

    public void AttachKernel(KernelInstance kernel)
    {
        _kernel = kernel;
        kernel.Budget = this;
        LimitPluginMemories();
    }

    public void AttachPluginMemory(Memory memory) => _pluginMemories.Add(memory);

    /// <summary>
    /// Whether a trap is best explained by the budget: the kernel was refused memory, or the
    /// plugin's memories sit within a sixteenth of the budget (allocators trap when a grow fails).
    /// </summary>
    public bool LooksExhausted()
    {
        if (KernelDenied)
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
        var target = Fits(doubled) ? doubled : needed;
        if (!Fits(target))
            return Refuse();

        if (MaxPages is not null)
            _store.SetLimits(memorySize: null);
        try
        {
            kernel.Data.Grow(target - dataPages);
            var metaTarget = MetaPagesFor(target);
            var metaPages = kernel.Meta.GetSize();
            if (metaTarget > metaPages)
                kernel.Meta.Grow(metaTarget - metaPages);
        }
        catch (WasmtimeException)
        {
            return Refuse();
        }
        finally
        {
            kernel.RefreshPointers();
            LimitPluginMemories();
        }
        return 1;
    }

    // $meta holds 4 bytes per 16 bytes of $data.
    private static long MetaPagesFor(long dataPages) => (dataPages + 3) / 4;

    private bool Fits(long dataPages) =>
        MaxPages is not { } max || PluginPages + dataPages + MetaPagesFor(dataPages) <= max;

    private int Refuse()
    {
        KernelDenied = true;
        return 0;
    }

    private void LimitPluginMemories()
    {
        if (MaxPages is { } max && _kernel is { } kernel)
            _store.SetLimits(memorySize: Math.Max(0, max - kernel.Pages) * PageSize);
    }
}
