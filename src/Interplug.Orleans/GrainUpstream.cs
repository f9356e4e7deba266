using Interplug.Host.Remote;
using Interplug.Orleans.Grains;

namespace Interplug.Orleans;

/// <summary>The stand-in of a remote child's tree, on its parent's silo, reached through that silo's <see cref="IUpstreamQuota"/>.</summary>
internal sealed class GrainUpstream(IUpstreamQuota quota, long standIn) : IUpstream
{
    public async Task ReserveAsync(string spawner, string name, CancellationToken cancellationToken)
    {
        var fault = await ClusterFailures.Await(quota.Reserve(standIn, spawner, name, cancellationToken), $"reservation of a place for {name} upstream", cancellationToken).ConfigureAwait(false);
        if (fault is not null)
            throw fault.ToException();
    }

    private readonly Lock _gate = new();
    private Task _released = Task.CompletedTask;

    public Task Released
    {
        get
        {
            lock (_gate)
                return _released;
        }
    }

    // A lost release over-counts until the stand-in is freed, which its lease bounds when the parent's silo is gone.
    public void Release(int count)
    {
        var counted = quota.Release(standIn, count).ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        lock (_gate)
            _released = _released.IsCompleted ? counted : Task.WhenAll(_released, counted);
    }
}
