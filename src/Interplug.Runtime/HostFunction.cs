using Wasmtime;

namespace Interplug.Runtime;

/// <summary>
/// Handles a call from a plugin to a host function of any wasm signature. Read
/// <paramref name="arguments"/> and set the elements of <paramref name="results"/> (each starts as
/// the zero of its declared type, and must keep that type); throw a <see cref="PluginException"/>
/// to fail the plugin's call with that kind.
/// </summary>
/// <param name="plugin">The calling plugin, valid only during this call.</param>
/// <param name="arguments">The wasm arguments, of the declared parameter types.</param>
/// <param name="results">The wasm results to fill.</param>
public delegate void HostFunctionCallback(CurrentPlugin plugin, ReadOnlySpan<WasmValue> arguments, Span<WasmValue> results);

/// <summary>
/// A function written in C# that plugins import by module and name, by default from
/// <see cref="UserModule"/>. By Extism convention an i64 argument or result is a kernel memory
/// handle; <see cref="CurrentPlugin"/> reads and writes them. Blocks a plugin passes in stay owned
/// by the plugin; a block the host returns becomes the plugin's.
/// </summary>
/// <example>
/// <code>
/// var now = HostFunction.FromMethod("now_ms", (CurrentPlugin _) => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
/// var upper = HostFunction.FromMethod("upper", (CurrentPlugin p, long text) => p.WriteString(p.ReadString(text).ToUpperInvariant()));
/// var log = HostFunction.FromMethod("log", (CurrentPlugin p, long text) => Console.WriteLine(p.ReadString(text))).WithModule("env");
/// </code>
/// </example>
public sealed class HostFunction
{
    /// <summary>The namespace plugins declare for user host functions, and the default module of <see cref="FromMethod(string, Action{CurrentPlugin})"/> and its overloads.</summary>
    public const string UserModule = "extism:host/user";

    // Wasm arguments and results of a host function live on the stack up to this many.
    private const int MaxStackValues = 16;

    private readonly Action<Linker, string, string> _define;

    private HostFunction(string module, string name, Action<Linker, string, string> define)
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
    /// <exception cref="ArgumentException">A name is empty, or a type is not a number (<c>i32</c>, <c>i64</c>, <c>f32</c>, <c>f64</c>).</exception>
    public HostFunction(string module, string name, IReadOnlyList<WasmValueType> parameters, IReadOnlyList<WasmValueType> results, HostFunctionCallback callback)
        : this(module, name, Untyped(parameters, results, callback))
    {
    }

    /// <summary>The import module name.</summary>
    public string Module { get; }

    /// <summary>The import name.</summary>
    public string Name { get; }

    /// <summary>The same function, imported from <paramref name="module"/> instead.</summary>
    /// <param name="module">Import module name, such as <c>env</c>.</param>
    public HostFunction WithModule(string module) => new(module, Name, _define);

    /// <summary>A host function of type <c>() -> ()</c> in <see cref="UserModule"/>.</summary>
    /// <param name="name">Import name.</param>
    /// <param name="callback">The implementation.</param>
    public static HostFunction FromMethod(string name, Action<CurrentPlugin> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return new(UserModule, name, (l, m, n) => l.DefineFunction(m, n, (Caller c) => callback(CurrentPlugin.Of(c))));
    }

    /// <summary>A host function of one parameter and no result in <see cref="UserModule"/>; types are <see cref="int"/>, <see cref="long"/>, <see cref="float"/> or <see cref="double"/>.</summary>
    /// <param name="name">Import name.</param>
    /// <param name="callback">The implementation.</param>
    /// <exception cref="ArgumentException">A type is not one of the four.</exception>
    public static HostFunction FromMethod<T1>(string name, Action<CurrentPlugin, T1> callback)
        where T1 : struct
    {
        ArgumentNullException.ThrowIfNull(callback);
        CheckTypes(name, typeof(T1));
        return new(UserModule, name, (l, m, n) => l.DefineFunction(m, n, (Caller c, T1 a) => callback(CurrentPlugin.Of(c), a)));
    }

    /// <summary>A host function of two parameters and no result in <see cref="UserModule"/>; types are <see cref="int"/>, <see cref="long"/>, <see cref="float"/> or <see cref="double"/>.</summary>
    /// <param name="name">Import name.</param>
    /// <param name="callback">The implementation.</param>
    /// <exception cref="ArgumentException">A type is not one of the four.</exception>
    public static HostFunction FromMethod<T1, T2>(string name, Action<CurrentPlugin, T1, T2> callback)
        where T1 : struct
        where T2 : struct
    {
        ArgumentNullException.ThrowIfNull(callback);
        CheckTypes(name, typeof(T1), typeof(T2));
        return new(UserModule, name, (l, m, n) => l.DefineFunction(m, n, (Caller c, T1 a, T2 b) => callback(CurrentPlugin.Of(c), a, b)));
    }

    /// <summary>A host function of three parameters and no result in <see cref="UserModule"/>; types are <see cref="int"/>, <see cref="long"/>, <see cref="float"/> or <see cref="double"/>.</summary>
    /// <param name="name">Import name.</param>
    /// <param name="callback">The implementation.</param>
    /// <exception cref="ArgumentException">A type is not one of the four.</exception>
    public static HostFunction FromMethod<T1, T2, T3>(string name, Action<CurrentPlugin, T1, T2, T3> callback)
        where T1 : struct
        where T2 : struct
        where T3 : struct
    {
        ArgumentNullException.ThrowIfNull(callback);
        CheckTypes(name, typeof(T1), typeof(T2), typeof(T3));
        return new(UserModule, name, (l, m, n) => l.DefineFunction(m, n, (Caller c, T1 a, T2 b, T3 d) => callback(CurrentPlugin.Of(c), a, b, d)));
    }

    /// <summary>A host function of no parameter and one result in <see cref="UserModule"/>; types are <see cref="int"/>, <see cref="long"/>, <see cref="float"/> or <see cref="double"/>.</summary>
    /// <param name="name">Import name.</param>
    /// <param name="callback">The implementation.</param>
    /// <exception cref="ArgumentException">A type is not one of the four.</exception>
    public static HostFunction FromMethod<TResult>(string name, Func<CurrentPlugin, TResult> callback)
        where TResult : struct
    {
        ArgumentNullException.ThrowIfNull(callback);
        CheckTypes(name, typeof(TResult));
        return new(UserModule, name, (l, m, n) => l.DefineFunction(m, n, (Caller c) => callback(CurrentPlugin.Of(c))));
    }

    /// <summary>A host function of one parameter and one result in <see cref="UserModule"/>; types are <see cref="int"/>, <see cref="long"/>, <see cref="float"/> or <see cref="double"/>.</summary>
    /// <param name="name">Import name.</param>
    /// <param name="callback">The implementation.</param>
    /// <exception cref="ArgumentException">A type is not one of the four.</exception>
    public static HostFunction FromMethod<T1, TResult>(string name, Func<CurrentPlugin, T1, TResult> callback)
        where T1 : struct
        where TResult : struct
    {
        ArgumentNullException.ThrowIfNull(callback);
        CheckTypes(name, typeof(T1), typeof(TResult));
        return new(UserModule, name, (l, m, n) => l.DefineFunction(m, n, (Caller c, T1 a) => callback(CurrentPlugin.Of(c), a)));
    }

    /// <summary>A host function of two parameters and one result in <see cref="UserModule"/>; types are <see cref="int"/>, <see cref="long"/>, <see cref="float"/> or <see cref="double"/>.</summary>
    /// <param name="name">Import name.</param>
    /// <param name="callback">The implementation.</param>
    /// <exception cref="ArgumentException">A type is not one of the four.</exception>
    public static HostFunction FromMethod<T1, T2, TResult>(string name, Func<CurrentPlugin, T1, T2, TResult> callback)
        where T1 : struct
        where T2 : struct
        where TResult : struct
    {
        ArgumentNullException.ThrowIfNull(callback);
        CheckTypes(name, typeof(T1), typeof(T2), typeof(TResult));
        return new(UserModule, name, (l, m, n) => l.DefineFunction(m, n, (Caller c, T1 a, T2 b) => callback(CurrentPlugin.Of(c), a, b)));
    }

    /// <summary>A host function of three parameters and one result in <see cref="UserModule"/>; types are <see cref="int"/>, <see cref="long"/>, <see cref="float"/> or <see cref="double"/>.</summary>
    /// <param name="name">Import name.</param>
    /// <param name="callback">The implementation.</param>
    /// <exception cref="ArgumentException">A type is not one of the four.</exception>
    public static HostFunction FromMethod<T1, T2, T3, TResult>(string name, Func<CurrentPlugin, T1, T2, T3, TResult> callback)
        where T1 : struct
        where T2 : struct
        where T3 : struct
        where TResult : struct
    {
        ArgumentNullException.ThrowIfNull(callback);
        CheckTypes(name, typeof(T1), typeof(T2), typeof(T3), typeof(TResult));
        return new(UserModule, name, (l, m, n) => l.DefineFunction(m, n, (Caller c, T1 a, T2 b, T3 d) => callback(CurrentPlugin.Of(c), a, b, d)));
    }

    /// <summary>
    /// A host function of seven parameters and one result in <see cref="UserModule"/>, such as three
    /// (pointer, length) pairs and an id; types are <see cref="int"/>, <see cref="long"/>, <see cref="float"/> or <see cref="double"/>.
    /// </summary>
    /// <param name="name">Import name.</param>
    /// <param name="callback">The implementation.</param>
    /// <exception cref="ArgumentException">A type is not one of the four.</exception>
    public static HostFunction FromMethod<T1, T2, T3, T4, T5, T6, T7, TResult>(string name, Func<CurrentPlugin, T1, T2, T3, T4, T5, T6, T7, TResult> callback)
        where T1 : struct
        where T2 : struct
        where T3 : struct
        where T4 : struct
        where T5 : struct
        where T6 : struct
        where T7 : struct
        where TResult : struct
    {
        ArgumentNullException.ThrowIfNull(callback);
        CheckTypes(name, typeof(T1), typeof(T2), typeof(T3), typeof(T4), typeof(T5), typeof(T6), typeof(T7), typeof(TResult));
        return new(UserModule, name, (l, m, n) => l.DefineFunction(m, n,
            (Caller c, T1 a, T2 b, T3 d, T4 e, T5 f, T6 g, T7 h) => callback(CurrentPlugin.Of(c), a, b, d, e, f, g, h)));
    }

    internal void DefineIn(Linker linker) => _define(linker, Module, Name);

    /// <summary>The function as <c>module::name</c>.</summary>
    public override string ToString() => $"{Module}::{Name}";

    private static void CheckTypes(string name, params Type[] types)
    {
        foreach (var type in types)
        {
            if (type != typeof(int) && type != typeof(long) && type != typeof(float) && type != typeof(double))
                throw new ArgumentException($"host function \"{name}\": a wasm parameter or result is an int, long, float or double, not {type}", nameof(types));
        }
    }

    private static Action<Linker, string, string> Untyped(IReadOnlyList<WasmValueType> parameters, IReadOnlyList<WasmValueType> results, HostFunctionCallback callback)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(callback);
        WasmValueType[] parameterTypes = [.. parameters], resultTypes = [.. results];
        var parameterKinds = parameterTypes.Select(Kind).ToArray();
        var resultKinds = resultTypes.Select(Kind).ToArray();
        return (linker, module, name) => linker.DefineFunction(module, name,
            (Caller caller, ReadOnlySpan<ValueBox> arguments, Span<ValueBox> values) =>
                Invoke($"{module}::{name}", CurrentPlugin.Of(caller), arguments, values, parameterTypes, resultTypes, callback),
            parameterKinds, resultKinds);
    }

    private static void Invoke(string function, CurrentPlugin plugin, ReadOnlySpan<ValueBox> arguments, Span<ValueBox> values,
        WasmValueType[] parameterTypes, WasmValueType[] resultTypes, HostFunctionCallback callback)
    {
        Span<WasmValue> typedArguments = parameterTypes.Length <= MaxStackValues ? stackalloc WasmValue[parameterTypes.Length] : new WasmValue[parameterTypes.Length];
        for (var i = 0; i < parameterTypes.Length; i++)
        {
            typedArguments[i] = parameterTypes[i] switch
            {
                WasmValueType.I32 => WasmValue.FromInt32(arguments[i].AsInt32()),
                WasmValueType.I64 => WasmValue.FromInt64(arguments[i].AsInt64()),
                WasmValueType.F32 => WasmValue.FromFloat32(arguments[i].AsSingle()),
                _ => WasmValue.FromFloat64(arguments[i].AsDouble()),
            };
        }
        Span<WasmValue> results = resultTypes.Length <= MaxStackValues ? stackalloc WasmValue[resultTypes.Length] : new WasmValue[resultTypes.Length];
        for (var i = 0; i < resultTypes.Length; i++)
            results[i] = WasmValue.Zero(resultTypes[i]);
        callback(plugin, typedArguments, results);
        for (var i = 0; i < resultTypes.Length; i++)
        {
            if (results[i].Type != resultTypes[i])
                throw new InvalidOperationException($"host function {function} set result {i} to {results[i]}, but that result is declared {WasmValue.Name(resultTypes[i])}");
            values[i] = resultTypes[i] switch
            {
                WasmValueType.I32 => (ValueBox)results[i].AsInt32(),
                WasmValueType.I64 => (ValueBox)results[i].AsInt64(),
                WasmValueType.F32 => (ValueBox)results[i].AsFloat32(),
                _ => (ValueBox)results[i].AsFloat64(),
            };
        }
    }

    private static ValueKind Kind(WasmValueType type) => type switch
    {
        WasmValueType.I32 => ValueKind.Int32,
        WasmValueType.I64 => ValueKind.Int64,
        WasmValueType.F32 => ValueKind.Float32,
        WasmValueType.F64 => ValueKind.Float64,
        _ => throw new ArgumentException($"a host function takes and returns numbers (i32, i64, f32, f64), not {WasmValue.Name(type)}", nameof(type)),
    };
}
