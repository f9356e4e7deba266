using Interplug.Runtime.Env;
using Interplug.Runtime.Kernel;
using Wasmtime;

namespace Interplug.Runtime;

/// <summary>
/// One module of a plugin, with every import checked at compile time against what the host
/// provides: the kernel, the environment functions, WASI, user host functions, functions the
/// plugin's import resolver gives, or a module linked before it. Instantiation then resolves them in the linker (see <see cref="InstanceLinkers"/>).
/// </summary>
internal sealed class ImportPlan
{
    private ImportPlan(string? name, Module module)
    {
        Name = name;
        Module = module;
        ExportedMemories = module.Exports.OfType<MemoryExport>().Select(e => e.Name).ToArray();
    }

    /// <summary>The names of the memories the module exports, which count against the instance's budget.</summary>
    public IReadOnlyList<string> ExportedMemories { get; }

    public string? Name { get; }

    public Module Module { get; }

    /// <summary>Checks every import of <paramref name="module"/> against what the host provides.</summary>
    /// <param name="module">The module to plan.</param>
    /// <param name="name">The name later modules import it by; null for the plugin's main module.</param>
    /// <param name="earlier">Modules instantiated before it, which it may import from by name.</param>
    /// <param name="host">What the host provides; records the imports it provides.</param>
    public static ImportPlan Create(Module module, string? name, IReadOnlyList<ImportPlan> earlier, HostImports host)
    {
        if (name is not null)
            CheckLinkable(module, name, earlier);
        foreach (var import in module.Imports)
            Check(import, earlier, host);
        return new ImportPlan(name, module);
    }

    // A linked module's exports are defined in the instance's linker under its name, where they
    // would hide what the host provides there; so a name may not make that ambiguous.
    private static void CheckLinkable(Module module, string name, IReadOnlyList<ImportPlan> earlier)
    {
        if (name is EnvFunctions.Module or KernelSource.HostModule)
            throw new PluginException(PluginErrorKind.InvalidManifest, $"wasm entry name \"{name}\" is reserved for the host");
        foreach (var plan in earlier)
        {
            var clash = plan.Module.Imports.FirstOrDefault(i => i.ModuleName == name && module.Exports.Any(e => e.Name == i.Name));
            if (clash is not null)
                throw new PluginException(PluginErrorKind.InvalidManifest,
                    $"wasm entry \"{name}\" exports {clash.Name}, which the host also provides under that name and an entry listed before it imports from the host; rename \"{name}\"");
        }
    }

    private static void Check(Import import, IReadOnlyList<ImportPlan> earlier, HostImports host)
    {
        for (var i = earlier.Count - 1; i >= 0; i--)
        {
            if (earlier[i].Name != import.ModuleName)
                continue;
            if (earlier[i].Module.Exports.Any(e => e.Name == import.Name))
                return;
            break;
        }
        if (host.Provide(import))
            return;

        var what = $"{import.ModuleName}::{import.Name}";
        var hint = import.ModuleName == HostImports.WasiModule && !host.Wasi ? " (the plugin needs WASI; enable it)" : "";
        throw new PluginException(PluginErrorKind.MissingImport, $"the module imports {what}, which the host does not provide{hint}") { ImportName = what };
    }
}
