using Interplug.Host;
using Interplug.Host.Remote;
using Interplug.Runtime;
using Orleans.Runtime;

namespace Interplug.Orleans.Grains;

/// <summary>
/// Runs one top-level process in the embedded host of the silo it is activated on. The wasm runs
/// off the grain's turn (the host's own async methods), so a long call holds no Orleans thread.
/// </summary>
internal sealed class PluginProcessGrain(PluginHost host, SiloShutdown shutdown, ILocalSiloDetails silo) : Grain, IPluginProcessGrain
{
    private readonly ReplyBuilder _replies = new(silo.SiloAddress.Endpoint.ToString(), shutdown);
    private PluginProcess? _process;
    private string? _name;

    public async Task<PluginReply> Start(string name, CancellationToken cancellationToken)
    {
        var reply = await _replies.Reply(async () =>
        {
            if (_name is not null)
                throw new PluginException(PluginErrorKind.InvalidArgument, $"this grain already started {_name}; each process needs a grain of its own");
            _name = name;
            // The embedded host starts its own kind of process.
            _process = (PluginProcess)await ((IPluginHost)host).StartAsync(name, cancellationToken).ConfigureAwait(true);
            return [];
        }).ConfigureAwait(true);
        if (_process is null)
            this.DeactivateOnIdle();
        return reply;
    }

    public async Task<PluginReply> Call(string export, byte[] input, bool free, bool trace, CancellationToken cancellationToken)
    {
        var hops = trace ? new HopLog() : null;
        try
        {
            var reply = await _replies.Reply(() =>
                _process is { } process
                    ? process.CallTracedAsync(export, input, hops, cancellationToken)
                    : throw _replies.Gone(export)).ConfigureAwait(true);
            return reply with { Hops = WireHop.From(hops) };
        }
        finally
        {
            if (free)
                await Free().ConfigureAwait(true);
        }
    }

    public Task<bool> StartedProcess(CancellationToken cancellationToken)
    {
        if (_name is null)
            this.DeactivateOnIdle();
        return Task.FromResult(_name is not null);
    }

    public async Task Free()
    {
        await FreeProcess().ConfigureAwait(true);
        this.DeactivateOnIdle();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => FreeProcess();

    private async Task FreeProcess()
    {
        if (Interlocked.Exchange(ref _process, null) is { } process)
            await process.DisposeAsync().ConfigureAwait(true);
    }
}
