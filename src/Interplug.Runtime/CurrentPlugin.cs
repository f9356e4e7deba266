using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Interplug.Runtime.Kernel;
using Wasmtime;

namespace Interplug.Runtime;

/// <summary>
/// The plugin instance that called a host function, as that function sees it: its kernel
/// memory, its error, and the context of the current call. Valid only while the host function
/// runs; spans it returns are valid until the next call into wasm.
/// </summary>
public sealed class CurrentPlugin
{
    private readonly InstanceState _state;

    internal CurrentPlugin(InstanceState state) => _state = state;

    internal static CurrentPlugin Of(Caller caller) => ((InstanceState)caller.GetData()!).Current;

    /// <summary>The calling instance.</summary>
    public PluginInstance Instance => _state.Instance;

    /// <summary>The object the caller passed as <see cref="CallOptions.HostContext"/> for this call.</summary>
    public object? HostContext => _state.Call.HostContext;

    /// <summary>Cancellation of the current call.</summary>
    public CancellationToken CancellationToken => _state.Call.CancellationToken;

    /// <summary>When the current call must end, if it has a deadline.</summary>
    public DateTimeOffset? Deadline => _state.Call.Deadline;

    /// <summary>Fuel the current call has left, or null when it runs without a fuel limit.</summary>
    public long? RemainingFuel
    {
        get
        {
            if (!_state.Plugin.Runtime.MetersFuel)
                return null;
            var fuel = _state.Store.Fuel;
            return fuel >= long.MaxValue ? null : (long)fuel;
        }
    }

    /// <summary>The length of the live block at <paramref name="handle"/>, or 0 if there is none.</summary>
    public long BlockLength(long handle) => _state.Kernel.Length(handle);

    /// <summary>The bytes of a block; empty for handle 0.</summary>
    /// <exception cref="PluginException">Kind <see cref="PluginErrorKind.InvalidArgument"/> for a handle that is not the start of a live block.</exception>
    public ReadOnlySpan<byte> ReadBytes(long handle) => _state.Kernel.Read(handle);

    /// <summary>A block decoded as strict UTF-8; empty for handle 0.</summary>
    /// <exception cref="PluginException">Kind <see cref="PluginErrorKind.InvalidArgument"/> for a bad handle or invalid UTF-8.</exception>
    public string ReadString(long handle) => Utf8.Decode(_state.Kernel.Read(handle), "block");

    /// <summary>A block parsed as JSON.</summary>
    /// <exception cref="PluginException">Kind <see cref="PluginErrorKind.InvalidArgument"/> for a bad handle or invalid JSON.</exception>
    public T? ReadJson<T>(long handle, JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return JsonSerializer.Deserialize(_state.Kernel.Read(handle), typeInfo);
        }
        catch (JsonException e)
        {
            throw new PluginException(PluginErrorKind.InvalidArgument, $"block {handle} is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Copies bytes into a new block the plugin owns; returns 0 for empty input.</summary>
    /// <exception cref="PluginException">Kind <see cref="PluginErrorKind.OutOfMemory"/> when the memory budget is spent.</exception>
    public long WriteBytes(ReadOnlySpan<byte> bytes) => _state.Kernel.Write(bytes);

    /// <summary>Writes a string as UTF-8 into a new block the plugin owns.</summary>
    public long WriteString(string text) => WriteBytes(Encoding.UTF8.GetBytes(text));

    /// <summary>Writes a value as JSON into a new block the plugin owns.</summary>
    public long WriteJson<T>(T value, JsonTypeInfo<T> typeInfo) => WriteBytes(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));

    /// <summary>
    /// Bytes of the plugin's own linear memory (the main module's export <c>memory</c>), not of its
    /// kernel memory: what a pointer the plugin passes refers to. Valid until the plugin next runs.
    /// </summary>
    /// <param name="address">Offset in the plugin's memory.</param>
    /// <param name="length">Number of bytes.</param>
    /// <param name="what">What the range is, named in the error (such as "input_read destination").</param>
    /// <exception cref="PluginException">
    /// Kind <see cref="PluginErrorKind.BadModule"/> when the plugin does not export its memory as <c>memory</c>;
    /// <see cref="PluginErrorKind.InvalidArgument"/> for a negative address or length, or a range outside the memory.
    /// </exception>
    public Span<byte> OwnMemory(long address, long length, string what) => _state.OwnMemory.Range(address, length, what);

    /// <summary>The current call's input, in the plugin's kernel memory; empty when there is none.</summary>
    public ReadOnlySpan<byte> Input => _state.Kernel.Input();

    /// <summary>
    /// Makes a copy of <paramref name="bytes"/> the current call's output, replacing any output set
    /// before, as the plugin's own <c>output_set</c> on a new block would; a later <c>output_set</c> replaces it in turn.
    /// </summary>
    /// <exception cref="PluginException">Kind <see cref="PluginErrorKind.OutOfMemory"/> when the memory budget is spent.</exception>
    public void SetOutput(ReadOnlySpan<byte> bytes) => _state.Kernel.SetOutput(bytes);

    /// <summary>
    /// Makes bytes outside the plugin's kernel the current call's output without copying them, as
    /// <see cref="SetOutput"/> does with a copy. They must stay in place and unchanged until the
    /// output has been read after the call: the host uses it for bytes it placed in the waiting
    /// caller's own memory.
    /// </summary>
    internal void SetOutputInPlace(ReadOnlySpan<byte> bytes) => _state.Kernel.SetOutputInPlace(bytes);

    /// <summary>Frees a block; a no-op for 0, the call's input, or anything that is not a live block.</summary>
    public void Free(long handle) => _state.Kernel.Free(handle);

    /// <summary>Fails the current call with <paramref name="message"/> once the export returns, as the plugin's own <c>error_set</c> would.</summary>
    public void SetError(string message) => _state.Kernel.SetError(WriteString(message));
}
