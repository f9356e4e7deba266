namespace Interplug.Runtime;

/// <summary>
/// Wasmtime's pooling allocator: memory slots reserved up front and recycled, which makes
/// instantiation several times cheaper and bounds the address space each memory reserves, so a
/// process can hold tens of thousands of instances. The price: fixed caps on live instances and on
/// each memory's size, and bounds checks on memory accesses.
/// </summary>
public sealed record InstancePoolOptions
{
    /// <summary>Most plugin instances alive at once; beyond it instantiation fails with <see cref="PluginErrorKind.QuotaExceeded"/>.</summary>
    public int MaxInstances { get; init; } = 10_000;

    /// <summary>Largest size of any one memory, in 64 KiB pages (the default, 1024, is 64 MiB).</summary>
    public long MaxMemoryPages { get; init; } = 1024;

    /// <summary>
    /// Bytes at the start of each memory and table slot that stay committed when an instance is
    /// freed, and are zeroed instead of returned to the OS. Freeing and instantiating then cost
    /// a memset instead of system calls: measured here, instantiate+dispose fell from about
    /// 146 µs to 9–20 µs. It bounds what an idle slot keeps resident (default 64 KiB, one page).
    /// </summary>
    public long KeepResidentBytes { get; init; } = 65536;

    /// <summary>Most memories one module may define; the kernel defines two.</summary>
    public int MaxMemoriesPerModule { get; init; } = 4;

    // Every plugin instance is a kernel instance plus the plugin's module(s): room for one linked module each on average.
    internal uint CoreInstances => checked((uint)MaxInstances * 3);

    // Two kernel memories and, typically, one of the plugin's.
    internal uint Memories => checked((uint)MaxInstances * 3);

    internal uint Tables => checked((uint)MaxInstances * 2);
}
