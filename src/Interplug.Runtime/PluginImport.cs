using Wasmtime;

namespace Interplug.Runtime;

/// <summary>What an import of a module asks the host for.</summary>
public enum ImportKind
{
    /// <summary>A function.</summary>
    Function,

    /// <summary>A linear memory.</summary>
    Memory,

    /// <summary>A table.</summary>
    Table,

    /// <summary>A global.</summary>
    Global,

    /// <summary>An exception tag.</summary>
    Tag,
}

/// <summary>
/// One import of a plugin's module that the host provides (rather than a module linked before
/// it): what <see cref="PluginOptions.ImportResolver"/> is asked to resolve and what
/// <see cref="CompiledPlugin.Imports"/> lists.
/// </summary>
public sealed class PluginImport
{
    private PluginImport(string module, string name, ImportKind kind, IReadOnlyList<WasmValueType> parameters, IReadOnlyList<WasmValueType> results)
    {
        Module = module;
        Name = name;
        Kind = kind;
        Parameters = parameters;
        Results = results;
    }

    /// <summary>The import's module name, such as <c>extism:host/env</c>.</summary>
    public string Module { get; }

    /// <summary>The import's name within its module.</summary>
    public string Name { get; }

    /// <summary>What is imported.</summary>
    public ImportKind Kind { get; }

    /// <summary>The parameter types of a function import; empty for other kinds.</summary>
    public IReadOnlyList<WasmValueType> Parameters { get; }

    /// <summary>The result types of a function import; empty for other kinds.</summary>
    public IReadOnlyList<WasmValueType> Results { get; }

    /// <summary>A function's type as <c>(i64) -> i64</c>, <c>() -> ()</c> and so on; the kind in lower case (<c>memory</c>) for other imports.</summary>
    public string Signature => Kind == ImportKind.Function
        ? $"({Names(Parameters)}) -> {(Results.Count == 1 ? WasmValue.Name(Results[0]) : $"({Names(Results)})")}"
        : Kind.ToString().ToLowerInvariant();

    /// <summary>Whether this is a function import of type <paramref name="parameters"/> -> <paramref name="results"/>.</summary>
    public bool IsFunction(IReadOnlyList<WasmValueType> parameters, IReadOnlyList<WasmValueType> results) =>
        Kind == ImportKind.Function && Parameters.SequenceEqual(parameters) && Results.SequenceEqual(results);

    /// <summary>The import as <c>module::name</c>, as <see cref="PluginException.ImportName"/> names it.</summary>
    public override string ToString() => $"{Module}::{Name}";

    internal static PluginImport Of(Import import) => import switch
    {
        FunctionImport f => new(f.ModuleName, f.Name, ImportKind.Function, f.Parameters.Select(Type).ToArray(), f.Results.Select(Type).ToArray()),
        MemoryImport => new(import.ModuleName, import.Name, ImportKind.Memory, [], []),
        TableImport => new(import.ModuleName, import.Name, ImportKind.Table, [], []),
        GlobalImport => new(import.ModuleName, import.Name, ImportKind.Global, [], []),
        _ => new(import.ModuleName, import.Name, ImportKind.Tag, [], []),
    };

    private static string Names(IReadOnlyList<WasmValueType> types) => string.Join(", ", types.Select(WasmValue.Name));

    private static WasmValueType Type(ValueKind kind) => kind switch
    {
        ValueKind.Int32 => WasmValueType.I32,
        ValueKind.Int64 => WasmValueType.I64,
        ValueKind.Float32 => WasmValueType.F32,
        ValueKind.Float64 => WasmValueType.F64,
        ValueKind.V128 => WasmValueType.V128,
        ValueKind.FuncRef => WasmValueType.FuncRef,
        ValueKind.ExternRef => WasmValueType.ExternRef,
        _ => WasmValueType.AnyRef,
    };
}
