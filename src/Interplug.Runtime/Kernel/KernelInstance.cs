using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Wasmtime;

namespace Interplug.Runtime.Kernel;

/// <summary>
/// The .NET side of one instance's kernel (see kernel.wat): the per-call protocol and block
/// access for host functions, done through raw pointers into the kernel's two memories.
/// </summary>
/// <remarks>
/// A trip from .NET into wasm costs far more than the work of starting a call, so this class
/// does that work itself on the header layout kernel.wat documents: it starts calls, reads the
/// output and error, validates handles, and bump-allocates the blocks the host hands to the
/// plugin. Only the kernel grows its memories, always through the host
/// (<see cref="MemoryBudget.GrowKernel"/>), which refreshes the pointers here.
/// </remarks>
internal sealed unsafe class KernelInstance
{
    private const long HeapBase = 1024;
    /// <summary>The longest block: a live block's length must fit the 31 bits kernel.wat gives it.</summary>
    public const long MaxBlockLength = 0x7FFFFFF0;

    /// <summary>The output offset that means "the bytes <see cref="SetOutputInPlace"/> was given"; never a block's.</summary>
    private const long InPlaceOutput = -1;

    // Header offsets in $meta, as laid out in kernel.wat.
    private const int OutputOffsetSlot = 128;
    private const int OutputLengthSlot = 136;
    private const int ErrorSlot = 144;
    private const int BumpSlot = 152;
    private const int InputOffsetSlot = 160;
    private const int InputLengthSlot = 168;

    private byte* _data;
    private byte* _meta;
    private long _dataLength;
    // The current call's input when it was left where the caller had it (see BeginCall), else null.
    private byte* _outsideInput;
    // The bytes of the current call's output when they were placed outside the kernel (SetOutputInPlace), else null.
    private byte* _inPlaceOutput;
    private int _inPlaceLength;

    public KernelInstance(Instance instance)
    {
        Data = instance.GetMemory("memory")!;
        Meta = instance.GetMemory("meta")!;
        RefreshPointers();
        Header(BumpSlot) = HeapBase;
    }

    public Memory Data { get; }

    public Memory Meta { get; }

    public MemoryBudget? Budget { get; set; }

    public long Pages => Data.GetSize() + Meta.GetSize();

    /// <summary>Re-reads the memories' addresses; called after every growth.</summary>
    public void RefreshPointers()
    {
        _data = (byte*)Data.GetPointer();
        _meta = (byte*)Meta.GetPointer();
        _dataLength = Data.GetLength();
    }

    /// <summary>
    /// Starts a call: forgets every block, then places the input as the first block; or, for a
    /// plugin that cannot see that block (<paramref name="inBlock"/> false), only records where the
    /// input is, for <see cref="Input"/>. The caller keeps <paramref name="input"/> pinned and
    /// unchanged until the call ends (<see cref="PluginInstance.Call{TState, TResult}"/> does).
    /// </summary>
    public void BeginCall(ReadOnlySpan<byte> input, bool inBlock)
    {
        new Span<byte>(_meta, checked((int)(Header(BumpSlot) >> 2))).Clear();
        Header(BumpSlot) = HeapBase;
        _outsideInput = null;
        _inPlaceOutput = null;
        if (input.IsEmpty)
            return;
        if (!inBlock)
        {
            _outsideInput = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(input));
            Header(InputLengthSlot) = input.Length;
            return;
        }
        var handle = Allocate(input.Length);
        if (handle == 0)
            throw new PluginException(PluginErrorKind.OutOfMemory, $"no room for a {input.Length}-byte input in the plugin's memory budget");
        BlockCopy.Copy(input, new Span<byte>(_data + handle, input.Length));
        Header(InputOffsetSlot) = handle;
        Header(InputLengthSlot) = input.Length;
    }

    /// <summary>The length of the live block starting at <paramref name="handle"/>, or 0; the twin of kernel.wat's <c>length</c>.</summary>
    public long Length(long handle)
    {
        if (handle < HeapBase || handle >= Header(BumpSlot) || (handle & 15) != 0)
            return 0;
        var entry = Unsafe.ReadUnaligned<int>(_meta + (handle >> 2));
        return entry > 0 ? entry : 0;
    }

    public ReadOnlySpan<byte> Read(long handle)
    {
        if (handle == 0)
            return [];
        var length = Length(handle);
        if (length == 0)
            throw new PluginException(PluginErrorKind.InvalidArgument, $"handle {handle} is not the start of a live memory block");
        return new ReadOnlySpan<byte>(_data + handle, (int)length);
    }

    public long Write(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
            return 0;
        var handle = Allocate(bytes.Length);
        if (handle == 0)
            throw new PluginException(PluginErrorKind.OutOfMemory, $"no room for a {bytes.Length}-byte block in the plugin's memory budget");
        BlockCopy.Copy(bytes, new Span<byte>(_data + handle, bytes.Length));
        return handle;
    }

    /// <summary>
    /// Frees a block exactly as kernel.wat's <c>free</c> does, without the trip into wasm (which cost
    /// more than the rest of a host function, measured 2026-12-02): the block just below the bump
    /// pointer moves the pointer back; any other goes to the head of its size class's free list.
    /// Freeing the input, 0, or anything that is not a live block does nothing.
    /// </summary>
    public void Free(long handle)
    {
        if (handle == Header(InputOffsetSlot))
            return;
        var capacity = (Length(handle) + 15) & ~15L;
        if (capacity == 0)
            return;
        var slot = _meta + (handle >> 2);
        if (handle + capacity == Header(BumpSlot))
        {
            Unsafe.WriteUnaligned(slot, 0);
            Header(BumpSlot) = handle;
            return;
        }
        var head = _meta + ((63 - BitOperations.LeadingZeroCount((ulong)capacity)) << 2);
        Unsafe.WriteUnaligned(slot, unchecked((int)0x80000000) | Unsafe.ReadUnaligned<int>(head));
        Unsafe.WriteUnaligned(head, (int)(handle >> 4));
    }

    /// <summary>
    /// Frees a host function's argument block once its result block exists, and returns the result.
    /// Freed first, the argument's space would hold the result under the argument's handle, and a
    /// PDK that frees the argument itself (the Haskell PDK's getConfig does) would then free the
    /// result it is about to read.
    /// </summary>
    public long FreeAfterResult(long argument, long result)
    {
        Free(argument);
        return result;
    }

    public void SetError(long handle) => Header(ErrorSlot) = handle;

    /// <summary>This call's input block, as <c>input_offset</c> and <c>input_length</c> describe it.</summary>
    public ReadOnlySpan<byte> Input()
    {
        var length = (int)Header(InputLengthSlot);
        return length == 0 ? [] : new ReadOnlySpan<byte>(_outsideInput is null ? _data + Header(InputOffsetSlot) : _outsideInput, length);
    }

    /// <summary>Makes a copy of <paramref name="bytes"/> in a new block this call's output, as the plugin's <c>output_set</c> on that block would.</summary>
    public void SetOutput(ReadOnlySpan<byte> bytes)
    {
        Header(OutputOffsetSlot) = Write(bytes);
        Header(OutputLengthSlot) = bytes.Length;
    }

    /// <summary>
    /// Makes <paramref name="bytes"/>, outside the kernel, this call's output without copying them,
    /// until the plugin sets another. The caller keeps them in place and unchanged until the output
    /// has been read after the call.
    /// </summary>
    public void SetOutputInPlace(ReadOnlySpan<byte> bytes)
    {
        _inPlaceOutput = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(bytes));
        _inPlaceLength = bytes.Length;
        Header(OutputOffsetSlot) = InPlaceOutput;
        Header(OutputLengthSlot) = bytes.Length;
    }

    /// <summary>The error block the plugin set during the call, or empty.</summary>
    public ReadOnlySpan<byte> Error()
    {
        var length = Length(Header(ErrorSlot));
        return length == 0 ? [] : new ReadOnlySpan<byte>(_data + Header(ErrorSlot), (int)length);
    }

    /// <summary>The output range the plugin set during the call, checked against its memory.</summary>
    public ReadOnlySpan<byte> Output()
    {
        var offset = Header(OutputOffsetSlot);
        var length = Header(OutputLengthSlot);
        if (length == 0)
            return [];
        // Checked against what was placed: the plugin can write the header too (output_set(-1, n)).
        if (offset == InPlaceOutput && _inPlaceOutput is not null && length == _inPlaceLength)
            return new ReadOnlySpan<byte>(_inPlaceOutput, _inPlaceLength);
        if (offset < 0 || length < 0 || offset > _dataLength || length > _dataLength - offset || length > int.MaxValue)
            throw new PluginException(PluginErrorKind.InvalidArgument,
                $"output range [{offset}, +{length}) lies outside the plugin's kernel memory ({_dataLength} bytes)");
        return new ReadOnlySpan<byte>(_data + offset, (int)length);
    }

    /// <summary>A new block from the bump pointer (the kernel's free lists are its own business); 0 when it does not fit.</summary>
    private long Allocate(long length)
    {
        if (length > MaxBlockLength)
            return 0;
        var handle = Header(BumpSlot);
        var end = handle + ((length + 15) & ~15L);
        if (end > _dataLength && (Budget is null || Budget.GrowKernel(end) == 0))
            return 0;
        Unsafe.WriteUnaligned(_meta + (handle >> 2), (int)length);
        Header(BumpSlot) = end;
        return handle;
    }

    private ref long Header(int slot) => ref Unsafe.AsRef<long>(_meta + slot);
}
