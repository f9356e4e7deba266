using Interplug.Host.Catalog;
using Interplug.Runtime;

namespace Interplug.Host.Calls;

/// <summary>
/// Imports from module <c>plugin:&lt;name&gt;</c>: a plugin imports another plugin's export as a
/// function of type <c>(i64) -> i64</c>, and calling it is a <c>call_plugin</c> of that export,
/// with the same ownership (the input block stays the caller's; the output is a new block the
/// caller owns, 0 when empty). The child is spawned on first use, one per importing process and
/// imported name, through the same path as <c>register_plugin</c>, and freed with its parent.
/// What the policy allows was checked when the importer was loaded (<see cref="ImportGraph"/>).
/// </summary>
internal static class PluginImports
{
    public const string ModulePrefix = "plugin:";

    private static readonly WasmValueType[] I64 = [WasmValueType.I64];

    /// <summary>A plugin import one module declares.</summary>
    /// <param name="Plugin">The imported plugin's catalog name.</param>
    /// <param name="Export">The export it calls.</param>
    /// <param name="Import">The import as <c>plugin:name::export</c>.</param>
    public readonly record struct Target(string Plugin, string Export, string Import);

    /// <summary>The <c>plugin:</c> imports of <paramref name="plugin"/>, in declaration order; checked to be well-formed when it compiled.</summary>
    public static IEnumerable<Target> Of(CompiledPlugin plugin) =>
        from import in plugin.Imports
        where IsPluginModule(import.Module)
        select new Target(import.Module[ModulePrefix.Length..], import.Name, import.ToString());

    /// <summary>Whether <paramref name="plugin"/> imports from any plugin; allocates nothing.</summary>
    public static bool Any(CompiledPlugin plugin)
    {
        foreach (var import in plugin.Imports)
            if (IsPluginModule(import.Module))
                return true;
        return false;
    }

    /// <summary>The <see cref="PluginOptions.ImportResolver"/> of the host's plugins: provides each <c>plugin:</c> import, refuses a malformed one.</summary>
    /// <exception cref="PluginException"><see cref="PluginErrorKind.BadModule"/> for an import of another type or an invalid plugin name, naming the import.</exception>
    public static HostFunction? Resolve(PluginImport import)
    {
        if (!IsPluginModule(import.Module))
            return null;
        var plugin = import.Module[ModulePrefix.Length..];
        try
        {
            PluginName.Validate(plugin);
        }
        catch (PluginException e)
        {
            throw new PluginException(PluginErrorKind.BadModule, $"the module imports {import} from an invalid plugin name: {e.Message}", e) { ImportName = import.ToString() };
        }
        if (!import.IsFunction(I64, I64))
            throw new PluginException(PluginErrorKind.BadModule,
                $"the module imports {import} as {import.Signature}; an import from a plugin must be a function (i64) -> i64 (input block in, output block out)")
            { ImportName = import.ToString() };
        var export = import.Name;
        return HostFunction.FromMethod(export, (CurrentPlugin caller, long input) => Call(caller, plugin, export, input)).WithModule(import.Module);
    }

    private static long Call(CurrentPlugin caller, string plugin, string export, long inputHandle)
    {
        var (process, chain) = InterPluginFunctions.Context(caller);
        var child = process.Tree.Imported(process, plugin) ?? process.Host.SpawnImport(process, chain, plugin);
        return process.Host.CallChild(caller, process, chain, child, export, inputHandle);
    }

    private static bool IsPluginModule(string module) => module.StartsWith(ModulePrefix, StringComparison.Ordinal);
}
