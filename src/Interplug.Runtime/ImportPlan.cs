using Interplug.Runtime.Env;
using Interplug.Runtime.Kernel;
using Wasmtime;

namespace Interplug.Runtime;

/// <summary>Where each import of one module comes from, worked out once at compile time.</summary>
internal sealed class ImportPlan
{
    private const string WasiModule = "wasi_snapshot_preview1";

    private readonly Binding[] _bindings;

    private ImportPlan(string? name, Module module, Binding[] bindings)
    {
        Name = name;
        Module = module;
        _bindings = bindings;
        ExportedMemories = module.Exports.OfType<MemoryExport>().Select(e => e.Name).ToArray();
    }

    /// <summary>The names of the memories the module exports, which count against the instance's budget.</summary>
    public IReadOnlyList<string> ExportedMemories { get; }

    public string? Name { get; }

    public Module Module { get; }

    /// <summary>Checks every import of <paramref name="module"/> against what the host provides.</summary>
    /// <param name="module">The module to plan.</param>
    /// <param name="name">Its name for linking, if any.</param>
    /// <param name="earlier">Modules instantiated before it, which it may import from by name.</param>
    /// <param name="hostFunctions">User host functions as <c>module::name</c>.</param>
    /// <param name="wasi">Whether WASI is provided.</param>
    public static ImportPlan Create(Module module, string? name, IReadOnlyList<ImportPlan> earlier, IReadOnlySet<string> hostFunctions, bool wasi)
    {
        var bindings = module.Imports.Select(import => Bind(import, earlier, hostFunctions, wasi)).ToArray();
        return new ImportPlan(name, module, bindings);
    }

    /// <summary>Resolves the plan against one instance's kernel, linker and earlier modules.</summary>
    public object[] Resolve(Store store, Linker linker, Instance kernel, IReadOnlyList<Instance> earlier)
    {
        var imports = new object[_bindings.Length];
        for (var i = 0; i < imports.Length; i++)
        {
            var b = _bindings[i];
            imports[i] = b.Source switch
            {
                Source.Kernel => kernel.GetFunction(b.Name)!,
                Source.Linked => ExportOf(earlier[b.LinkedIndex], b.Name)!,
                _ => linker.GetFunction(store, b.Module, b.Name)
                     ?? throw new PluginException(PluginErrorKind.MissingImport, $"missing import {b.Module}::{b.Name}") { ImportName = $"{b.Module}::{b.Name}" },
            };
        }
        return imports;
    }

    /// <summary>After a failed instantiation: the first function import whose type differs from what was supplied, described for people.</summary>
    public string? DescribeTypeMismatch(object[] imports)
    {
        var declared = Module.Imports.ToArray();
        for (var i = 0; i < imports.Length && i < declared.Length; i++)
        {
            if (declared[i] is not FunctionImport wanted || imports[i] is not Function given)
                continue;
            if (!wanted.Parameters.SequenceEqual(given.Parameters) || !wanted.Results.SequenceEqual(given.Results))
                return $"import {wanted.ModuleName}::{wanted.Name} is declared as {Signature(wanted.Parameters, wanted.Results)}, but the host provides {Signature(given.Parameters, given.Results)}";
        }
        return null;
    }

    private static string Signature(IReadOnlyList<ValueKind> parameters, IReadOnlyList<ValueKind> results) =>
        $"({string.Join(", ", parameters)}) -> ({string.Join(", ", results)})";

    private static object? ExportOf(Instance instance, string name) =>
        (object?)instance.GetFunction(name) ?? (object?)instance.GetMemory(name) ?? (object?)instance.GetGlobal(name) ?? instance.GetTable(name);

    private static Binding Bind(Import import, IReadOnlyList<ImportPlan> earlier, IReadOnlySet<string> hostFunctions, bool wasi)
    {
        var isFunction = import is FunctionImport;
        if (import.ModuleName == EnvFunctions.Module && isFunction)
        {
            if (KernelSource.EnvNames.Contains(import.Name))
                return new Binding(Source.Kernel, import.ModuleName, import.Name, -1);
            if (EnvFunctions.Names.Contains(import.Name))
                return new Binding(Source.Linker, import.ModuleName, import.Name, -1);
        }
        for (var i = earlier.Count - 1; i >= 0; i--)
        {
            if (earlier[i].Name != import.ModuleName)
                continue;
            if (earlier[i].Module.Exports.Any(e => e.Name == import.Name))
                return new Binding(Source.Linked, import.ModuleName, import.Name, i);
            break;
        }
        if (isFunction && (hostFunctions.Contains($"{import.ModuleName}::{import.Name}") || (wasi && import.ModuleName == WasiModule)))
            return new Binding(Source.Linker, import.ModuleName, import.Name, -1);

        var what = $"{import.ModuleName}::{import.Name}";
        var hint = import.ModuleName == WasiModule && !wasi ? " (the plugin needs WASI; enable it)" : "";
        throw new PluginException(PluginErrorKind.MissingImport, $"the module imports {what}, which the host does not provide{hint}") { ImportName = what };
    }

    private enum Source
    {
        Kernel,
        Linker,
        Linked,
    }

    private readonly record struct Binding(Source Source, string Module, string Name, int LinkedIndex);
}
