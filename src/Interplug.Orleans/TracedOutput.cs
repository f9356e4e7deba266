namespace Interplug.Orleans;

/// <summary>What <see cref="ClusterPluginProcess.CallTracedAsync"/> returns.</summary>
/// <param name="Output">The call's output.</param>
/// <param name="Hops">Every call of its chain, the top-level call first, in the order they started.</param>
public sealed record TracedOutput(byte[] Output, IReadOnlyList<ClusterHop> Hops);

/// <summary>One call of a traced chain on a cluster.</summary>
/// <param name="Depth">Its place on the chain: 1 for the top-level call, 2 for a call it made, and so on.</param>
/// <param name="Caller">The calling plugin, or <see cref="Host.InterplugDiagnostics.HostCaller"/> for the top-level call.</param>
/// <param name="Callee">The called plugin.</param>
/// <param name="Export">The export called.</param>
/// <param name="Silo">The silo the callee ran on, <c>host:port</c>.</param>
public sealed record ClusterHop(int Depth, string Caller, string Callee, string Export, string Silo);
