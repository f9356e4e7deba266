using Orleans.Concurrency;

namespace Interplug.Orleans.Grains;

/// <summary>
/// One top-level plugin process, living in its silo's embedded <see cref="Host.PluginHost"/>.
/// Keyed by a fresh Guid per process; placed by Orleans. Its process is freed by
/// <see cref="Free"/>, after a call made with <c>free</c> set, or when the grain is deactivated
/// (idle past Orleans' collection age, or its silo stopping).
/// </summary>
internal interface IPluginProcessGrain : IProcessHolderGrain
{
    /// <summary>Starts the process; a reply without output, naming the silo it runs on.</summary>
    Task<PluginReply> Start(string name, CancellationToken cancellationToken);

    /// <summary>A top-level call on the started process; with <paramref name="free"/> set, the process is freed after it; with <paramref name="trace"/>, the reply lists every call of its chain.</summary>
    Task<PluginReply> Call(string export, byte[] input, bool free, bool trace, CancellationToken cancellationToken);

    /// <summary>Frees the process, cancelling a call it runs; interleaves with that call so that it need not wait for it.</summary>
    [AlwaysInterleave]
    Task Free();
}
