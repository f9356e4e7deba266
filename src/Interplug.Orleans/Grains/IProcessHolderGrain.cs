using Orleans.Concurrency;

namespace Interplug.Orleans.Grains;

/// <summary>A grain that holds one plugin process; its callers ask it during long calls whether it still does.</summary>
internal interface IProcessHolderGrain : IGrainWithGuidKey
{
    /// <summary>
    /// Whether this is the activation that started the process (it may have freed it since, as a
    /// call made to free it does just before it answers): a caller waiting for a long call asks, to
    /// learn that the activation was lost with its silo (the question then fails, or reaches a new
    /// activation that started nothing). Interleaves with the running call.
    /// </summary>
    [AlwaysInterleave]
    Task<bool> StartedProcess(CancellationToken cancellationToken);
}
