using Wasmtime;

namespace Interplug.Runtime.Kernel;

/// <summary>
/// The .NET side of one instance's kernel (see kernel.wat): block reads and writes for host
/// functions, and the per-call protocol (input in, output and error out).
/// </summary>
internal sealed class KernelInstance
{
    // Header offsets in the kernel's $meta memory, as laid out in kernel.wat.
    private const int OutputOffsetSlot = 128;
    private const int OutputLengthSlot = 136;
    private const int ErrorSlot = 144;

    private readonly Func<long, long> _alloc;
    private readonly Action<long> _free;
    private readonly Func<long, long> _length;
    private readonly Func<long, long> _beginCall;
    private readonly Action<long> _errorSet;

    public KernelInstance(Instance instance)
    {
        Instance = instance;
        Data = instance.GetMemory("memory")!;
        Meta = instance.GetMemory("meta")!;
        _alloc = instance.GetFunction<long, long>("alloc")!;
        _free = instance.GetAction<long>("free")!;
        _length = instance.GetFunction<long, long>("length")!;
        _beginCall = instance.GetFunction<long, long>("begin_call")!;
        _errorSet = instance.GetAction<long>("error_set")!;
    }

    public Instance Instance { get; }

    public Memory Data { get; }

    public Memory Meta { get; }

    public long Pages => Data.GetSize() + Meta.GetSize();

    /// <summary>Starts a call: forgets all blocks and places the input. Returns the input's handle.</summary>
    public long BeginCall(ReadOnlySpan<byte> input)
    {
        var handle = _beginCall(input.Length);
        if (handle == 0 && input.Length > 0)
            throw new PluginException(PluginErrorKind.OutOfMemory, $"no room for a {input.Length}-byte input in the plugin's memory budget");
        if (input.Length > 0)
            input.CopyTo(Data.GetSpan(handle, input.Length));
        return handle;
    }

    public long Length(long handle) => _length(handle);

    public ReadOnlySpan<byte> Read(long handle)
    {
        if (handle == 0)
            return [];
        var length = _length(handle);
        if (length == 0)
            throw new PluginException(PluginErrorKind.InvalidArgument, $"handle {handle} is not the start of a live memory block");
        return Data.GetSpan(handle, checked((int)length));
    }

    public long Write(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
            return 0;
        var handle = _alloc(bytes.Length);
        if (handle == 0)
            throw new PluginException(PluginErrorKind.OutOfMemory, $"no room for a {bytes.Length}-byte block in the plugin's memory budget");
        bytes.CopyTo(Data.GetSpan(handle, bytes.Length));
        return handle;
    }

    public void Free(long handle) => _free(handle);

    public void SetError(long handle) => _errorSet(handle);

    /// <summary>The error block the plugin set during the call, or empty.</summary>
    public ReadOnlySpan<byte> Error()
    {
        var handle = Meta.ReadInt64(ErrorSlot);
        var length = handle == 0 ? 0 : _length(handle);
        return length == 0 ? [] : Data.GetSpan(handle, checked((int)length));
    }

    /// <summary>The output range the plugin set during the call, checked against its memory.</summary>
    public ReadOnlySpan<byte> Output()
    {
        var offset = Meta.ReadInt64(OutputOffsetSlot);
        var length = Meta.ReadInt64(OutputLengthSlot);
        if (length == 0)
            return [];
        var size = Data.GetLength();
        if (offset < 0 || length < 0 || offset > size || length > size - offset || length > int.MaxValue)
            throw new PluginException(PluginErrorKind.InvalidArgument,
                $"output range [{offset}, +{length}) lies outside the plugin's kernel memory ({size} bytes)");
        return Data.GetSpan(offset, (int)length);
    }
}
