using Orleans.Concurrency;

namespace Interplug.Orleans.Grains;

/// <summary>
/// A child process that a plugin on another silo spawned with <c>placement: "spread"</c>, living
/// in the embedded host of the silo Orleans placed it on (<see cref="SpreadPlacement"/>). Keyed by a
/// fresh Guid per child. Its parent's handle points to it; only its parent's host calls it. It is
/// freed by <see cref="Free"/>, when its lease lapses (<see cref="GrainChildren.Lease"/>: its
/// parent's host renews it while the parent lives), or when the grain is deactivated.
/// </summary>
internal interface IRemoteChildGrain : IProcessHolderGrain
{
    /// <summary>Starts the child; a reply without output, naming its silo and its process key.</summary>
    Task<PluginReply> Start(WireSpawn spawn, CancellationToken cancellationToken);

    /// <summary>A call from the parent's chain, which continues here with its depth limit, deadline, fuel and cancellation.</summary>
    Task<PluginReply> Call(string export, byte[] input, WireCall call, CancellationToken cancellationToken);

    /// <summary>Frees the child and its subtree, cancelling a call it runs.</summary>
    [AlwaysInterleave]
    Task Free();

    /// <summary>Renews the lease: the parent's host still holds this child.</summary>
    [AlwaysInterleave, OneWay]
    Task Renew();
}
