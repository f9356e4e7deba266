using Interplug.Host.Calls;
using Interplug.Host.Policy;
using Interplug.Runtime;

namespace Interplug.Host.Inspection;

/// <summary>
/// What a plugin can reach, known before it runs (<see cref="PluginHost.Inspect"/>): its exports,
/// what it imports from the host, from WASI and from other plugins, and what the host's policy
/// allows it as a top-level process.
/// </summary>
public sealed record PluginReport
{
    /// <summary>The plugin's catalog name.</summary>
    public required string Name { get; init; }

    /// <summary>The key of the policy rule that governs it; null when none does (then it may spawn nothing).</summary>
    public string? PolicyRule { get; init; }

    /// <summary>Globs of the names it may spawn with <c>register_plugin</c>; empty when it may spawn nothing.</summary>
    public required IReadOnlyList<string> MaySpawn { get; init; }

    /// <summary>Its callable exports.</summary>
    public required IReadOnlyList<string> Exports { get; init; }

    /// <summary>The functions and other items it imports from the host: the kernel, the environment and the inter-plugin functions.</summary>
    public required IReadOnlyList<ImportedHostFunction> HostImports { get; init; }

    /// <summary>What it imports from WASI preview 1.</summary>
    public required IReadOnlyList<ImportedHostFunction> WasiImports { get; init; }

    /// <summary>The exports it imports from other plugins (<c>plugin:&lt;name&gt;</c>), each with the policy's and the catalog's verdict.</summary>
    public required IReadOnlyList<ImportedPluginExport> PluginImports { get; init; }

    internal static PluginReport Create(CompiledPlugin plugin, string name, Rights rights, ImportGraph imports, CancellationToken cancellationToken) => new()
    {
        Name = name,
        PolicyRule = rights.RuleKey,
        MaySpawn = rights.RuleKey is null ? [] : rights.Rule.Spawn,
        Exports = plugin.Exports,
        HostImports = Describe(plugin.Imports.Where(i => i.Module != Runtime.HostImports.WasiModule && !i.Module.StartsWith(Calls.PluginImports.ModulePrefix, StringComparison.Ordinal))),
        WasiImports = Describe(plugin.Imports.Where(i => i.Module == Runtime.HostImports.WasiModule)),
        PluginImports = imports.Review(plugin, name, rights, cancellationToken)
            .Select(r => new ImportedPluginExport(r.Import.Plugin, r.Import.Export, r.Refusal?.Kind, r.Refusal?.Message))
            .ToArray(),
    };

    private static ImportedHostFunction[] Describe(IEnumerable<PluginImport> imports) =>
        imports.Select(i => new ImportedHostFunction(i.Module, i.Name, i.Signature)).ToArray();
}

/// <summary>An import a plugin's module takes from the host.</summary>
/// <param name="Module">The import's module, such as <c>extism:host/env</c>.</param>
/// <param name="Name">The import's name.</param>
/// <param name="Type">A function's type as <c>(i64) -> i64</c>, or the kind of a non-function import (<c>memory</c>).</param>
public sealed record ImportedHostFunction(string Module, string Name, string Type);

/// <summary>An export a plugin imports from another plugin, and whether loading it would be allowed.</summary>
/// <param name="Plugin">The imported plugin's catalog name.</param>
/// <param name="Export">The imported export.</param>
/// <param name="Refusal">Why starting the importer would be refused over this import (policy, catalog, export, cycle, or the same for what the imported plugin imports in turn); null when allowed.</param>
/// <param name="Reason">The refusal's message; null when allowed.</param>
public sealed record ImportedPluginExport(string Plugin, string Export, PluginErrorKind? Refusal, string? Reason)
{
    /// <summary>Whether the policy and the catalog allow this import, and everything it imports in turn.</summary>
    public bool Allowed => Refusal is null;
}
