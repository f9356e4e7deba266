using Interplug.Runtime;

namespace Interplug.Reliability.Hostile;

/// <summary>
/// One hostile plugin of the corpus: what it is, what it does, and the typed error the host must
/// answer it with, or, for an abuse that must lose nothing, the output it must still get.
/// </summary>
/// <param name="Name">Its name in the corpus.</param>
/// <param name="Abuse">What it tries, in words.</param>
/// <param name="Wat">Its module as WebAssembly text, or null when it is one of plugins/dist.</param>
/// <param name="DistPlugin">The plugins/dist module it uses instead of <paramref name="Wat"/>.</param>
/// <param name="Export">The export to call.</param>
/// <param name="Input">The call's input.</param>
/// <param name="Expected">The kind the call (or loading) must fail with; null when the call must succeed with <see cref="ExpectedOutput"/>.</param>
public sealed record HostilePlugin(string Name, string Abuse, string? Wat, string? DistPlugin, string Export, string Input, PluginErrorKind? Expected)
{
    /// <summary>The output the call must return when <see cref="Expected"/> is null.</summary>
    public string? ExpectedOutput { get; init; }

    /// <summary>Changes the plugin's manifest (config, extra modules) before the host gets it; null for none.</summary>
    public Func<Runtime.Manifests.Manifest, Runtime.Manifests.Manifest>? Reshape { get; init; }

    /// <summary>The plugin's own policy rule, replacing the corpus's shared one; null for the shared one.</summary>
    public Host.Policy.PolicyRule? Rule { get; init; }

    /// <summary>Further checks on the exception, beyond its kind; null when there are none.</summary>
    public Func<PluginException, string?>? Check { get; init; }

    /// <summary>Whether the host must cancel the call itself (the plugin is stopped by cancellation, not a limit).</summary>
    public bool CancelAfter50Ms { get; init; }

    /// <summary>Whether the plugin needs WASI and a read-only preopen.</summary>
    public bool NeedsPreopen { get; init; }

    /// <summary>The name, for test listings.</summary>
    public override string ToString() => Name;
}
