using Interplug.Runtime;
using Interplug.Runtime.Kernel;

namespace Interplug.Host.Calls;

/// <summary>
/// Opt-in host functions that copy bytes between a plugin's own linear memory (its export
/// <c>memory</c>) and the host in one step, instead of 8 bytes per kernel call: the plugin's input
/// and output, and <c>call_plugin</c>'s input and result. Pointers and lengths are i64 and refer to
/// the caller's memory; each range is checked against it, and a bad one fails the call with
/// <see cref="PluginErrorKind.InvalidArgument"/> (<see cref="PluginErrorKind.BadModule"/> when the
/// plugin exports no <c>memory</c>) before anything is copied. See docs/design.md.
/// </summary>
internal static class BulkDataFunctions
{
    public static IEnumerable<HostFunction> Define(string module) =>
    [
        HostFunction.FromMethod("input_read", (CurrentPlugin plugin, long offset, long destination, long length) =>
            InterPluginFunctions.Raise(plugin, new Copy(offset, destination, length), static (p, c) => InputRead(p, c))).WithModule(module),
        HostFunction.FromMethod("output_write", (CurrentPlugin plugin, long source, long length) =>
        {
            _ = InterPluginFunctions.Raise(plugin, new Copy(0, source, length), static (p, c) => OutputWrite(p, c));
        }).WithModule(module),
        HostFunction.FromMethod("call_plugin_bytes", (CurrentPlugin plugin, long id, long func, long funcLength, long source, long sourceLength, long destination, long capacity) =>
            InterPluginFunctions.Raise(plugin, new BytesCall(id, func, funcLength, source, sourceLength, destination, capacity), static (p, c) => CallBytes(p, c))).WithModule(module),
        HostFunction.FromMethod("try_call_plugin_bytes", (CurrentPlugin plugin, long id, long func, long funcLength, long source, long sourceLength, long destination, long capacity) =>
            InterPluginFunctions.Try(plugin, new BytesCall(id, func, funcLength, source, sourceLength, destination, capacity), static (p, c) => CallBytes(p, c))).WithModule(module),
        HostFunction.FromMethod("result_read", (CurrentPlugin plugin, long offset, long destination, long length) =>
            InterPluginFunctions.Raise(plugin, new Copy(offset, destination, length), static (p, c) => ResultRead(p, c))).WithModule(module),
    ];

    /// <summary><c>input_read(offset, dst_ptr, len) -> copied</c>: up to <c>len</c> bytes of this call's input from <c>offset</c> on.</summary>
    private static long InputRead(CurrentPlugin plugin, Copy copy) =>
        CopyOut(plugin.Input, copy, plugin.OwnMemory(copy.Address, copy.Length, "input_read destination"), "input_read");

    /// <summary>
    /// <c>output_write(src_ptr, len)</c>: this call's output becomes a copy of those bytes, placed
    /// straight in the caller's destination when the caller waits in <c>call_plugin_bytes</c>.
    /// </summary>
    private static long OutputWrite(CurrentPlugin plugin, Copy copy)
    {
        var source = plugin.OwnMemory(copy.Address, copy.Length, "output_write source");
        if (plugin.Instance.Context is not PluginProcess { PendingResult: { } destination } || !destination.TryPlace(plugin, source))
            plugin.SetOutput(source);
        return 0;
    }

    /// <summary><c>result_read(offset, dst_ptr, len) -> copied</c>: up to <c>len</c> bytes of the result the last <c>call_plugin_bytes</c> could not place.</summary>
    private static long ResultRead(CurrentPlugin plugin, Copy copy)
    {
        var (process, _) = InterPluginFunctions.Context(plugin);
        return CopyOut(process.UnreadResult, copy, plugin.OwnMemory(copy.Address, copy.Length, "result_read destination"), "result_read");
    }

    private static long CopyOut(ReadOnlySpan<byte> from, Copy copy, Span<byte> destination, string function)
    {
        if (copy.Offset < 0)
            throw new PluginException(PluginErrorKind.InvalidArgument, $"{function}: offset {copy.Offset} must not be negative");
        if (copy.Offset >= from.Length)
            return 0;
        var bytes = from[(int)copy.Offset..];
        bytes = bytes[..(int)Math.Min(bytes.Length, destination.Length)];
        BlockCopy.Copy(bytes, destination);
        return bytes.Length;
    }

    /// <summary>
    /// <c>call_plugin_bytes(id, func_ptr, func_len, src_ptr, src_len, dst_ptr, dst_cap) -> result_len</c>:
    /// calls the child's export with the bytes at <c>src_ptr</c> and copies its output straight from
    /// the child's memory to <c>dst_ptr</c> when it fits; otherwise the host keeps it for <c>result_read</c>.
    /// </summary>
    private static long CallBytes(CurrentPlugin plugin, BytesCall call)
    {
        var (process, chain) = InterPluginFunctions.Context(plugin);
        process.UnreadResult = [];
        var child = process.Tree.IdleChild(process, call.Id);
        var export = child.ExportNames.Get(plugin.OwnMemory(call.Func, call.FuncLength, "call_plugin_bytes export name"));
        PluginHost.CheckCallable(process, chain, child, export);
        var input = plugin.OwnMemory(call.Source, call.SourceLength, "call_plugin_bytes input");
        plugin.OwnMemory(call.Destination, call.Capacity, "call_plugin_bytes destination");
        // The input is copied into the child before its result is written, so an overlap would be
        // harmless to the host; it is refused so that a call never overwrites its own input, which
        // a caller may still need after a failure or to compare with the result.
        if (input.Length > 0 && call.Capacity > 0 && call.Source < call.Destination + call.Capacity && call.Destination < call.Source + input.Length)
            throw new PluginException(PluginErrorKind.InvalidArgument,
                $"call_plugin_bytes: the destination [{call.Destination}, +{call.Capacity}) overlaps the input [{call.Source}, +{call.SourceLength})");
        var destination = process.ResultDestination ??= new ResultDestination(plugin, process);
        destination.Aim(call.Destination, call.Capacity);
        child.PendingResult = destination;
        try
        {
            return process.Host.CallChild(plugin, process, chain, child, export, input, destination,
                static (destination, output) => (destination.Take(output), output.Length));
        }
        finally
        {
            child.PendingResult = null;
        }
    }

    /// <summary>The arguments of a copy: an offset in the source, and a range of the plugin's memory.</summary>
    private readonly record struct Copy(long Offset, long Address, long Length);

    /// <summary>The arguments of <c>call_plugin_bytes</c>.</summary>
    private readonly record struct BytesCall(long Id, long Func, long FuncLength, long Source, long SourceLength, long Destination, long Capacity);
}
