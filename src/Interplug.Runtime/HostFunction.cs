using Wasmtime;

namespace Interplug.Runtime;

/// <summary>
/// Handles a call from a plugin to a host function with any wasm signature. Read
/// <paramref name="arguments"/> and set every element of <paramref name="results"/>; throw a
/// <see cref="PluginException"/> to fail the plugin's call with that kind.
/// </summary>
/// <param name="plugin">The calling plugin, valid only during this call.</param>
/// <param name="arguments">The wasm arguments.</param>
/// <param name="results">The wasm results to fill.</param>
public delegate void HostFunctionCallback(CurrentPlugin plugin, ReadOnlySpan<ValueBox> arguments, Span<ValueBox> results);

/// <summary>
/// A function written in C# that plugins import by module and name. By Extism convention an
/// i64 argument or result is a kernel memory handle; <see cref="CurrentPlugin"/> reads and
/// writes them. Blocks a plugin passes in stay owned by the plugin; a block the host returns
/// becomes the plugin's.
/// </summary>
public sealed class HostFunction
{
    /// <summary>The namespace plugins declare for user host functions.</summary>
    public const string UserModule = "extism:host/user";

    private readonly Action<Linker> _define;

    private HostFunction(string module, string name, Action<Linker> define)
    {
        ArgumentException.ThrowIfNullOrEmpty(module);
        ArgumentException.ThrowIfNullOrEmpty(name);
        Module = module;
        Name = name;
        _define = define;
    }

    /// <summary>Creates a host function with an arbitrary signature.</summary>
    /// <param name="module">Import module name, such as <see cref="UserModule"/> or <c>env</c>.</param>
    /// <param name="name">Import name.</param>
    /// <param name="parameters">The wasm parameter types.</param>
    /// <param name="results">The wasm result types.</param>
    /// <param name="callback">The implementation.</param>
    public HostFunction(string module, string name, IReadOnlyList<ValueKind> parameters, IReadOnlyList<ValueKind> results, HostFunctionCallback callback)
        : this(module, name, linker => linker.DefineFunction(module, name,
            (Caller caller, ReadOnlySpan<ValueBox> args, Span<ValueBox> res) => callback(CurrentPlugin.Of(caller), args, res),
            parameters, results))
    {
        ArgumentNullException.ThrowIfNull(callback);
    }

    /// <summary>The import module name.</summary>
    public string Module { get; }

    /// <summary>The import name.</summary>
    public string Name { get; }

    /// <summary>A host function of type <c>(i64) -> i64</c>, the shape of most Extism host functions.</summary>
    public static HostFunction FromFunc(string module, string name, Func<CurrentPlugin, long, long> body) =>
        new(module, name, l => l.DefineFunction(module, name, (Caller c, long a) => body(CurrentPlugin.Of(c), a)));

    /// <summary>A host function of type <c>(i64, i64) -> i64</c>.</summary>
    public static HostFunction FromFunc(string module, string name, Func<CurrentPlugin, long, long, long> body) =>
        new(module, name, l => l.DefineFunction(module, name, (Caller c, long a, long b) => body(CurrentPlugin.Of(c), a, b)));

    /// <summary>A host function of type <c>(i64, i64, i64) -> i64</c>.</summary>
    public static HostFunction FromFunc(string module, string name, Func<CurrentPlugin, long, long, long, long> body) =>
        new(module, name, l => l.DefineFunction(module, name, (Caller c, long a, long b, long d) => body(CurrentPlugin.Of(c), a, b, d)));

    /// <summary>A host function of type <c>() -> i64</c>.</summary>
    public static HostFunction FromFunc(string module, string name, Func<CurrentPlugin, long> body) =>
        new(module, name, l => l.DefineFunction(module, name, (Caller c) => body(CurrentPlugin.Of(c))));

    /// <summary>A host function of type <c>(i64) -> ()</c>.</summary>
    public static HostFunction FromAction(string module, string name, Action<CurrentPlugin, long> body) =>
        new(module, name, l => l.DefineFunction(module, name, (Caller c, long a) => body(CurrentPlugin.Of(c), a)));

    internal void DefineIn(Linker linker) => _define(linker);

    /// <summary>The function as <c>module::name</c>.</summary>
    public override string ToString() => $"{Module}::{Name}";
}
