using Interplug.Host.Policy;
using Interplug.Runtime;

namespace Interplug.Host.Calls;

/// <summary>
/// The load-time checks of <c>plugin:</c> imports: before a process runs an instruction, every
/// plugin it imports, and every plugin those import in turn, must be allowed by the policy (spawn
/// and call, under the rights each would have: a child's are narrowed by its parent's), exist in
/// the catalog, export the imported function, and not lead back into the chain of importers.
/// </summary>
/// <remarks>
/// The walk follows every path, because rights depend on the path (a child's rights narrow its
/// parent's). So that a crafted catalog cannot make it exponential, one walk checks at most
/// <see cref="MaxEdges"/> imports.
/// </remarks>
/// <param name="compiled">Compiles the imported plugins (the host's own cache).</param>
/// <param name="policy">The host's policy, for the rights of imported children.</param>
internal sealed class ImportGraph(CompileCache compiled, PluginPolicy policy)
{
    /// <summary>The most imports one load-time check follows, across the whole graph.</summary>
    public const int MaxEdges = 256;

    private readonly CompileCache _compiled = compiled;
    private readonly PluginPolicy _policy = policy;

    /// <summary>Throws the first refusal among the imports of <paramref name="plugin"/> and everything they import.</summary>
    /// <param name="plugin">The plugin about to be instantiated.</param>
    /// <param name="name">Its catalog name.</param>
    /// <param name="rights">The rights its process will have.</param>
    /// <param name="deadlineTimestamp">How long compiling an imported plugin may be waited for.</param>
    /// <param name="cancellationToken">Cancels that wait.</param>
    /// <exception cref="PluginException">
    /// <see cref="PluginErrorKind.PermissionDenied"/>, <see cref="PluginErrorKind.NotFound"/>, <see cref="PluginErrorKind.ExportNotFound"/>,
    /// <see cref="PluginErrorKind.CallCycle"/> or <see cref="PluginErrorKind.LimitExceeded"/>, or what compiling an imported plugin reports;
    /// <see cref="PluginException.ImportName"/> names the import.
    /// </exception>
    public void Check(CompiledPlugin plugin, string name, Rights rights, long deadlineTimestamp, CancellationToken cancellationToken)
    {
        if (!PluginImports.Any(plugin))
            return;
        var walk = new Walk(this, deadlineTimestamp, cancellationToken);
        foreach (var import in PluginImports.Of(plugin))
            walk.Follow(import, rights, [name]);
    }

    /// <summary>Each <c>plugin:</c> import of <paramref name="plugin"/> with the reason it would be refused, null when it is allowed.</summary>
    public IReadOnlyList<(PluginImports.Target Import, PluginException? Refusal)> Review(CompiledPlugin plugin, string name, Rights rights, CancellationToken cancellationToken)
    {
        var walk = new Walk(this, long.MaxValue, cancellationToken);
        var review = new List<(PluginImports.Target, PluginException?)>();
        foreach (var import in PluginImports.Of(plugin))
        {
            try
            {
                walk.Follow(import, rights, [name]);
                review.Add((import, null));
            }
            catch (PluginException e) when (e.Kind is not (PluginErrorKind.Cancelled or PluginErrorKind.Disposed))
            {
                review.Add((import, e));
            }
        }
        return review;
    }

    private sealed class Walk(ImportGraph graph, long deadlineTimestamp, CancellationToken cancellationToken)
    {
        private int _edges;

        /// <summary>Checks one import of the last plugin on <paramref name="importers"/>, which has <paramref name="rights"/>, then what the imported plugin imports.</summary>
        public void Follow(PluginImports.Target import, Rights rights, List<string> importers)
        {
            var importer = importers[^1];
            if (++_edges > MaxEdges)
                throw Refused(PluginErrorKind.LimitExceeded, importers, import,
                    $"the plugins {importers[0]} imports, directly or not, have more than {MaxEdges} plugin imports in all");
            if (importers.Contains(import.Plugin))
            {
                var cycle = string.Join(" → ", importers.Append(import.Plugin));
                throw new PluginException(PluginErrorKind.CallCycle, $"import cycle: {cycle} ({importer} imports {import.Import})")
                    { ImportName = import.Import, CallChain = cycle };
            }
            if (rights.WhyNotSpawn(import.Plugin) is { } noSpawn)
                throw Refused(PluginErrorKind.PermissionDenied, importers, import, $"{importer} may not spawn {import.Plugin}: {noSpawn}");
            if (rights.WhyNotCall(import.Plugin, import.Export) is { } noCall)
                throw Refused(PluginErrorKind.PermissionDenied, importers, import, $"{importer} may not call {import.Plugin}.{import.Export}: {noCall}");

            CompiledPlugin imported;
            try
            {
                imported = graph._compiled.Get(import.Plugin, deadlineTimestamp, cancellationToken);
            }
            catch (PluginException e)
            {
                throw Refused(e.Kind, importers, import, e.Message, e);
            }
            if (!imported.Exports.Contains(import.Export))
                throw Refused(PluginErrorKind.ExportNotFound, importers, import,
                    $"{import.Plugin} has no callable export {import.Export} (exports: {string.Join(", ", imported.Exports)})");

            var childRights = rights.ForChild(graph._policy, import.Plugin);
            importers.Add(import.Plugin);
            foreach (var next in PluginImports.Of(imported))
                Follow(next, childRights, importers);
            importers.RemoveAt(importers.Count - 1);
        }

        private static PluginException Refused(PluginErrorKind kind, List<string> importers, PluginImports.Target import, string reason, Exception? inner = null)
        {
            var through = importers.Count > 1 ? $" (imported through {string.Join(" → ", importers)})" : "";
            return new PluginException(kind, $"{importers[^1]} imports {import.Import}{through}: {reason}", inner)
                { ImportName = import.Import, ExportName = kind == PluginErrorKind.ExportNotFound ? import.Export : null };
        }
    }
}
