namespace Interplug.Runtime;

/// <summary>
/// Wasmtime's pooling allocator: memory slots reserved up front and recycled, which makes
/// instantiation several times cheaper and bounds the address space each memory reserves, so a
/// process can hold tens of thousands of instances. The price: fixed caps on live instances and on
/// each memory's size, and bounds checks on memory accesses.
/// </summary>
public sealed record InstancePoolOptions
{
    /// <summary>The largest <see cref="MaxInstances"/>: a bound that keeps the pool's slot counts and byte sizes far inside their native types.</summary>
    public const int MaxInstancesLimit = 1_000_000;

    /// <summary>The largest <see cref="MaxMemoryPages"/>: 65,536 pages, wasm32's 4 GiB.</summary>
    public const long MaxMemoryPagesLimit = 65536;

    /// <summary>Most plugin instances alive at once, 1 to <see cref="MaxInstancesLimit"/>; beyond it instantiation fails with <see cref="PluginErrorKind.QuotaExceeded"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set outside its range.</exception>
    public int MaxInstances { get; init => field = InRange(value, 1, MaxInstancesLimit); } = 10_000;

    /// <summary>Largest size of any one memory, in 64 KiB pages, 1 to <see cref="MaxMemoryPagesLimit"/> (wasm32's 4 GiB); the default, 1024, is 64 MiB.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set outside its range.</exception>
    public long MaxMemoryPages { get; init => field = InRange(value, 1, MaxMemoryPagesLimit); } = 1024;

    /// <summary>
    /// Bytes at the start of each memory and table slot that stay committed when an instance is
    /// freed, and are zeroed instead of returned to the OS. Freeing and instantiating then cost
    /// a memset instead of system calls: measured here, instantiate+dispose fell from about
    /// 146 µs to 9–20 µs. It bounds what an idle slot keeps resident (default 64 KiB, one page);
    /// 0 to 4 GiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set outside its range.</exception>
    public long KeepResidentBytes { get; init => field = InRange(value, 0, MaxMemoryPagesLimit * 65536); } = 65536;

    /// <summary>Most memories one module may define, 2 (the kernel defines two) to 100.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set outside its range.</exception>
    public int MaxMemoriesPerModule { get; init => field = InRange(value, 2, LargestMemoriesPerModule); } = 4;

    // Every plugin instance is a kernel instance plus the plugin's module(s): room for one linked module each on average.
    internal uint CoreInstances => checked((uint)MaxInstances * 3);

    // Two kernel memories and, typically, one of the plugin's.
    internal uint Memories => checked((uint)MaxInstances * 3);

    internal uint Tables => checked((uint)MaxInstances * 2);

    private const int LargestMemoriesPerModule = 100;

    private static T InRange<T>(T value, T min, T max, [System.Runtime.CompilerServices.CallerMemberName] string name = "")
        where T : System.Numerics.INumber<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, min, name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, max, name);
        return value;
    }
}
