namespace Interplug.Host.Remote;

/// <summary>
/// Places the children whose rule says <c>placement: "spread"</c> on other machines, for a host
/// that runs on a cluster; the host calls it on the thread of the spawning plugin's call, which it
/// blocks. Without one (the embedded host) every child runs locally.
/// </summary>
internal interface IRemoteChildren
{
    /// <summary>This host's machine, as chains and traces name it: <c>host:port</c>.</summary>
    string Site { get; }

    /// <summary>Starts the child elsewhere; its start-up code runs there within the chain's deadline.</summary>
    /// <exception cref="Runtime.PluginException">The child's machine refused or failed to start it, or could not be reached (<see cref="Runtime.PluginErrorKind.Unavailable"/>).</exception>
    IRemoteChild Spawn(RemoteSpawn spawn, CancellationToken cancellationToken);
}

/// <summary>A child running on another machine, as its parent's handle table holds it.</summary>
internal interface IRemoteChild
{
    /// <summary>The child's machine: <c>host:port</c>.</summary>
    string Site { get; }

    /// <summary>Calls an export of the child; blocks the calling plugin's thread until the answer, the chain's deadline or its cancellation.</summary>
    /// <exception cref="Runtime.PluginException">The child's failure as its machine reported it, or <see cref="Runtime.PluginErrorKind.Unavailable"/> when that machine stopped answering.</exception>
    byte[] Call(string export, ReadOnlySpan<byte> input, RemoteCall call, CancellationToken cancellationToken);

    /// <summary>Frees the child and its subtree; does not wait (it runs under its tree's lock), and a machine that cannot be reached has lost the child already.</summary>
    void Free();
}

/// <summary>A spawn that crosses machines.</summary>
/// <param name="Name">The plugin's catalog name.</param>
/// <param name="Lineage">The names from the top-level process down to the child, to compute its rights from its parent's (<see cref="Policy.Rights.Lineage"/>).</param>
/// <param name="Chain">The spawning call's chain; the child's start-up code runs within its deadline.</param>
/// <param name="StandIn">The id of the process standing in for the child in its parent's tree (<see cref="PluginProcess.Id"/> on the parent's machine): the child's tree reserves its places there (<see cref="IUpstream"/>).</param>
internal sealed record RemoteSpawn(string Name, IReadOnlyList<string> Lineage, RemoteChain Chain, long StandIn);

/// <summary>A call that crosses machines: the chain above the callee and the fuel the callee may burn.</summary>
/// <param name="Chain">The callee's callers, outermost first, with the tightest depth limit and the deadline.</param>
/// <param name="Fuel">The callee's fuel, never more than its caller had left; null when unlimited.</param>
/// <param name="Hops">For a traced chain, the log of its calls: on the calling machine the one the callee's calls join, on the callee's the one they are recorded in. Null when not traced.</param>
internal sealed record RemoteCall(RemoteChain Chain, long? Fuel, HopLog? Hops);

/// <summary>A call chain as it crosses machines.</summary>
/// <param name="Levels">The calls on it, outermost first.</param>
/// <param name="DepthLimit">The tightest <c>max_depth</c> of the processes on it.</param>
/// <param name="RemainingMilliseconds">Time left until its deadline, measured when it was sent; null for none. Relative, so that machines need not share a clock.</param>
internal sealed record RemoteChain(IReadOnlyList<ChainLevel> Levels, int DepthLimit, long? RemainingMilliseconds)
{
    /// <summary>The machines the chain runs on: a spread spawn prefers others.</summary>
    public IEnumerable<string> Sites => Levels.Select(l => l.Site).Distinct(StringComparer.Ordinal);
}

/// <summary>One call on a chain that crossed machines.</summary>
/// <param name="Name">The callee's plugin name.</param>
/// <param name="Process">The callee's cluster-wide process key (<see cref="PluginProcess.Key"/>), for cycle checks.</param>
/// <param name="Site">The callee's machine: <c>host:port</c>.</param>
internal readonly record struct ChainLevel(string Name, string Process, string Site);
