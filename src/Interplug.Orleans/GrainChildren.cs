using System.Collections.Concurrent;
using Interplug.Host;
using Interplug.Host.Remote;
using Interplug.Orleans.Grains;
using Interplug.Runtime;
using Orleans.Runtime;

namespace Interplug.Orleans;

/// <summary>
/// A silo's placement of children on other silos (<c>placement: "spread"</c>): each child is a
/// <see cref="IRemoteChildGrain"/> with a fresh Guid, placed by <see cref="SpreadPlacement"/>. The
/// silo renews the lease of every child its processes hold every <see cref="LeaseRenewal"/>, so a
/// child whose parent's silo died frees itself within <see cref="Lease"/> plus <see cref="LeaseCheck"/>.
/// </summary>
internal sealed class GrainChildren : IRemoteChildren, IDisposable
{
    /// <summary>How often a silo renews the leases of the children its processes hold on other silos.</summary>
    public static readonly TimeSpan LeaseRenewal = TimeSpan.FromSeconds(2);

    /// <summary>How long a child lives without a renewal: several renewals, so that a busy silo or network does not free a child in use.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);

    /// <summary>How often a child checks its lease.</summary>
    public static readonly TimeSpan LeaseCheck = TimeSpan.FromSeconds(2);

    private readonly IGrainFactory _grains;
    private readonly ConcurrentDictionary<GrainChild, byte> _held = new();
    private readonly ITimer _renewals;
    private readonly PluginHost _host;

    public GrainChildren(IGrainFactory grains, ILocalSiloDetails silo, TimeProvider time, PluginHost host)
    {
        _grains = grains;
        _host = host;
        Site = silo.SiloAddress.Endpoint.ToString();
        _renewals = time.CreateTimer(_ => RenewAll(), null, LeaseRenewal, LeaseRenewal);
    }

    public string Site { get; }

    /// <inheritdoc/>
    /// <remarks>Blocks the spawning plugin's thread, a host call thread and never an Orleans one.</remarks>
    public IRemoteChild Spawn(RemoteSpawn spawn, CancellationToken cancellationToken)
    {
        // One object per child: Orleans runs the calls to an object one at a time, and a reservation
        // waits for the levels above it, so a shared one would hold up every child of the silo, and
        // two silos reserving through each other's would deadlock. Made on a host thread, as Orleans
        // makes no object reference inside a grain; held by the child, as Orleans holds it weakly.
        var quota = new UpstreamQuota(_host);
        var upstream = _grains.CreateObjectReference<IUpstreamQuota>(quota);
        try
        {
            var (grain, reply) = Start(spawn, upstream, cancellationToken);
            reply.OutputOrThrow();
            var child = new GrainChild(this, grain, spawn.Name, reply.Silo, quota, upstream);
            _held[child] = 0;
            return child;
        }
        catch
        {
            _grains.DeleteObjectReference<IUpstreamQuota>(upstream);
            throw;
        }
    }

    public void Dispose() => _renewals.Dispose();

    // A child placed on a silo not yet declared dead is started again on a fresh grain, within the chain's deadline.
    private (IRemoteChildGrain Grain, PluginReply Reply) Start(RemoteSpawn spawn, IUpstreamQuota upstream, CancellationToken cancellationToken)
    {
        var patience = spawn.Chain.RemainingMilliseconds is { } ms ? TimeSpan.FromMilliseconds(Math.Min(ms, (long)ClusterPluginHost.StartRetryTime.TotalMilliseconds)) : ClusterPluginHost.StartRetryTime;
        RequestContext.Set(SpreadPlacement.AvoidKey, string.Join(' ', spawn.Chain.Sites));
        try
        {
            return ClusterFailures.StartOnFreshGrain<IRemoteChildGrain, PluginReply>(_grains, grain => grain.Start(WireSpawn.From(spawn, upstream), cancellationToken),
                $"spawn of {spawn.Name}", patience, cancellationToken).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new PluginException(PluginErrorKind.Cancelled, $"spawn of {spawn.Name} was cancelled", e);
        }
        finally
        {
            RequestContext.Remove(SpreadPlacement.AvoidKey);
        }
    }

    private void RenewAll()
    {
        foreach (var child in _held.Keys)
            child.Renew();
    }

    /// <summary>A child on another silo, as its parent's handle holds it, with the object its tree reserves its places through.</summary>
    private sealed class GrainChild(GrainChildren owner, IRemoteChildGrain grain, string name, string site, UpstreamQuota quota, IUpstreamQuota upstream) : IRemoteChild
    {
        public string Site => site;

        public byte[] Call(string export, ReadOnlySpan<byte> input, RemoteCall call, CancellationToken cancellationToken)
        {
            var what = $"call to {name}.{export} on {site}";
            var running = ClusterFailures.Await(grain.Call(export, input.ToArray(), WireCall.From(call), cancellationToken), what, cancellationToken);
            var reply = GrainWatch.Await(running, grain, what, export).GetAwaiter().GetResult();
            if (reply.Hops is { } hops)
                call.Hops?.AddRange(hops.Select(h => h.ToHop()));
            return reply.OutputOrThrow();
        }

        public void Free()
        {
            owner._held.TryRemove(this, out _);
            // Off the grain whose turn frees the child, if any: Orleans deletes no object reference inside a grain.
            _ = Task.Run(() => owner._grains.DeleteObjectReference<IUpstreamQuota>(upstream), CancellationToken.None);
            // Orleans holds the object weakly: the child holds it until here.
            GC.KeepAlive(quota);
            Observe(grain.Free());
        }

        public void Renew() => Observe(grain.Renew());

        // Nobody waits for these: a silo that cannot be reached has lost the child already, and its lease ends it anyway.
        private static void Observe(Task task) =>
            task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
