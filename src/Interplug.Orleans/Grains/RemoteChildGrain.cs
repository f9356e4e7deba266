using System.Diagnostics;
using Interplug.Host;
using Interplug.Host.Remote;
using Orleans.Runtime;

namespace Interplug.Orleans.Grains;

/// <summary>
/// Runs one child that a plugin on another silo spawned, in this silo's embedded host, as the root
/// of a tree of its own here. Wasm runs off the grain's turn: start-up code on the thread pool,
/// calls on the host's threads for calls from other silos. While it holds its child it checks its
/// lease every <see cref="GrainChildren.LeaseCheck"/>, and frees the child once no renewal came
/// for <see cref="GrainChildren.Lease"/>: its parent, or the parent's silo, is gone.
/// </summary>
[SpreadPlacement]
internal sealed class RemoteChildGrain(PluginHost host, SiloShutdown shutdown, ILocalSiloDetails silo) : Grain, IRemoteChildGrain
{
    private readonly ReplyBuilder _replies = new(silo.SiloAddress.Endpoint.ToString(), shutdown);
    private PluginProcess? _process;
    private long _renewed;
    private IGrainTimer? _lease;

    public async Task<PluginReply> Start(WireSpawn spawn, CancellationToken cancellationToken)
    {
        string? key = null;
        var reply = await _replies.Reply(async () =>
        {
            if (_process is not null || _lease is not null)
                throw new Runtime.PluginException(Runtime.PluginErrorKind.InvalidArgument, $"this grain already started {_process?.Name}; each child needs a grain of its own");
            var request = spawn.ToSpawn();
            var upstream = spawn.Upstream is { } quota ? new GrainUpstream(quota, spawn.StandIn) : null;
            _process = await Task.Run(() => host.StartSpawned(request, upstream, cancellationToken), CancellationToken.None).ConfigureAwait(true);
            key = _process.Key;
            return [];
        }).ConfigureAwait(true);
        if (_process is null)
        {
            this.DeactivateOnIdle();
            return reply;
        }
        _renewed = Stopwatch.GetTimestamp();
        _lease = this.RegisterGrainTimer(CheckLease, new GrainTimerCreationOptions(GrainChildren.LeaseCheck, GrainChildren.LeaseCheck) { Interleave = true, KeepAlive = true });
        return reply with { Process = key };
    }

    public async Task<PluginReply> Call(string export, byte[] input, WireCall call, CancellationToken cancellationToken)
    {
        var hops = call.Trace ? new HopLog() : null;
        var reply = await _replies.Reply(() =>
            _process is { } process
                ? host.CallSpawnedAsync(process, export, input, call.ToCall(hops), cancellationToken)
                : throw _replies.Gone(export)).ConfigureAwait(true);
        return reply with { Hops = WireHop.From(hops) };
    }

    public Task<bool> StartedProcess(CancellationToken cancellationToken)
    {
        if (_lease is null)
            this.DeactivateOnIdle();
        return Task.FromResult(_lease is not null);
    }

    public Task Free()
    {
        FreeProcess();
        this.DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task Renew()
    {
        _renewed = Stopwatch.GetTimestamp();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        FreeProcess();
        return Task.CompletedTask;
    }

    private Task CheckLease(CancellationToken cancellationToken)
    {
        if (Stopwatch.GetElapsedTime(_renewed) > GrainChildren.Lease)
            return Free();
        return Task.CompletedTask;
    }

    private void FreeProcess()
    {
        _lease?.Dispose();
        Interlocked.Exchange(ref _process, null)?.Dispose();
    }
}
