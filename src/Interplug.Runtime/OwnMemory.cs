using Wasmtime;

namespace Interplug.Runtime;

/// <summary>
/// A plugin's own linear memory, the main module's export <c>memory</c>, as host functions that
/// copy straight to and from it see it: every range is checked against the memory's current size.
/// </summary>
internal sealed unsafe class OwnMemory
{
    /// <summary>The export name every toolchain (clang, AssemblyScript, Rust) gives a module's memory.</summary>
    public const string ExportName = "memory";

    private readonly Memory? _memory;
    private readonly string _plugin;

    private OwnMemory(string plugin, Memory? memory)
    {
        _plugin = plugin;
        _memory = memory;
    }

    /// <summary>Before instantiation: no memory yet.</summary>
    public static OwnMemory None { get; } = new("", null);

    public static OwnMemory Of(string plugin, Instance main) => new(plugin, main.GetMemory(ExportName));

    /// <summary>The bytes [<paramref name="address"/>, +<paramref name="length"/>) of the memory; valid until the plugin next runs.</summary>
    /// <param name="address">Offset in the memory.</param>
    /// <param name="length">Number of bytes.</param>
    /// <param name="what">What the range is, for the error message (such as "input_read destination").</param>
    /// <exception cref="PluginException">
    /// <see cref="PluginErrorKind.BadModule"/> when the plugin exports no memory named <c>memory</c>;
    /// <see cref="PluginErrorKind.InvalidArgument"/> for a negative address or length, or a range outside the memory.
    /// </exception>
    public Span<byte> Range(long address, long length, string what)
    {
        var memory = _memory ?? throw new PluginException(PluginErrorKind.BadModule,
            $"{_plugin} does not export its memory as \"{ExportName}\", which {what} needs");
        if (address < 0 || length < 0)
            throw new PluginException(PluginErrorKind.InvalidArgument, $"{what}: address {address} and length {length} must not be negative");
        var size = memory.GetLength();
        if (address > size || length > size - address)
            throw new PluginException(PluginErrorKind.InvalidArgument,
                $"{what}: range [{address}, +{length}) lies outside {_plugin}'s memory ({size} bytes)");
        if (length > int.MaxValue)
            throw new PluginException(PluginErrorKind.InvalidArgument, $"{what}: length {length} is more than {int.MaxValue} bytes");
        return new Span<byte>((byte*)memory.GetPointer() + address, (int)length);
    }
}
