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

    /// <summary>Most memories one module may define; the kernel defines two.</summary>
    public int MaxMemoriesPerModule { get; init; } = 4;

    // Every plugin instance is a kernel instance plus the plugin's module(s): room for one linked module each on average.
    internal uint CoreInstances => checked((uint)MaxInstances * 3);

    // Two kernel memories and, typically, one of the plugin's.
    internal uint Memories => checked((uint)MaxInstances * 3);

    internal uint Tables => checked((uint)MaxInstances * 2);
}
