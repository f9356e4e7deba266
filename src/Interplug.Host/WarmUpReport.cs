namespace Interplug.Host;

/// <summary>What <see cref="PluginHost.WarmUp"/> compiled and what failed, each in catalog order.</summary>
/// <param name="Compiled">The plugins compiled, or found compiled already.</param>
/// <param name="Failures">The plugins that failed to compile, with why.</param>
public sealed record WarmUpReport(IReadOnlyList<string> Compiled, IReadOnlyList<WarmUpFailure> Failures);
