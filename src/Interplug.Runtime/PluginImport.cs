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
/// <see cref="CompiledPlugin.Imports"/> lists. Value types are spelled as in WebAssembly text:
/// <c>i32</c>, <c>i64</c>, <c>f32</c>, <c>f64</c>, <c>v128</c>, <c>funcref</c>, <c>externref</c>, <c>anyref</c>.
/// </summary>
public sealed class PluginImport
{
    private PluginImport(string module, string name, ImportKind kind, IReadOnlyList<string> parameters, IReadOnlyList<string> results)
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
    public IReadOnlyList<string> Parameters { get; }

    /// <summary>The result types of a function import; empty for other kinds.</summary>
    public IReadOnlyList<string> Results { get; }

    /// <summary>A function's type as <c>(i64) -> i64</c>, <c>() -> ()</c> and so on; the kind in lower case (<c>memory</c>) for other imports.</summary>
    public string Signature => Kind == ImportKind.Function
        ? $"({string.Join(", ", Parameters)}) -> {(Results.Count == 1 ? Results[0] : $"({string.Join(", ", Results)})")}"
        : Kind.ToString().ToLowerInvariant();

    /// <summary>Whether this is a function import of type <paramref name="parameters"/> -> <paramref name="results"/>, spelled as in <see cref="Parameters"/>.</summary>
    public bool IsFunction(IReadOnlyList<string> parameters, IReadOnlyList<string> results) =>
        Kind == ImportKind.Function && Parameters.SequenceEqual(parameters, StringComparer.Ordinal) && Results.SequenceEqual(results, StringComparer.Ordinal);

    /// <summary>The import as <c>module::name</c>, as <see cref="PluginException.ImportName"/> names it.</summary>
    public override string ToString() => $"{Module}::{Name}";

    internal static PluginImport Of(Import import) => import switch
    {
        FunctionImport f => new(f.ModuleName, f.Name, ImportKind.Function, f.Parameters.Select(Text).ToArray(), f.Results.Select(Text).ToArray()),
        MemoryImport => new(import.ModuleName, import.Name, ImportKind.Memory, [], []),
        TableImport => new(import.ModuleName, import.Name, ImportKind.Table, [], []),
        GlobalImport => new(import.ModuleName, import.Name, ImportKind.Global, [], []),
        _ => new(import.ModuleName, import.Name, ImportKind.Tag, [], []),
    };

    private static string Text(ValueKind kind) => kind switch
    {
        ValueKind.Int32 => "i32",
        ValueKind.Int64 => "i64",
        ValueKind.Float32 => "f32",
        ValueKind.Float64 => "f64",
        ValueKind.V128 => "v128",
        ValueKind.FuncRef => "funcref",
        ValueKind.ExternRef => "externref",
        _ => "anyref",
    };
}
