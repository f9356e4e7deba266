using Interplug.Runtime.Env;
using Interplug.Runtime.Kernel;
using Wasmtime;

namespace Interplug.Runtime;

/// <summary>
/// What the host provides to one plugin's modules: the kernel and environment functions, WASI,
/// the user's host functions, and whatever <see cref="PluginOptions.ImportResolver"/> resolves.
/// While a plugin is compiled it records every import the host provides, once each, and the
/// functions the resolver gave, which the plugin's linker then defines.
/// </summary>
internal sealed class HostImports
{
    public const string WasiModule = "wasi_snapshot_preview1";

    private readonly HashSet<string> _functions;
    private readonly HashSet<string> _listed = new(StringComparer.Ordinal);
    private readonly List<PluginImport> _imports = [];
    private readonly List<HostFunction> _resolved = [];
    private readonly PluginOptions _options;

    public HostImports(PluginOptions options)
    {
        _options = options;
        _functions = options.HostFunctions.Select(f => f.ToString()).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Whether the plugin gets WASI.</summary>
    public bool Wasi => _options.Wasi;

    /// <summary>Every import the host provides, in the order the modules declare them.</summary>
    public IReadOnlyList<PluginImport> Imports => _imports;

    /// <summary>The functions <see cref="PluginOptions.ImportResolver"/> gave, to define in the plugin's linker.</summary>
    public IReadOnlyList<HostFunction> Resolved => _resolved;

    /// <summary>Whether the host provides <paramref name="import"/>; asks the resolver for what nothing else provides.</summary>
    /// <exception cref="ArgumentException">The resolver returned a function of another module or name.</exception>
    public bool Provide(Import import)
    {
        var key = $"{import.ModuleName}::{import.Name}";
        if (_listed.Contains(key))
            return true;
        var isFunction = import is FunctionImport;
        var provided = isFunction && (IsEnv(import) || _functions.Contains(key) || (_options.Wasi && import.ModuleName == WasiModule));
        var described = PluginImport.Of(import);
        if (!provided && _options.ImportResolver?.Invoke(described) is { } function)
        {
            if (function.Module != import.ModuleName || function.Name != import.Name || !isFunction)
                throw new ArgumentException(
                    $"PluginOptions.ImportResolver returned host function {function} for the {described.Kind.ToString().ToLowerInvariant()} import {key}");
            _resolved.Add(function);
            provided = true;
        }
        if (provided)
        {
            _listed.Add(key);
            _imports.Add(described);
        }
        return provided;
    }

    private static bool IsEnv(Import import) =>
        import.ModuleName == EnvFunctions.Module && (KernelSource.EnvNames.Contains(import.Name) || EnvFunctions.Names.Contains(import.Name));
}
