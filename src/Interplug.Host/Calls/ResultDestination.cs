using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Interplug.Runtime;
using Interplug.Runtime.Kernel;

namespace Interplug.Host.Calls;

/// <summary>
/// Where the result of a <c>call_plugin_bytes</c> goes: the caller's destination range when it
/// fits, else the caller's unread result for <c>result_read</c>. A child that writes its output with
/// <c>output_write</c> places it in the destination at once, so the bytes are copied once on
/// their way out of the child, not into its kernel and out again.
/// </summary>
/// <remarks>
/// One per calling process, aimed anew by each of its calls: a process waits in one call at a
/// time, so a call allocates nothing for it.
/// </remarks>
/// <param name="caller">The calling plugin, blocked in <c>call_plugin_bytes</c> while the child runs, so its memory stays put.</param>
/// <param name="process">The calling process, which keeps a result too large for the destination.</param>
internal sealed class ResultDestination(CurrentPlugin caller, PluginProcess process)
{
    private long _address;
    private long _capacity;

    /// <summary>Sets the destination of the next call: <paramref name="capacity"/> bytes at <paramref name="address"/> in the caller's memory.</summary>
    public void Aim(long address, long capacity)
    {
        _address = address;
        _capacity = capacity;
    }

    /// <summary>Copies the child's output into the destination and makes the copy the child's output; false when it does not fit.</summary>
    public bool TryPlace(CurrentPlugin child, ReadOnlySpan<byte> output)
    {
        if (output.Length > _capacity)
            return false;
        var destination = Destination(output.Length);
        BlockCopy.Copy(output, destination);
        child.SetOutputInPlace(destination);
        return true;
    }

    /// <summary>Takes the child's output once its call has returned; returns its length.</summary>
    public long Take(ReadOnlySpan<byte> output)
    {
        if (output.Length > _capacity)
        {
            process.UnreadResult = BlockCopy.ToArray(output);
            return output.Length;
        }
        var destination = Destination(output.Length);
        // Placed by TryPlace and not replaced since: the bytes are already there.
        if (!Unsafe.AreSame(ref MemoryMarshal.GetReference(output), ref MemoryMarshal.GetReference(destination)))
            BlockCopy.Copy(output, destination);
        return output.Length;
    }

    private Span<byte> Destination(int length) => caller.OwnMemory(_address, length, "call_plugin_bytes destination");
}
