using System.Collections.Concurrent;
using System.Diagnostics;
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

    private static readonly TimeSpan MaxStartPause = TimeSpan.FromSeconds(2);

    private readonly IGrainFactory _grains;
    private readonly ConcurrentDictionary<GrainChild, byte> _held = new();
    private readonly ITimer _renewals;

    public GrainChildren(IGrainFactory grains, ILocalSiloDetails silo, TimeProvider time)
    {
        _grains = grains;
        Site = silo.SiloAddress.Endpoint.ToString();
        _renewals = time.CreateTimer(_ => RenewAll(), null, LeaseRenewal, LeaseRenewal);
    }

    public string Site { get; }

    /// <inheritdoc/>
    /// <remarks>Blocks the spawning plugin's thread, a host call thread and never an Orleans one.</remarks>
    public IRemoteChild Spawn(RemoteSpawn spawn, CancellationToken cancellationToken)
    {
        var (grain, reply) = Start(spawn, cancellationToken);
        reply.OutputOrThrow();
        var child = new GrainChild(this, grain, spawn.Name, reply.Silo);
        _held[child] = 0;
        return child;
    }

    public void Dispose() => _renewals.Dispose();

    // Until the cluster declares a dead silo dead, Orleans may still place a child on it; the start
    // was then never delivered, so a fresh grain may try another silo, within the chain's deadline.
    private (IRemoteChildGrain Grain, PluginReply Reply) Start(RemoteSpawn spawn, CancellationToken cancellationToken)
    {
        var retrying = Stopwatch.StartNew();
        var patience = spawn.Chain.RemainingMilliseconds is { } ms ? TimeSpan.FromMilliseconds(Math.Min(ms, (long)ClusterPluginHost.StartRetryTime.TotalMilliseconds)) : ClusterPluginHost.StartRetryTime;
        RequestContext.Set(SpreadPlacement.AvoidKey, string.Join(' ', spawn.Chain.Sites));
        try
        {
            for (var pause = TimeSpan.FromMilliseconds(100); ; pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxStartPause.Ticks)))
            {
                var grain = _grains.GetGrain<IRemoteChildGrain>(Guid.NewGuid());
                try
                {
                    return (grain, ClusterFailures.Await(grain.Start(WireSpawn.From(spawn), cancellationToken), $"spawn of {spawn.Name}", cancellationToken).GetAwaiter().GetResult());
                }
                catch (PluginException e) when (e.InnerException is { } cause && ClusterFailures.WasNotDelivered(cause) && retrying.Elapsed + pause < patience)
                {
                    if (cancellationToken.WaitHandle.WaitOne(pause))
                        throw new PluginException(PluginErrorKind.Cancelled, $"spawn of {spawn.Name} was cancelled", e);
                }
            }
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

    /// <summary>A child on another silo, as its parent's handle holds it.</summary>
    private sealed class GrainChild(GrainChildren owner, IRemoteChildGrain grain, string name, string site) : IRemoteChild
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
            Observe(grain.Free());
        }

        public void Renew() => Observe(grain.Renew());

        // Nobody waits for these: a silo that cannot be reached has lost the child already, and its lease ends it anyway.
        private static void Observe(Task task) =>
            task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
