namespace Interplug.Runtime;

/// <summary>How one plugin is compiled and run, beyond what its manifest says.</summary>
public sealed record PluginOptions
{
    /// <summary>The plugin's name in logs and messages; defaults to the main module's name or file name.</summary>
    public string? Name { get; init; }

    /// <summary>Host functions the plugin may import, in any namespace.</summary>
    public IReadOnlyList<HostFunction> HostFunctions { get; init; } = [];

    /// <summary>
    /// Resolves imports nothing else provides, at compile time: called once for each distinct
    /// import (module and name) that is not a kernel or environment function, WASI, one of
    /// <see cref="HostFunctions"/>, or an export of a module linked before it. Return a host
    /// function of that module, name and type to provide it; return null to leave it missing
    /// (<see cref="PluginErrorKind.MissingImport"/>); throw a <see cref="PluginException"/> to
    /// refuse the plugin, for example <see cref="PluginErrorKind.BadModule"/> for a namespace the
    /// resolver owns but an import it cannot serve. The Interplug host resolves
    /// <c>plugin:&lt;name&gt;</c> imports this way.
    /// </summary>
    /// <remarks>Compiling throws <see cref="ArgumentException"/> when the resolver returns a function of another module or name, or for an import that is not a function.</remarks>
    /// <example>
    /// <code>
    /// ImportResolver = import => import.Module == "clock" &amp;&amp; import.IsFunction([], [WasmValueType.I64])
    ///     ? HostFunction.FromMethod(import.Name, (CurrentPlugin _) => DateTime.UtcNow.Ticks).WithModule(import.Module)
    ///     : null,
    /// </code>
    /// </example>
    public Func<PluginImport, HostFunction?>? ImportResolver { get; init; }

    /// <summary>Whether the plugin gets WASI preview 1. Required for the manifest's <c>allowed_paths</c>.</summary>
    public bool Wasi { get; init; }

    /// <summary>Whether a WASI plugin's stdout and stderr reach this process's; by default they are discarded.</summary>
    public bool InheritStdio { get; init; }

    /// <summary>Default for <see cref="MaxLogMessageBytes"/>: 64 KiB.</summary>
    public const int DefaultMaxLogMessageBytes = 64 << 10;

    /// <summary>
    /// Longest log message, in UTF-8 bytes, the plugin's <c>log_*</c> calls pass to the logger; the rest is dropped
    /// and the message ends with a marker saying how many bytes were. Bounds what a plugin that floods its log can
    /// make the host's logging pipeline hold per message.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value.</exception>
    public int MaxLogMessageBytes
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = DefaultMaxLogMessageBytes;

    /// <summary>Fuel each call may burn (roughly one unit per wasm instruction); null for no limit. Compiling with a negative value throws <see cref="ArgumentOutOfRangeException"/>.</summary>
    public long? FuelPerCall { get; init; }
}
